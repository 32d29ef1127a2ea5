// Test helpers for the tokenizer goldens (not part of the public API): build a golden's tokenizer from its spec
// and put reference encodings (offsets in code points) and ours (UTF-16 units) side by side.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Encoding } from './encoding.js';
import { Tokenizer } from './tokenizer.js';

/** The fixtures directory. */
export const FIXTURES = new URL('./__fixtures__/', import.meta.url).pathname;
/** The goldens directory. */
export const GOLDENS = join(FIXTURES, 'goldens');

/** An encoding as the Python reference reports it. */
export interface RefEncoding {
  ids: number[];
  tokens: string[];
  offsets: [number, number][];
  type_ids: number[];
  attention_mask: number[];
  special_tokens_mask: number[];
  word_ids: (number | null)[];
  sequence_ids: (number | null)[];
  overflowing: RefEncoding[];
}

/** One encode() golden. */
export interface RefCase extends RefEncoding {
  input: string | [string, string];
  add_special_tokens: boolean;
  decoded: string;
  decoded_skip: string;
}

/** One encode_batch() golden (with truncation / padding), or the error the reference raised. */
export interface RefBatch {
  inputs: (string | [string, string])[];
  truncation: { max_length: number; stride: number; strategy: string; direction: string } | null;
  padding: {
    direction: string;
    pad_id: number;
    pad_type_id: number;
    pad_token: string;
    length: number | null;
    pad_to_multiple_of: number | null;
  } | null;
  add_special_tokens: boolean;
  encodings?: RefEncoding[];
  error?: string;
}

/** An added token of a golden spec. */
export interface RefAdded {
  content: string;
  special: boolean;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
}

/** A golden file for one tokenizer spec. */
export interface Golden {
  name: string;
  base: string;
  patch: Record<string, unknown>;
  model_patch: Record<string, unknown> | null;
  model_vocab_bytes: number;
  merges_as_pairs: boolean;
  added: RefAdded[];
  vocab_size: number;
  model_vocab_size: number;
  token_to_id: Record<string, number | null>;
  cases: RefCase[];
  long: {
    input: string;
    length: number;
    sha256: string;
    head: { ids: number[]; tokens: string[]; offsets: [number, number][] };
  } | null;
  batches: RefBatch[];
}

/** Reads a JSON golden. */
export function readGolden<T = Golden>(name: string): T {
  return JSON.parse(readFileSync(join(GOLDENS, `${name}.json`), 'utf8')) as T;
}

/** The tokenizer.json content of a golden's spec (base file plus patches), before added tokens. */
export function specJSON(g: Golden): Record<string, unknown> {
  const obj = JSON.parse(readFileSync(join(FIXTURES, g.base), 'utf8')) as Record<string, unknown>;
  obj.truncation = null;
  obj.padding = null;
  Object.assign(obj, g.patch);
  const model = obj.model as Record<string, unknown>;
  if (g.model_patch) Object.assign(model, g.model_patch);
  if (g.model_vocab_bytes > 0) {
    const pieces = Array.from({ length: g.model_vocab_bytes }, (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    if (Array.isArray(model.vocab)) for (const p of pieces) (model.vocab as [string, number][]).push([p, 0]);
    else {
      const v = model.vocab as Record<string, number>;
      const n = Object.keys(v).length;
      pieces.forEach((p, i) => {
        v[p] = n + i;
      });
    }
  }
  if (g.merges_as_pairs) model.merges = (model.merges as string[]).map((m) => m.split(' '));
  return obj;
}

/** Builds the tokenizer a golden describes. */
export function goldenTokenizer(g: Golden): Tokenizer {
  const t = Tokenizer.fromJSON(specJSON(g), { file: g.base });
  for (const a of g.added) {
    const tok = {
      content: a.content,
      special: a.special,
      singleWord: a.single_word,
      lstrip: a.lstrip,
      rstrip: a.rstrip,
      normalized: a.normalized,
    };
    if (a.special) t.addSpecialTokens([tok]);
    else t.addTokens([tok]);
  }
  return t;
}

/** Map from code point index to UTF-16 index of a string (one entry past the end). */
export function cpToUnit(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; ) {
    out.push(i);
    const cp = s.codePointAt(i)!;
    i += cp > 0xffff ? 2 : 1;
  }
  out.push(s.length);
  return out;
}

/** Map from UTF-16 index to code point index (the index of the code point a unit belongs to; end included). */
export function unitToCp(s: string): number[] {
  const out: number[] = [];
  let cp = 0;
  for (let i = 0; i < s.length; ) {
    const c = s.codePointAt(i)!;
    out.push(cp);
    if (c > 0xffff) out.push(cp);
    i += c > 0xffff ? 2 : 1;
    cp++;
  }
  out.push(cp);
  return out;
}

/** Converts a reference encoding's offsets (code points) to UTF-16 units of the inputs. */
export function refToOurs(
  e: RefEncoding,
  first: string,
  pair: string | null,
): Omit<Encoding, 'overflowing'> & { overflowing: unknown[] } {
  const maps = [cpToUnit(first), pair === null ? [] : cpToUnit(pair)];
  const offsets = e.offsets.map(([a, b], i): [number, number] => {
    const m = maps[e.sequence_ids[i] === 1 ? 1 : 0]!;
    return [m[a] ?? a, m[b] ?? b];
  });
  return {
    ids: e.ids,
    tokens: e.tokens,
    offsets,
    typeIds: e.type_ids,
    attentionMask: e.attention_mask,
    specialTokensMask: e.special_tokens_mask,
    wordIds: e.word_ids,
    sequenceIds: e.sequence_ids,
    overflowing: e.overflowing.map((o) => refToOurs(o, first, pair)),
  };
}

/** Our encoding with offsets converted to code points (the reference's unit), for digests. */
export function oursToCodePoints(e: Encoding, first: string, pair: string | null): [number, number][] {
  const maps = [unitToCp(first), pair === null ? [] : unitToCp(pair)];
  return e.offsets.map(([a, b], i) => {
    const m = maps[e.sequenceIds[i] === 1 ? 1 : 0]!;
    return [m[a] ?? a, m[b] ?? b];
  });
}

function strip(e: Encoding): unknown {
  return { ...e, overflowing: e.overflowing.map(strip) };
}

/** Field-by-field differences between our encoding of a golden case and the reference's (empty when equal). */
export function diffCase(t: Tokenizer, c: RefCase): string[] {
  const [a, b] = typeof c.input === 'string' ? [c.input, null] : c.input;
  const ours = t.encode(a, b, { addSpecialTokens: c.add_special_tokens }) as unknown as Record<string, unknown>;
  const ref = refToOurs(c, a, b) as unknown as Record<string, unknown>;
  const out: string[] = [];
  const label = JSON.stringify(c.input).slice(0, 60);
  const stripped = strip(ours as unknown as Encoding) as Record<string, unknown>;
  for (const k of Object.keys(ref)) {
    const x = JSON.stringify(stripped[k]);
    const y = JSON.stringify(ref[k]);
    if (x !== y) out.push(`${label} ${k}: ours ${x.slice(0, 300)} / reference ${y.slice(0, 300)}`);
  }
  const ids = (ours as unknown as Encoding).ids;
  const d = t.decode(ids);
  if (d !== c.decoded) out.push(`${label} decode: ours ${JSON.stringify(d)} / reference ${JSON.stringify(c.decoded)}`);
  const ds = t.decode(ids, { skipSpecialTokens: true });
  if (ds !== c.decoded_skip)
    out.push(`${label} decode(skip): ours ${JSON.stringify(ds)} / reference ${JSON.stringify(c.decoded_skip)}`);
  return out;
}

/** Our encoding in the comparable form (overflowing included). */
export function comparable(e: Encoding): unknown {
  return strip(e);
}
