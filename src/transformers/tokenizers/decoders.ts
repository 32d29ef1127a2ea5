// Decoders of tokenizer.json: turn token strings back into text (undo byte-level mapping, ▁ spaces, ## prefixes,
// <0xNN> byte pieces). Each maps a token list to a token list; the tokenizer joins the final list.
import { patternFromJSON } from './normalizers.js';
import { BYTE_TO_CHAR } from './pre-tokenizers.js';
import { type Where, at, componentType, decoderSchemas, parse, unsupported } from './schema.js';

/** A decoding step over token strings. */
export interface Decoder {
  decodeChain(tokens: string[]): string[];
  toJSON(): Record<string, unknown>;
}

const CHAR_TO_BYTE = new Map<number, number>();
BYTE_TO_CHAR.forEach((c, b) => CHAR_TO_BYTE.set(c, b));
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/** WordPiece's cleanup of spaces before punctuation and contractions (applied per token, in this order). */
function wordpieceCleanup(s: string): string {
  return s
    .replaceAll(' .', '.')
    .replaceAll(' ?', '?')
    .replaceAll(' !', '!')
    .replaceAll(' ,', ',')
    .replaceAll(" ' ", "'")
    .replaceAll(" n't", "n't")
    .replaceAll(" 'm", "'m")
    .replaceAll(' do not', " don't")
    .replaceAll(" 's", "'s")
    .replaceAll(" 've", "'ve")
    .replaceAll(" 're", "'re");
}

function byteLevel(tokens: string[]): string[] {
  const bytes: number[] = [];
  for (const t of tokens) {
    const mapped: number[] = [];
    let ok = true;
    for (const ch of t) {
      const b = CHAR_TO_BYTE.get(ch.codePointAt(0)!);
      if (b === undefined) {
        ok = false;
        break;
      }
      mapped.push(b);
    }
    if (ok) bytes.push(...mapped);
    else bytes.push(...encoder.encode(t));
  }
  return [utf8.decode(new Uint8Array(bytes))];
}

function byteFallback(tokens: string[]): string[] {
  const out: string[] = [];
  let pending: number[] = [];
  const flush = (): void => {
    if (pending.length === 0) return;
    try {
      out.push(utf8Strict.decode(new Uint8Array(pending)));
    } catch {
      for (let i = 0; i < pending.length; i++) out.push('\ufffd');
    }
    pending = [];
  };
  for (const t of tokens) {
    const m = t.length === 6 && /^<0x([0-9A-Fa-f]{2})>$/.exec(t);
    if (m) pending.push(Number.parseInt(m[1]!, 16));
    else {
      flush();
      out.push(t);
    }
  }
  flush();
  return out;
}

function strip(content: string, start: number, stop: number): (tokens: string[]) => string[] {
  return (tokens) =>
    tokens.map((t) => {
      const cps = [...t];
      let a = 0;
      for (let i = 0; i < Math.min(start, cps.length); i++) {
        if (cps[i] !== content) break;
        a = i + 1;
      }
      let b = cps.length;
      for (let i = 0; i < stop && cps.length - i - 1 >= 0; i++) {
        const idx = cps.length - i - 1;
        if (cps[idx] !== content) break;
        b = idx;
      }
      return cps.slice(a, Math.max(a, b)).join('');
    });
}

function simple(json: Record<string, unknown>, fn: (tokens: string[]) => string[]): Decoder {
  return { decodeChain: fn, toJSON: () => json };
}

/** Decoder types this implementation provides. */
export const DECODER_TYPES = Object.keys(decoderSchemas) as readonly string[];

/** Builds a decoder from its tokenizer.json form (validated; errors name the file and field). */
export function decoderFromJSON(raw: unknown, w: Where): Decoder {
  const type = componentType(raw, w, 'decoder');
  switch (type) {
    case 'WordPiece': {
      const c = parse(decoderSchemas.WordPiece, raw, w);
      return simple({ ...c }, (tokens) =>
        tokens.map((t, i) => {
          let s = t;
          if (i !== 0) s = s.startsWith(c.prefix) ? s.replace(c.prefix, '') : ` ${s}`;
          return c.cleanup ? wordpieceCleanup(s) : s;
        }),
      );
    }
    case 'ByteLevel':
      return simple({ ...parse(decoderSchemas.ByteLevel, raw, w) }, byteLevel);
    case 'Metaspace': {
      const c = parse(decoderSchemas.Metaspace, raw, w);
      const scheme = c.add_prefix_space === false ? 'never' : c.prepend_scheme;
      const json = { type, replacement: c.replacement, prepend_scheme: scheme, split: c.split };
      return simple(json, (tokens) =>
        tokens.map((t, i) => {
          let s = '';
          for (const ch of t) {
            if (ch === c.replacement) s += i === 0 && scheme !== 'never' ? '' : ' ';
            else s += ch;
          }
          return s;
        }),
      );
    }
    case 'BPEDecoder': {
      const c = parse(decoderSchemas.BPEDecoder, raw, w);
      return simple({ ...c }, (tokens) => tokens.map((t, i) => t.replaceAll(c.suffix, i === tokens.length - 1 ? '' : ' ')));
    }
    case 'Replace': {
      const c = parse(decoderSchemas.Replace, raw, w);
      const p = patternFromJSON(c.pattern, w);
      return simple({ ...c }, (tokens) =>
        tokens.map((t) => {
          const m = p.findMatches(t);
          let s = '';
          for (let k = 0; k < m.length; k += 3) s += m[k + 2] === 1 ? c.content : t.slice(m[k], m[k + 1]);
          return s;
        }),
      );
    }
    case 'ByteFallback':
      return simple({ type }, byteFallback);
    case 'Fuse':
      return simple({ type }, (tokens) => [tokens.join('')]);
    case 'Strip': {
      const c = parse(decoderSchemas.Strip, raw, w);
      return simple({ ...c }, strip(c.content, c.start, c.stop));
    }
    case 'CTC': {
      const c = parse(decoderSchemas.CTC, raw, w);
      return simple({ ...c }, (tokens) => {
        const out: string[] = [];
        tokens.forEach((t, i) => {
          if (i > 0 && tokens[i - 1] === t) return;
          let s = t.replaceAll(c.pad_token, '');
          if (c.cleanup) s = wordpieceCleanup(s).replaceAll(c.word_delimiter_token, ' ');
          if (s !== '') out.push(s);
        });
        return out;
      });
    }
    case 'Sequence': {
      const c = parse(decoderSchemas.Sequence, raw, w);
      const items = c.decoders.map((x, i) => decoderFromJSON(x, at(w, 'decoders', i)));
      return {
        decodeChain: (tokens) => items.reduce((t, d) => d.decodeChain(t), tokens),
        toJSON: () => ({ type, decoders: items.map((d) => d.toJSON()) }),
      };
    }
    default:
      return unsupported(w, 'decoder', type, DECODER_TYPES);
  }
}
