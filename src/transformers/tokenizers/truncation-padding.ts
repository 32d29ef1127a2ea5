// Truncation (with stride / overflowing windows) and padding of encodings, with the reference's strategies.
import type { RawEncoding } from './encoding.js';
import { TokenizerError } from './errors.js';
import type { PaddingJson, TruncationJson } from './schema.js';

/** How to cut inputs that are too long. */
export interface TruncationOptions {
  /** Maximum number of tokens, special tokens included. */
  maxLength: number;
  /** Which sequence of a pair loses tokens: the longer one first (default), only the first, only the second. */
  strategy?: 'longest_first' | 'only_first' | 'only_second';
  /** Tokens shared by consecutive overflowing windows (default 0). */
  stride?: number;
  /** Cut at the end (default) or at the start. */
  direction?: 'right' | 'left';
}

/** How to pad a batch to a common length. */
export interface PaddingOptions {
  /** Pad to the longest encoding of the batch (default) or to `maxLength`. */
  strategy?: 'longest' | 'max_length';
  /** Target length for strategy 'max_length'. */
  maxLength?: number;
  /** Round the target length up to a multiple of this. */
  padToMultipleOf?: number;
  /** Pad on the right (default) or on the left. */
  side?: 'right' | 'left';
  /** Id of the padding token (default: the tokenizer's pad token). */
  padId?: number;
  /** Text of the padding token (default: the tokenizer's pad token). */
  padToken?: string;
  /** Type id of padding (default 0). */
  padTypeId?: number;
}

/** Truncation options with every field set. */
export type Truncation = Required<TruncationOptions>;
/** Padding options with every field resolved. */
export interface Padding {
  strategy: 'longest' | 'max_length';
  maxLength: number | null;
  padToMultipleOf: number | null;
  side: 'right' | 'left';
  padId: number;
  padToken: string;
  padTypeId: number;
}

/** Fills truncation defaults and checks the values. */
export function resolveTruncation(t: TruncationOptions): Truncation {
  const r: Truncation = {
    maxLength: t.maxLength,
    strategy: t.strategy ?? 'longest_first',
    stride: t.stride ?? 0,
    direction: t.direction ?? 'right',
  };
  if (!Number.isInteger(r.maxLength) || r.maxLength < 0) {
    throw new TokenizerError('TOKENIZER_INPUT', `truncation.maxLength is ${t.maxLength}, expected a non-negative integer`);
  }
  if (!Number.isInteger(r.stride) || r.stride < 0) {
    throw new TokenizerError('TOKENIZER_INPUT', `truncation.stride is ${t.stride}, expected a non-negative integer`);
  }
  return r;
}

/** Truncation settings of tokenizer.json in option form. */
export function truncationFromJSON(j: TruncationJson): Truncation {
  const strategy = { LongestFirst: 'longest_first', OnlyFirst: 'only_first', OnlySecond: 'only_second' } as const;
  return {
    maxLength: j.max_length,
    strategy: strategy[j.strategy],
    stride: j.stride,
    direction: j.direction === 'Left' ? 'left' : 'right',
  };
}

/** Truncation settings in tokenizer.json form. */
export function truncationToJSON(t: Truncation): TruncationJson {
  const strategy = { longest_first: 'LongestFirst', only_first: 'OnlyFirst', only_second: 'OnlySecond' } as const;
  return {
    direction: t.direction === 'left' ? 'Left' : 'Right',
    max_length: t.maxLength,
    strategy: strategy[t.strategy],
    stride: t.stride,
  };
}

/** Padding settings of tokenizer.json in option form. */
export function paddingFromJSON(j: PaddingJson): Padding {
  const fixed = typeof j.strategy === 'object' ? j.strategy.Fixed : null;
  return {
    strategy: fixed === null ? 'longest' : 'max_length',
    maxLength: fixed,
    padToMultipleOf: j.pad_to_multiple_of,
    side: j.direction === 'Left' ? 'left' : 'right',
    padId: j.pad_id,
    padToken: j.pad_token,
    padTypeId: j.pad_type_id,
  };
}

/** Padding settings in tokenizer.json form. */
export function paddingToJSON(p: Padding): PaddingJson {
  return {
    strategy: p.strategy === 'max_length' && p.maxLength !== null ? { Fixed: p.maxLength } : 'BatchLongest',
    direction: p.side === 'left' ? 'Left' : 'Right',
    pad_to_multiple_of: p.padToMultipleOf,
    pad_id: p.padId,
    pad_type_id: p.padTypeId,
    pad_token: p.padToken,
  };
}

function tooShort(why: string): never {
  throw new TokenizerError('TOKENIZER_INPUT', `truncation cannot be satisfied: ${why}`);
}

/** Truncates one sequence or a pair to `t.maxLength` tokens in total (special tokens already budgeted). */
export function truncateEncodings(a: RawEncoding, b: RawEncoding | null, t: Truncation): void {
  const cut = (e: RawEncoding, n: number): void => {
    try {
      e.truncate(n, t.stride, t.direction);
    } catch (err) {
      tooShort((err as Error).message);
    }
  };
  if (t.maxLength === 0) {
    cut(a, 0);
    if (b) cut(b, 0);
    return;
  }
  const total = a.length + (b?.length ?? 0);
  if (total <= t.maxLength) return;
  const toRemove = total - t.maxLength;
  if (t.strategy === 'longest_first') {
    if (b === null) {
      cut(a, total - toRemove);
      return;
    }
    let n1 = a.length;
    let n2 = b.length;
    const swap = n1 > n2;
    if (swap) [n1, n2] = [n2, n1];
    n2 = n1 > t.maxLength ? n1 : Math.max(n1, t.maxLength - n1);
    if (n1 + n2 > t.maxLength) {
      n1 = Math.floor(t.maxLength / 2);
      n2 = n1 + (t.maxLength % 2);
    }
    if (swap) [n1, n2] = [n2, n1];
    cut(a, n1);
    cut(b, n2);
    return;
  }
  const target = t.strategy === 'only_first' ? a : (b ?? tooShort('strategy only_second needs a pair of sequences'));
  if (target.length > toRemove) cut(target, target.length - toRemove);
  else tooShort(`the ${t.strategy === 'only_first' ? 'first' : 'second'} sequence is too short to remove ${toRemove} tokens`);
}

/** Pads every encoding of a batch to the same length. */
export function padEncodings(list: RawEncoding[], p: Padding): void {
  if (list.length === 0) return;
  let len = 0;
  if (p.strategy === 'max_length' && p.maxLength !== null) len = p.maxLength;
  else for (const e of list) len = Math.max(len, e.length);
  const m = p.padToMultipleOf;
  if (m !== null && m > 0 && len % m > 0) len += m - (len % m);
  for (const e of list) e.pad(len, p.padId, p.padTypeId, p.padToken, p.side);
}
