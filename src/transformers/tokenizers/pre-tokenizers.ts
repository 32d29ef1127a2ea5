// Pre-tokenizers of tokenizer.json: split the normalized input into words (and, for ByteLevel, map every
// byte to a printable character), keeping alignments to the input.
import type { z } from 'zod';
import {
  Changes,
  type NormalizedString,
  type Pattern,
  type SplitBehavior,
  invertPattern,
  predicatePattern,
  regexPattern,
} from './normalized-string.js';
import { patternFromJSON } from './normalizers.js';
import type { PreTokenizedString } from './pre-tokenized.js';
import { GPT2_REGEX } from './regex.js';
import { type Where, at, badField, componentType, parse, preTokenizerSchemas, unsupported } from './schema.js';
import { isBertPunctuation, isNumeric, isWhitespace } from './unicode.js';

/** A pre-tokenization step; `toJSON` gives the tokenizer.json form. */
export interface PreTokenizer {
  preTokenize(p: PreTokenizedString): void;
  toJSON(): Record<string, unknown>;
}

/** GPT-2's byte-to-character table: printable bytes map to themselves, the others to U+0100 and up. */
export const BYTE_TO_CHAR: Uint16Array = (() => {
  const table = new Uint16Array(256);
  let n = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    table[b] = printable ? b : 256 + n++;
  }
  return table;
})();

const ASCII_BYTE_CHARS = String.fromCharCode(...BYTE_TO_CHAR.subarray(0, 128));

/** Rewrites every character as the byte-level characters of its UTF-8 bytes (extra bytes count as inserted). */
function byteLevelTransform(n: NormalizedString): void {
  const s = n.normalized;
  let ascii = true;
  let printable = true;
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u >= 0x80) {
      ascii = false;
      break;
    }
    if (u <= 0x20 || u === 0x7f) printable = false;
  }
  if (ascii) {
    // ASCII maps one-to-one (alignments unchanged); only controls, space and DEL change.
    if (printable) return;
    let out = '';
    let from = 0;
    for (let i = 0; i < s.length; i++) {
      const u = s.charCodeAt(i);
      if (u <= 0x20 || u === 0x7f) {
        out += s.slice(from, i) + ASCII_BYTE_CHARS[u];
        from = i + 1;
      }
    }
    n.normalized = out + s.slice(from);
    return;
  }
  const dest = new Changes();
  for (let i = 0; i < s.length; ) {
    const cp = s.codePointAt(i)!;
    i += cp > 0xffff ? 2 : 1;
    if (cp < 0x80) dest.push(BYTE_TO_CHAR[cp]!, 0);
    else if (cp < 0x800) {
      dest.push(BYTE_TO_CHAR[0xc0 | (cp >> 6)]!, 0);
      dest.push(BYTE_TO_CHAR[0x80 | (cp & 0x3f)]!, 1);
    } else if (cp < 0x10000) {
      // Lone surrogates have no UTF-8 form; like TextEncoder, encode them as U+FFFD.
      const c = cp >= 0xd800 && cp < 0xe000 ? 0xfffd : cp;
      dest.push(BYTE_TO_CHAR[0xe0 | (c >> 12)]!, 0);
      dest.push(BYTE_TO_CHAR[0x80 | ((c >> 6) & 0x3f)]!, 1);
      dest.push(BYTE_TO_CHAR[0x80 | (c & 0x3f)]!, 1);
    } else {
      dest.push(BYTE_TO_CHAR[0xf0 | (cp >> 18)]!, 0);
      dest.push(BYTE_TO_CHAR[0x80 | ((cp >> 12) & 0x3f)]!, 1);
      dest.push(BYTE_TO_CHAR[0x80 | ((cp >> 6) & 0x3f)]!, 1);
      dest.push(BYTE_TO_CHAR[0x80 | (cp & 0x3f)]!, 1);
    }
  }
  n.transform(dest, 0);
}

/** Splits on White_Space (removed) and punctuation (isolated) in one pass, like BertPreTokenizer's two. */
function bertSplit(n: NormalizedString): NormalizedString[] {
  const s = n.normalized;
  const out: NormalizedString[] = [];
  let start = -1;
  for (let i = 0; i < s.length; ) {
    const cp = s.codePointAt(i)!;
    const size = cp > 0xffff ? 2 : 1;
    if (isWhitespace(cp)) {
      if (start >= 0) out.push(n.slice(start, i));
      start = -1;
    } else if (isBertPunctuation(cp)) {
      if (start >= 0) out.push(n.slice(start, i));
      out.push(n.slice(i, i + size));
      start = -1;
    } else if (start < 0) start = i;
    i += size;
  }
  if (start >= 0) out.push(n.slice(start, s.length));
  return out;
}

class SplitBy implements PreTokenizer {
  constructor(
    private readonly pattern: Pattern,
    private readonly behavior: SplitBehavior,
    private readonly json: Record<string, unknown>,
  ) {}
  preTokenize(p: PreTokenizedString): void {
    p.split((n) => n.split(this.pattern, this.behavior));
  }
  toJSON() {
    return this.json;
  }
}

class ByteLevel implements PreTokenizer {
  constructor(readonly c: z.infer<typeof preTokenizerSchemas.ByteLevel>) {}
  preTokenize(p: PreTokenizedString): void {
    const re = regexPattern(GPT2_REGEX);
    p.split((n) => {
      if (this.c.add_prefix_space && !n.normalized.startsWith(' ')) n.prepend(' ');
      return this.c.use_regex ? n.split(re, 'Isolated') : [n];
    });
    p.normalize(byteLevelTransform);
  }
  toJSON() {
    return { ...this.c };
  }
}

const SPACE = predicatePattern((cp) => cp === 0x20);

class Metaspace implements PreTokenizer {
  private readonly rep: number;
  private readonly splitter: Pattern;
  constructor(readonly c: z.infer<typeof preTokenizerSchemas.Metaspace> & { prepend_scheme: 'first' | 'never' | 'always' }) {
    this.rep = c.replacement.codePointAt(0)!;
    const rep = this.rep;
    this.splitter = predicatePattern((cp) => cp === rep);
  }
  preTokenize(p: PreTokenizedString): void {
    const { replacement, prepend_scheme, split } = this.c;
    p.split((n) => {
      n.replace(SPACE, replacement);
      if (
        (prepend_scheme === 'always' && !n.normalized.startsWith(replacement)) ||
        (prepend_scheme === 'first' && !n.normalized.startsWith(replacement) && n.originalStart === 0)
      ) {
        n.prepend(replacement);
      }
      return split ? n.split(this.splitter, 'MergedWithNext') : [n];
    });
  }
  toJSON() {
    return { type: 'Metaspace', replacement: this.c.replacement, prepend_scheme: this.c.prepend_scheme, split: this.c.split };
  }
}

class Sequence implements PreTokenizer {
  constructor(private readonly items: PreTokenizer[]) {}
  preTokenize(p: PreTokenizedString): void {
    for (const x of this.items) x.preTokenize(p);
  }
  toJSON() {
    return { type: 'Sequence', pretokenizers: this.items.map((x) => x.toJSON()) };
  }
}

const WORD_CLASS = '\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}';
const WHITESPACE_RE = new RegExp(`[${WORD_CLASS}]+|[^${WORD_CLASS}\\p{White_Space}]+`, 'gu');

/** Pre-tokenizer types this implementation provides. */
export const PRE_TOKENIZER_TYPES = Object.keys(preTokenizerSchemas) as readonly string[];

/** Builds a pre-tokenizer from its tokenizer.json form (validated; errors name the file and field). */
export function preTokenizerFromJSON(raw: unknown, w: Where): PreTokenizer {
  const type = componentType(raw, w, 'pre-tokenizer');
  switch (type) {
    case 'BertPreTokenizer':
      return {
        preTokenize: (p) => p.split(bertSplit),
        toJSON: () => ({ type }),
      };
    case 'ByteLevel':
      return new ByteLevel(parse(preTokenizerSchemas.ByteLevel, raw, w));
    case 'Whitespace':
      return new SplitBy(invertPattern(regexPattern(WHITESPACE_RE)), 'Removed', { type });
    case 'WhitespaceSplit':
      return new SplitBy(predicatePattern(isWhitespace), 'Removed', { type });
    case 'Punctuation': {
      const c = parse(preTokenizerSchemas.Punctuation, raw, w);
      return new SplitBy(predicatePattern(isBertPunctuation), c.behavior, { ...c });
    }
    case 'Split': {
      const c = parse(preTokenizerSchemas.Split, raw, w);
      const pattern = patternFromJSON(c.pattern, w);
      return new SplitBy(c.invert ? invertPattern(pattern) : pattern, c.behavior, { ...c });
    }
    case 'Digits': {
      const c = parse(preTokenizerSchemas.Digits, raw, w);
      return new SplitBy(predicatePattern(isNumeric), c.individual_digits ? 'Isolated' : 'Contiguous', { ...c });
    }
    case 'Metaspace': {
      const c = parse(preTokenizerSchemas.Metaspace, raw, w);
      if (c.add_prefix_space === false) {
        if ((raw as { prepend_scheme?: unknown }).prepend_scheme !== undefined && c.prepend_scheme !== 'never') {
          return badField(
            at(w, 'prepend_scheme'),
            c.prepend_scheme,
            '"never" when add_prefix_space is false',
            'drop add_prefix_space or make the two agree',
          );
        }
        c.prepend_scheme = 'never';
      }
      return new Metaspace(c);
    }
    case 'CharDelimiterSplit': {
      const c = parse(preTokenizerSchemas.CharDelimiterSplit, raw, w);
      const d = c.delimiter.codePointAt(0)!;
      return new SplitBy(
        predicatePattern((cp) => cp === d),
        'Removed',
        { ...c },
      );
    }
    case 'Sequence': {
      const c = parse(preTokenizerSchemas.Sequence, raw, w);
      return new Sequence(c.pretokenizers.map((x, i) => preTokenizerFromJSON(x, at(w, 'pretokenizers', i))));
    }
    default:
      return unsupported(w, 'pre-tokenizer', type, PRE_TOKENIZER_TYPES);
  }
}
