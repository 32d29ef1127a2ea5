// Post-processors of tokenizer.json: add the model's special tokens around one or two sequences and set
// type ids (TemplateProcessing, BertProcessing, RobertaProcessing); ByteLevel trims whitespace from offsets.
import { RawEncoding } from './encoding.js';
import { BYTE_TO_CHAR } from './pre-tokenizers.js';
import {
  type TemplatePieceJson,
  type Where,
  at,
  badField,
  componentType,
  parse,
  postProcessorSchemas,
  unsupported,
} from './schema.js';
import { isWhitespace } from './unicode.js';

/** A post-processing step over the encodings of the first and (optionally) second sequence. */
export interface PostProcessor {
  /** Number of special tokens added for a single sequence or a pair (truncation budgets for them). */
  addedTokens(isPair: boolean): number;
  /** Processes the list [first] or [first, pair]; returns the processed list (merged by the caller). */
  processEncodings(encodings: RawEncoding[], addSpecialTokens: boolean): RawEncoding[];
  toJSON(): Record<string, unknown>;
}

const SPACE_CHAR = BYTE_TO_CHAR[0x20]!;

/** Moves `pos` by `k` characters (code points) of `text`, forward or backward. */
function moveChars(text: string | null, pos: number, k: number): number {
  if (text === null) return pos + k;
  let p = pos;
  for (let i = 0; i < Math.abs(k); i++) {
    if (k > 0) p += (text.charCodeAt(p) & 0xfc00) === 0xd800 && (text.charCodeAt(p + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
    else p -= (text.charCodeAt(p - 1) & 0xfc00) === 0xdc00 && (text.charCodeAt(p - 2) & 0xfc00) === 0xd800 ? 2 : 1;
  }
  return p;
}

/** Number of characters (code points) of `text` before UTF-16 index `pos`, capped at `cap`. */
function charsBefore(text: string | null, pos: number, cap: number): number {
  if (text === null) return Math.min(pos, cap);
  let n = 0;
  for (let p = pos; p > 0 && n < cap; n++) p = moveChars(text, p, -1);
  return n;
}

/**
 * Moves offsets past leading/trailing spaces of byte-level tokens (the reference's process_offsets). The
 * reference counts in characters, so the shifts step over whole code points of the input.
 */
function trimOffsets(e: RawEncoding, addPrefixSpace: boolean): void {
  const { tokens, offsets } = e;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.length === 0 || (!isTrimSpace(token.codePointAt(0)!) && !isTrimSpace(lastCodePoint(token)))) continue;
    let leading = 0;
    for (let k = 0; k < token.length; ) {
      const cp = token.codePointAt(k)!;
      if (!isTrimSpace(cp)) break;
      leading++;
      k += cp > 0xffff ? 2 : 1;
    }
    let trailing = 0;
    for (let k = token.length; k > 0; ) {
      const cp = lastCodePoint(token.slice(0, k));
      if (!isTrimSpace(cp)) break;
      trailing++;
      k -= cp > 0xffff ? 2 : 1;
    }
    let start = offsets[2 * i]!;
    let end = offsets[2 * i + 1]!;
    if (leading > 0) {
      const isFirst = i === 0 || start === 0;
      if (isFirst && addPrefixSpace && leading === 1) leading = 0;
      start = Math.min(moveChars(e.text, start, leading), end);
    }
    if (trailing > 0 && charsBefore(e.text, end, trailing) >= trailing) end = Math.max(moveChars(e.text, end, -trailing), start);
    offsets[2 * i] = start;
    offsets[2 * i + 1] = end;
  }
}

/** The byte-level space (Ġ) or any White_Space character. */
function isTrimSpace(cp: number): boolean {
  return cp === SPACE_CHAR || isWhitespace(cp);
}

function lastCodePoint(s: string): number {
  const u = s.charCodeAt(s.length - 1);
  return (u & 0xfc00) === 0xdc00 && s.length >= 2 ? s.codePointAt(s.length - 2)! : u;
}

/** Wraps an encoding in special tokens: `before` ids/tokens, the sequence, `after` (offsets 0, mask 1). */
function surround(
  e: RawEncoding,
  before: [string, number][],
  after: [string, number][],
  typeIdFor: (part: 'before' | 'seq' | 'after') => number | null,
  seqId: number,
): RawEncoding {
  const out = new RawEncoding();
  const add = (list: [string, number][], part: 'before' | 'after') => {
    for (const [tok, id] of list) {
      out.ids.push(id);
      out.tokens.push(tok);
      out.typeIds.push(typeIdFor(part)!);
      out.words.push(null);
      out.offsets.push(0, 0);
      out.specialTokensMask.push(1);
      out.attentionMask.push(1);
    }
  };
  add(before, 'before');
  const seqType = typeIdFor('seq');
  out.ids.push(...e.ids);
  out.tokens.push(...e.tokens);
  out.typeIds.push(...(seqType === null ? e.typeIds : e.ids.map(() => seqType)));
  out.words.push(...e.words);
  out.offsets.push(...e.offsets);
  for (let i = 0; i < e.length; i++) out.specialTokensMask.push(0);
  for (let i = 0; i < e.length; i++) out.attentionMask.push(1);
  add(after, 'after');
  out.sequenceRanges.set(seqId, [before.length, before.length + e.length]);
  return out;
}

/** BertProcessing / RobertaProcessing: [CLS] A [SEP] (B [SEP] | [SEP] B [SEP]). */
class ClsSep implements PostProcessor {
  constructor(
    private readonly json: Record<string, unknown>,
    private readonly cls: [string, number],
    private readonly sep: [string, number],
    private readonly roberta: { trimOffsets: boolean; addPrefixSpace: boolean } | null,
  ) {}
  addedTokens(isPair: boolean): number {
    return isPair ? (this.roberta ? 4 : 3) : 2;
  }
  processEncodings(encodings: RawEncoding[], addSpecialTokens: boolean): RawEncoding[] {
    const r = this.roberta;
    if (r) {
      if (r.trimOffsets) {
        for (const e of encodings) {
          trimOffsets(e, r.addPrefixSpace);
          for (const o of e.overflowing) trimOffsets(o, r.addPrefixSpace);
        }
      }
      for (const e of encodings) e.setTypeIds(0);
    }
    if (!addSpecialTokens) return encodings;
    return encodings.map((e, i) => {
      const wrap = (x: RawEncoding): RawEncoding => {
        if (i === 0) return surround(x, [this.cls], [this.sep], (p) => (p === 'seq' ? (r ? 0 : null) : 0), 0);
        if (r) return surround(x, [this.sep], [this.sep], () => 0, 1);
        return surround(x, [], [this.sep], (p) => (p === 'seq' ? null : 1), 1);
      };
      const main = wrap(e);
      main.overflowing = e.overflowing.map(wrap);
      return main;
    });
  }
  toJSON() {
    return this.json;
  }
}

class ByteLevelProcessor implements PostProcessor {
  constructor(private readonly json: { trim_offsets: boolean; add_prefix_space: boolean } & Record<string, unknown>) {}
  addedTokens(): number {
    return 0;
  }
  processEncodings(encodings: RawEncoding[]): RawEncoding[] {
    if (this.json.trim_offsets) {
      for (const e of encodings) {
        trimOffsets(e, this.json.add_prefix_space);
        for (const o of e.overflowing) trimOffsets(o, this.json.add_prefix_space);
      }
    }
    encodings.forEach((e, i) => e.setSequenceId(i));
    return encodings;
  }
  toJSON() {
    return this.json;
  }
}

type Piece = { seq: 0 | 1; typeId: number } | { special: string; typeId: number };

/** Parses a template given as pieces or as the string form "[CLS]:0 $A:0 [SEP]:0". */
function parseTemplate(t: TemplatePieceJson[] | string, w: Where): Piece[] {
  if (typeof t !== 'string') {
    return t.map((p) =>
      'Sequence' in p
        ? { seq: p.Sequence.id === 'A' ? 0 : 1, typeId: p.Sequence.type_id }
        : { special: p.SpecialToken.id, typeId: p.SpecialToken.type_id },
    );
  }
  return t.split(' ').map((part): Piece => {
    const bits = part.split(':');
    const typeId = bits.length === 2 ? Number(bits[1]) : 0;
    if (bits.length > 2 || !Number.isInteger(typeId) || typeId < 0) {
      return badField(w, part, 'a template piece like "$A:0" or "[CLS]:0"', 'fix the template string');
    }
    const id = bits[0]!;
    if (!id.startsWith('$')) return { special: id, typeId };
    const rest = id.slice(1);
    if (rest === '' || rest === 'A' || rest === 'a') return { seq: 0, typeId };
    if (rest === 'B' || rest === 'b') return { seq: 1, typeId };
    const n = Number(rest);
    if (Number.isInteger(n) && n >= 0 && bits.length === 1) return { seq: 0, typeId: n };
    return badField(w, part, 'a sequence piece $A, $B or $<type id>', 'fix the template string');
  });
}

class Template implements PostProcessor {
  private readonly single: Piece[];
  private readonly pair: Piece[];
  private readonly specials: Map<string, { ids: number[]; tokens: string[] }>;
  constructor(single: Piece[], pair: Piece[], specials: Map<string, { ids: number[]; tokens: string[] }>) {
    this.single = single;
    this.pair = pair;
    this.specials = specials;
  }
  private count(t: Piece[]): number {
    let n = 0;
    for (const p of t) if ('special' in p) n += this.specials.get(p.special)?.ids.length ?? 0;
    return n;
  }
  addedTokens(isPair: boolean): number {
    return this.count(isPair ? this.pair : this.single);
  }
  processEncodings(encodings: RawEncoding[], addSpecialTokens: boolean): RawEncoding[] {
    const template = encodings.length === 2 ? this.pair : this.single;
    const out: RawEncoding[] = [];
    for (const p of template) {
      if ('seq' in p) {
        const e = encodings[p.seq]!;
        e.setTypeIds(p.typeId);
        e.setSequenceId(p.seq);
        out.push(e.clone());
      } else if (addSpecialTokens) {
        const sp = this.specials.get(p.special)!;
        const n = sp.ids.length;
        out.push(
          new RawEncoding(
            sp.ids.slice(),
            new Array<number>(n).fill(p.typeId),
            sp.tokens.slice(),
            new Array<number | null>(n).fill(null),
            new Array<number>(2 * n).fill(0),
            new Array<number>(n).fill(1),
            new Array<number>(n).fill(1),
          ),
        );
      }
    }
    return out;
  }
  toJSON() {
    // Always the piece-array form: the reference reads templates only as arrays.
    const pieces = (t: Piece[]) =>
      t.map((p) =>
        'seq' in p
          ? { Sequence: { id: p.seq === 0 ? 'A' : 'B', type_id: p.typeId } }
          : { SpecialToken: { id: p.special, type_id: p.typeId } },
      );
    const special_tokens: Record<string, { id: string; ids: number[]; tokens: string[] }> = {};
    for (const [k, v] of [...this.specials].sort((a, b) => (a[0] < b[0] ? -1 : 1))) special_tokens[k] = { id: k, ...v };
    return { type: 'TemplateProcessing', single: pieces(this.single), pair: pieces(this.pair), special_tokens };
  }
}

class Sequence implements PostProcessor {
  constructor(private readonly items: PostProcessor[]) {}
  addedTokens(isPair: boolean): number {
    return this.items.reduce((n, p) => n + p.addedTokens(isPair), 0);
  }
  processEncodings(encodings: RawEncoding[], addSpecialTokens: boolean): RawEncoding[] {
    let e = encodings;
    for (const p of this.items) e = p.processEncodings(e, addSpecialTokens);
    return e;
  }
  toJSON() {
    return { type: 'Sequence', processors: this.items.map((p) => p.toJSON()) };
  }
}

/** Post-processor types this implementation provides. */
export const POST_PROCESSOR_TYPES = Object.keys(postProcessorSchemas) as readonly string[];

/** Builds a post-processor from its tokenizer.json form (validated; errors name the file and field). */
export function postProcessorFromJSON(raw: unknown, w: Where): PostProcessor {
  const type = componentType(raw, w, 'post-processor');
  switch (type) {
    case 'RobertaProcessing': {
      const c = parse(postProcessorSchemas.RobertaProcessing, raw, w);
      return new ClsSep({ ...c }, c.cls, c.sep, { trimOffsets: c.trim_offsets, addPrefixSpace: c.add_prefix_space });
    }
    case 'BertProcessing': {
      const c = parse(postProcessorSchemas.BertProcessing, raw, w);
      return new ClsSep({ ...c }, c.cls, c.sep, null);
    }
    case 'ByteLevel':
      return new ByteLevelProcessor({ ...parse(postProcessorSchemas.ByteLevel, raw, w) });
    case 'TemplateProcessing': {
      const c = parse(postProcessorSchemas.TemplateProcessing, raw, w);
      const specials = new Map(Object.entries(c.special_tokens).map(([k, v]) => [k, { ids: v.ids, tokens: v.tokens }]));
      for (const [k, v] of Object.entries(c.special_tokens)) {
        if (v.ids.length !== v.tokens.length) {
          badField(at(w, 'special_tokens', k), v, 'as many ids as tokens', 'list one id per token');
        }
      }
      const single = parseTemplate(c.single, at(w, 'single'));
      const pair = parseTemplate(c.pair, at(w, 'pair'));
      for (const [name, t] of [
        ['single', single],
        ['pair', pair],
      ] as const) {
        for (const p of t) {
          if ('special' in p && !specials.has(p.special)) {
            badField(at(w, name), p.special, 'a token listed in special_tokens', `add "${p.special}" to special_tokens`);
          }
        }
      }
      if (!pair.some((p) => 'seq' in p && p.seq === 0) || !pair.some((p) => 'seq' in p && p.seq === 1)) {
        badField(at(w, 'pair'), c.pair, 'a template that uses both $A and $B', 'add the missing sequence to the pair template');
      }
      return new Template(single, pair, specials);
    }
    case 'Sequence': {
      const c = parse(postProcessorSchemas.Sequence, raw, w);
      return new Sequence(c.processors.map((x, i) => postProcessorFromJSON(x, at(w, 'processors', i))));
    }
    default:
      return unsupported(w, 'post-processor', type, POST_PROCESSOR_TYPES);
  }
}
