// Character classes and per-character mappings as the reference tokenizers see them. Category tables come from
// unicode-tables.ts (probed from the reference, whose Unicode data is older than the runtime's); normalization
// uses the runtime's tables, one code point at a time and cached.
import {
  BERT_PUNCTUATION,
  BERT_REMOVED,
  COMBINING_CLASSES,
  COMBINING_MARKS,
  LOWERCASE_MULTI,
  LOWERCASE_RUNS,
  NONSPACING_MARKS,
} from './unicode-tables.js';

/** Inclusive [start, end] code point ranges, flattened and sorted. */
type Ranges = Uint32Array;

function parseRanges(encoded: string): Ranges {
  if (encoded === '') return new Uint32Array(0);
  const parts = encoded.split(',');
  const out = new Uint32Array(parts.length * 2);
  let last = 0;
  parts.forEach((p, i) => {
    const [gap, len] = p.split('.') as [string, string];
    const start = last + Number.parseInt(gap, 16);
    last = start + Number.parseInt(len, 16);
    out[2 * i] = start;
    out[2 * i + 1] = last;
  });
  return out;
}

function inRanges(r: Ranges, cp: number): boolean {
  let lo = 0;
  let hi = r.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < r[2 * mid]!) hi = mid - 1;
    else if (cp > r[2 * mid + 1]!) lo = mid + 1;
    else return true;
  }
  return false;
}

/** A predicate over code points backed by a range table, with a lookup array for the first 256 code points. */
function classOf(encoded: string): (cp: number) => boolean {
  const ranges = parseRanges(encoded);
  const low = new Uint8Array(256);
  for (let cp = 0; cp < 256; cp++) low[cp] = inRanges(ranges, cp) ? 1 : 0;
  return (cp) => (cp < 256 ? low[cp] === 1 : inRanges(ranges, cp));
}

const removed = classOf(BERT_REMOVED);
/** BertNormalizer clean_text drops these: NUL, U+FFFD, controls except \t\n\r, format and private-use characters. */
export function isBertRemoved(cp: number): boolean {
  return (cp >= 0xd800 && cp <= 0xdfff) || removed(cp);
}

/** Punctuation as BertPreTokenizer / Punctuation split it. */
export const isBertPunctuation = classOf(BERT_PUNCTUATION);
/** Non-spacing marks (Mn), dropped by BertNormalizer's strip_accents. */
export const isNonspacingMark = classOf(NONSPACING_MARKS);
/** Combining marks (M*), dropped by the StripAccents normalizer. */
export const isCombiningMark = classOf(COMBINING_MARKS);

/** Unicode White_Space (Rust's char::is_whitespace, the regex \s of the reference). */
export function isWhitespace(cp: number): boolean {
  if (cp < 0x80) return cp === 0x20 || (cp >= 0x09 && cp <= 0x0d);
  return (
    cp === 0x85 ||
    cp === 0xa0 ||
    cp === 0x1680 ||
    (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0x202f ||
    cp === 0x205f ||
    cp === 0x3000
  );
}

/** The CJK ideograph blocks BertNormalizer surrounds with spaces. */
export function isChineseChar(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b920 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

const NUMERIC = /\p{N}/u;
/** Rust's char::is_numeric (Nd, Nl, No), used by the Digits pre-tokenizer. */
export function isNumeric(cp: number): boolean {
  if (cp < 0x80) return cp >= 0x30 && cp <= 0x39;
  return NUMERIC.test(String.fromCodePoint(cp));
}

let cccTable: Map<number, number> | undefined;
/** Canonical combining class (0 for starters). */
export function combiningClass(cp: number): number {
  if (cp < 0x300) return 0;
  if (cccTable === undefined) {
    cccTable = new Map();
    for (const group of COMBINING_CLASSES.split(';')) {
      const [cls, ranges] = group.split(':') as [string, string];
      const r = parseRanges(ranges);
      for (let i = 0; i < r.length; i += 2) for (let c = r[i]!; c <= r[i + 1]!; c++) cccTable.set(c, Number(cls));
    }
  }
  return cccTable.get(cp) ?? 0;
}

let lowerTable: Map<number, number[]> | undefined;
/** Rust's char::to_lowercase (the reference's Unicode tables): the code points cp lowercases to, or null. */
export function lowercaseOf(cp: number): number[] | null {
  if (cp < 0x80) return cp >= 0x41 && cp <= 0x5a ? [cp + 32] : null;
  if (lowerTable === undefined) {
    lowerTable = new Map();
    for (const run of LOWERCASE_RUNS.split(',')) {
      const [start, count, step, delta] = run.split('.').map((x) => Number.parseInt(x, 16)) as [number, number, number, number];
      for (let k = 0; k < count; k++) lowerTable.set(start + k * step, [start + k * step + delta]);
    }
    for (const m of LOWERCASE_MULTI.split(',')) {
      const [from, to] = m.split('=') as [string, string];
      lowerTable.set(
        Number.parseInt(from, 16),
        to.split(' ').map((x) => Number.parseInt(x, 16)),
      );
    }
  }
  return lowerTable.get(cp) ?? null;
}

const decompCache = [new Map<number, number[] | null>(), new Map<number, number[] | null>()];
/** Full canonical (or compatibility) decomposition of one code point, or null when it does not decompose. */
export function decompose(cp: number, compat: boolean): number[] | null {
  if (cp < 0xa0) return null;
  const cache = decompCache[compat ? 1 : 0]!;
  let r = cache.get(cp);
  if (r === undefined) {
    const s = String.fromCodePoint(cp);
    const d = s.normalize(compat ? 'NFKD' : 'NFD');
    r = d === s ? null : codePoints(d);
    cache.set(cp, r);
  }
  return r;
}

const composeCache = new Map<number, number>();
/**
 * The primary composite of a starter and the following character, or -1. A pair composes when NFC joins it
 * into one character whose canonical decomposition is the starter's followed by the second character.
 */
export function compose(a: number, b: number): number {
  const key = a * 0x110000 + b;
  let r = composeCache.get(key);
  if (r === undefined) {
    r = -1;
    const sa = String.fromCodePoint(a);
    const sb = String.fromCodePoint(b);
    const c = (sa + sb).normalize('NFC');
    const cp = c.codePointAt(0)!;
    if (c.length === (cp > 0xffff ? 2 : 1) && c.normalize('NFD') === sa.normalize('NFD') + sb) r = cp;
    composeCache.set(key, r);
  }
  return r;
}

/** The code points of a string (lone surrogates count as one code point each). */
function codePoints(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; ) {
    const cp = s.codePointAt(i)!;
    out.push(cp);
    i += cp > 0xffff ? 2 : 1;
  }
  return out;
}

/** True when every UTF-16 unit of s is below 0x80. */
export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

const WORD = /[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]/u;
/** The regex \w of the reference (Unicode word characters). */
export function isWordChar(cp: number): boolean {
  if (cp < 0x80) return (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) || cp === 0x5f;
  return WORD.test(String.fromCodePoint(cp));
}
