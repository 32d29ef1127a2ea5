// A string being normalized, with an alignment for every UTF-16 unit back to the original input, so that token
// offsets point into the text the caller passed. Mirrors the reference's NormalizedString, including how it
// aligns inserted, replaced and removed characters (its alignments are per byte; ours are per UTF-16 unit and
// absolute, i.e. already shifted to the whole input).
import { fail } from './errors.js';

/** How a split pattern's matches are kept (names as in tokenizer.json). */
export type SplitBehavior = 'Removed' | 'Isolated' | 'MergedWithPrevious' | 'MergedWithNext' | 'Contiguous';

/** Matches over a string as flat [start, end, isMatch(0|1)] triples in UTF-16 units, covering the whole string. */
export type MatchList = number[];

/** Finds the pieces of a string that match (used by split and replace). */
export interface Pattern {
  findMatches(s: string): MatchList;
}

/** New characters of a transform with their change: 1 inserted, 0 replaces one, -n replaces one and removes n. */
export class Changes {
  readonly cps: number[] = [];
  readonly changes: number[] = [];
  /** Appends one new character. */
  push(cp: number, change: number): void {
    this.cps.push(cp);
    this.changes.push(change);
  }
  /** The number of new characters. */
  get length(): number {
    return this.cps.length;
  }
}

const CHUNK = 8192;
/** Builds a string from UTF-16 units without per-character concatenation. */
function unitsToString(units: Uint16Array, n: number): string {
  if (n <= CHUNK) return String.fromCharCode.apply(null, units.subarray(0, n) as unknown as number[]);
  let s = '';
  for (let i = 0; i < n; i += CHUNK) {
    s += String.fromCharCode.apply(null, units.subarray(i, Math.min(n, i + CHUNK)) as unknown as number[]);
  }
  return s;
}

/** A normalized string with per-unit alignments (absolute [start, end) pairs into the original input). */
export class NormalizedString {
  constructor(
    /** The normalized text. */
    public normalized: string,
    /** Two entries per UTF-16 unit of `normalized` (from `base` on): start and end of its original span. */
    public align: Int32Array,
    /** Start of this piece's original span in the whole input (the reference's original_shift). */
    public originalStart: number,
    /** End of this piece's original span in the whole input. */
    public originalEnd: number,
    /** Index of this string's first unit in `align` (slices share their parent's alignments). */
    public base = 0,
  ) {}

  /** A fresh string aligned one-to-one with the input (characters map to their own span). */
  static from(text: string): NormalizedString {
    const n = text.length;
    const align = new Int32Array(2 * n);
    for (let i = 0; i < n; i++) {
      const u = text.charCodeAt(i);
      if (u >= 0xd800 && u < 0xdc00 && i + 1 < n) {
        const v = text.charCodeAt(i + 1);
        if (v >= 0xdc00 && v < 0xe000) {
          align[2 * i] = i;
          align[2 * i + 1] = i + 2;
          align[2 * i + 2] = i;
          align[2 * i + 3] = i + 2;
          i++;
          continue;
        }
      }
      align[2 * i] = i;
      align[2 * i + 1] = i + 1;
    }
    return new NormalizedString(text, align, 0, n);
  }

  /** Length of the normalized text in UTF-16 units. */
  get length(): number {
    return this.normalized.length;
  }

  /** Length of the original span. */
  get originalLength(): number {
    return this.originalEnd - this.originalStart;
  }

  /** Original span of the normalized range [start, end), the reference's convert_offsets(Normalized). */
  originalRange(start: number, end: number): [number, number] | null {
    if (start === end) return [this.originalStart + start, this.originalStart + end];
    if (start > end || end > this.normalized.length) return null;
    return [this.align[2 * (this.base + start)]!, this.align[2 * (this.base + end) - 1]!];
  }

  /** The normalized range that covers the whole original span (the reference skips leading zero-width units). */
  private fullRange(): [number, number] {
    const n = this.normalized.length;
    const b = this.base;
    for (let i = 0; i < n; i++) if (this.align[2 * (b + i)] !== this.align[2 * (b + i) + 1]) return [i, n];
    return [n, n];
  }

  /** Replaces the normalized text by `dest` (see Changes), recomputing alignments like the reference. */
  transform(dest: Changes, initialOffset: number): void {
    const [s, e] = this.fullRange();
    this.transformRange(s, e, dest, initialOffset);
  }

  /** Replaces the normalized range [start, end) by `dest`; `initialOffset` characters are removed before it. */
  transformRange(start: number, end: number, dest: Changes, initialOffset: number): void {
    const old = this.normalized;
    const base = this.base;
    const oldAlign = this.align.subarray(2 * base, 2 * (base + old.length));
    const oldLen = old.length;
    let rpos = start; // next replaced character in the old text
    const next = (): number => {
      if (rpos >= end) return 0;
      const u = old.charCodeAt(rpos);
      const size = u >= 0xd800 && u < 0xdc00 && rpos + 1 < end && (old.charCodeAt(rpos + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
      rpos += size;
      return size;
    };
    for (let k = 0; k < initialOffset; k++) next();
    let offset = rpos;
    const { cps, changes } = dest;
    let units = 0;
    for (let j = 0; j < cps.length; j++) units += cps[j]! > 0xffff ? 2 : 1;
    const buf = new Uint16Array(units);
    const align = new Int32Array(2 * (oldLen - (end - start) + units));
    align.set(oldAlign.subarray(0, 2 * start), 0);
    let w = start;
    let bw = 0;
    for (let j = 0; j < cps.length; j++) {
      const cp = cps[j]!;
      const change = changes[j]!;
      let a0: number;
      let a1: number;
      if (change > 0) {
        if (offset < 1) {
          a0 = this.originalStart;
          a1 = this.originalStart;
        } else {
          a0 = oldAlign[2 * (offset - 1)]!;
          a1 = oldAlign[2 * (offset - 1) + 1]!;
        }
      } else {
        // The reference panics past the end; clamp to the last unit instead.
        const idx = Math.min(offset, oldLen - 1);
        a0 = idx >= 0 ? oldAlign[2 * idx]! : this.originalStart;
        a1 = idx >= 0 ? oldAlign[2 * idx + 1]! : this.originalStart;
      }
      let consumed = change <= 0 ? next() : 0;
      for (let r = change; r < 0; r++) consumed += next();
      offset += consumed;
      if (cp > 0xffff) {
        const v = cp - 0x10000;
        buf[bw++] = 0xd800 + (v >> 10);
        buf[bw++] = 0xdc00 + (v & 0x3ff);
        align[2 * w] = a0;
        align[2 * w + 1] = a1;
        align[2 * w + 2] = a0;
        align[2 * w + 3] = a1;
        w += 2;
      } else {
        buf[bw++] = cp;
        align[2 * w] = a0;
        align[2 * w + 1] = a1;
        w += 1;
      }
    }
    align.set(oldAlign.subarray(2 * end), 2 * w);
    this.normalized = old.slice(0, start) + unitsToString(buf, bw) + old.slice(end);
    this.align = align;
    this.base = 0;
  }

  /** Maps every code point through `fn` one-to-one; alignments are untouched when no length changes. */
  mapCodePoints(fn: (cp: number) => number): void {
    const s = this.normalized;
    const dest = new Changes();
    let sameLength = true;
    let changed = false;
    for (let i = 0; i < s.length; ) {
      const cp = s.codePointAt(i)!;
      const size = cp > 0xffff ? 2 : 1;
      const m = fn(cp);
      if (m !== cp) {
        changed = true;
        if ((m > 0xffff ? 2 : 1) !== size) sameLength = false;
      }
      dest.push(m, 0);
      i += size;
    }
    if (!changed) return;
    if (sameLength) {
      this.normalized = String.fromCodePoint(...dest.cps);
      return;
    }
    this.transform(dest, 0);
  }

  /** Keeps the code points for which `keep` is true (the reference's filter). */
  filter(keep: (cp: number) => boolean): void {
    const s = this.normalized;
    const dest = new Changes();
    let removed = 0;
    let removedStart = 0;
    let last = -1;
    let any = false;
    for (let i = 0; i < s.length; ) {
      const cp = s.codePointAt(i)!;
      i += cp > 0xffff ? 2 : 1;
      if (keep(cp)) {
        if (last >= 0) dest.push(last, -removed);
        else removedStart = removed;
        last = cp;
        removed = 0;
      } else {
        removed++;
        any = true;
      }
    }
    if (!any) return;
    if (last >= 0) dest.push(last, -removed);
    this.transform(dest, removedStart);
  }

  /** Inserts `s` before the first character (both align to that character). */
  prepend(s: string): void {
    if (this.normalized.length === 0) return;
    const first = this.normalized.codePointAt(0)!;
    const dest = new Changes();
    let i = 0;
    for (const ch of s) dest.push(ch.codePointAt(0)!, i++ === 0 ? 0 : 1);
    dest.push(first, 1);
    this.transformRange(0, first > 0xffff ? 2 : 1, dest, 0);
  }

  /** Replaces every match of `pattern` by `content`; inserted characters align to the match's last character. */
  replace(pattern: Pattern, content: string): void {
    const s = this.normalized;
    const matches = pattern.findMatches(s);
    let any = false;
    let newLen = 0;
    for (let k = 0; k < matches.length; k += 3) {
      if (matches[k + 2] === 1) any = true;
      newLen += matches[k + 2] === 1 ? content.length : matches[k + 1]! - matches[k]!;
    }
    if (!any) return;
    const contentUnits = content.length;
    const align = new Int32Array(2 * newLen);
    let out = '';
    let w = 0;
    for (let k = 0; k < matches.length; k += 3) {
      const a = matches[k]!;
      const b = matches[k + 1]!;
      if (matches[k + 2] === 1) {
        let a0 = this.originalStart;
        let a1 = this.originalStart;
        if (b >= 1) {
          a0 = this.align[2 * (this.base + b - 1)]!;
          a1 = this.align[2 * (this.base + b - 1) + 1]!;
        }
        for (let u = 0; u < contentUnits; u++) {
          align[2 * w] = a0;
          align[2 * w + 1] = a1;
          w++;
        }
        out += content;
      } else {
        align.set(this.align.subarray(2 * (this.base + a), 2 * (this.base + b)), 2 * w);
        w += b - a;
        out += s.slice(a, b);
      }
    }
    this.normalized = out;
    this.align = align;
    this.base = 0;
  }

  /** Removes leading and/or trailing White_Space. */
  strip(left: boolean, right: boolean, isSpace: (cp: number) => boolean): void {
    const s = this.normalized;
    let a = 0;
    let b = s.length;
    let leading = 0;
    if (left) {
      while (a < b) {
        const cp = s.codePointAt(a)!;
        if (!isSpace(cp)) break;
        a += cp > 0xffff ? 2 : 1;
        leading++;
      }
    }
    if (right) {
      while (b > a) {
        const u = s.charCodeAt(b - 1);
        const size = (u & 0xfc00) === 0xdc00 && b - 2 >= a && (s.charCodeAt(b - 2) & 0xfc00) === 0xd800 ? 2 : 1;
        if (!isSpace(s.codePointAt(b - size)!)) break;
        b -= size;
      }
    }
    if (a === 0 && b === s.length) return;
    const dest = new Changes();
    for (let i = a; i < b; ) {
      const cp = s.codePointAt(i)!;
      dest.push(cp, 0);
      i += cp > 0xffff ? 2 : 1;
    }
    this.transform(dest, leading);
  }

  /** A piece of this string by normalized range, sharing the alignments (no copy). */
  slice(start: number, end: number): NormalizedString {
    const r = this.originalRange(start, end) ?? fail('TOKENIZER_INPUT', `bad split range ${start}..${end}`);
    return new NormalizedString(this.normalized.slice(start, end), this.align, r[0], r[1], this.base + start);
  }

  /** Splits by a pattern with the reference's delimiter behaviours; empty pieces are dropped by the caller. */
  split(pattern: Pattern, behavior: SplitBehavior): NormalizedString[] {
    const m = pattern.findMatches(this.normalized);
    const keep = splitRanges(m, behavior);
    const out: NormalizedString[] = [];
    for (let k = 0; k < keep.length; k += 2) out.push(this.slice(keep[k]!, keep[k + 1]!));
    return out;
  }
}

/** The [start, end) ranges a split keeps, flattened, from a match list and a delimiter behaviour. */
function splitRanges(m: MatchList, behavior: SplitBehavior): number[] {
  const out: number[] = [];
  const n = m.length;
  switch (behavior) {
    case 'Isolated':
      for (let k = 0; k < n; k += 3) out.push(m[k]!, m[k + 1]!);
      return out;
    case 'Removed':
      for (let k = 0; k < n; k += 3) if (m[k + 2] === 0) out.push(m[k]!, m[k + 1]!);
      return out;
    case 'Contiguous': {
      let prev = 0;
      for (let k = 0; k < n; k += 3) {
        const isMatch = m[k + 2]!;
        if (isMatch === prev && out.length > 0) out[out.length - 1] = m[k + 1]!;
        else out.push(m[k]!, m[k + 1]!);
        prev = isMatch;
      }
      return out;
    }
    case 'MergedWithPrevious': {
      let prev = 0;
      for (let k = 0; k < n; k += 3) {
        const isMatch = m[k + 2]!;
        if (isMatch === 1 && prev === 0 && out.length > 0) out[out.length - 1] = m[k + 1]!;
        else out.push(m[k]!, m[k + 1]!);
        prev = isMatch;
      }
      return out;
    }
    case 'MergedWithNext': {
      let prev = 0;
      const rev: number[] = [];
      for (let k = n - 3; k >= 0; k -= 3) {
        const isMatch = m[k + 2]!;
        if (isMatch === 1 && prev === 0 && rev.length > 0) rev[rev.length - 2] = m[k]!;
        else rev.push(m[k]!, m[k + 1]!);
        prev = isMatch;
      }
      for (let k = rev.length - 2; k >= 0; k -= 2) out.push(rev[k]!, rev[k + 1]!);
      return out;
    }
  }
}

/** Matches of a code point predicate (each matching character is its own match). */
export function predicatePattern(pred: (cp: number) => boolean): Pattern {
  return {
    findMatches(s: string): MatchList {
      if (s.length === 0) return [0, 0, 0];
      const out: MatchList = [];
      let lastOffset = 0;
      let i = 0;
      while (i < s.length) {
        const cp = s.codePointAt(i)!;
        const size = cp > 0xffff ? 2 : 1;
        if (pred(cp)) {
          if (lastOffset < i) out.push(lastOffset, i, 0);
          out.push(i, i + size, 1);
          lastOffset = i + size;
        }
        i += size;
      }
      if (i > lastOffset) out.push(lastOffset, i, 0);
      return out;
    },
  };
}

/** Matches of a regular expression; like the reference's engine, an empty match right after a match is skipped. */
export function regexPattern(re: RegExp): Pattern {
  const g = re.flags.includes('g') ? re : new RegExp(re.source, `${re.flags}g`);
  return {
    findMatches(s: string): MatchList {
      if (s.length === 0) return [0, 0, 0];
      const out: MatchList = [];
      let prev = 0;
      let lastEnd = 0;
      let lastMatchEnd = -1;
      while (lastEnd <= s.length) {
        g.lastIndex = lastEnd;
        const m = g.exec(s);
        if (m === null) break;
        const start = m.index;
        const end = start + m[0].length;
        if (start === end && lastMatchEnd === end) {
          const cp = s.codePointAt(lastEnd);
          lastEnd += cp !== undefined && cp > 0xffff ? 2 : 1;
          continue;
        }
        lastEnd = end;
        lastMatchEnd = end;
        if (prev !== start) out.push(prev, start, 0);
        out.push(start, end, 1);
        prev = end;
      }
      if (prev !== s.length) out.push(prev, s.length, 0);
      return out;
    },
  };
}

/** Swaps matches and non-matches of another pattern. */
export function invertPattern(p: Pattern): Pattern {
  return {
    findMatches(s: string): MatchList {
      const m = p.findMatches(s);
      for (let k = 2; k < m.length; k += 3) m[k] = m[k] === 1 ? 0 : 1;
      return m;
    },
  };
}
