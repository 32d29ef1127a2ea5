// SentencePiece's precompiled_charsmap (XLM-R, T5, ...): a little-endian u32 byte length, a darts-clone double
// array trie over UTF-8 keys, then a blob of NUL-terminated replacement strings the trie's values point into.
// Applied like the reference: per extended grapheme cluster shorter than 6 UTF-8 bytes the first (shortest)
// trie match of the cluster replaces the whole cluster, otherwise each character is looked up on its own.
import { TokenizerError } from './errors.js';
import { Changes, type NormalizedString } from './normalized-string.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Parsed charsmap: the trie units and the replacement blob. */
export class PrecompiledCharsmap {
  private readonly trie: Uint32Array;
  private readonly blob: Uint8Array;
  private readonly cache = new Map<string, string | null>();
  private readonly charCache = new Map<number, string | null>();
  private readonly ascii: (string | null)[] = [];
  private segmenter: Intl.Segmenter | undefined;

  /** Parses the raw bytes (base64-decoded `precompiled_charsmap`). */
  constructor(bytes: Uint8Array) {
    if (bytes.length < 4) throw new TokenizerError('TOKENIZER_CONFIG', 'precompiled_charsmap is too short');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const trieSize = view.getUint32(0, true);
    if (trieSize % 4 !== 0 || 4 + trieSize > bytes.length) {
      throw new TokenizerError('TOKENIZER_CONFIG', `precompiled_charsmap trie size ${trieSize} does not fit the data`);
    }
    this.trie = new Uint32Array(trieSize / 4);
    for (let i = 0; i < this.trie.length; i++) this.trie[i] = view.getUint32(4 + 4 * i, true);
    this.blob = bytes.subarray(4 + trieSize);
    try {
      decoder.decode(this.blob);
    } catch {
      throw new TokenizerError('TOKENIZER_CONFIG', 'precompiled_charsmap replacement strings are not valid UTF-8');
    }
    for (let c = 0; c < 128; c++) this.ascii.push(this.lookup(String.fromCharCode(c)));
  }

  /** Decodes the base64 form found in tokenizer.json. */
  static fromBase64(b64: string): PrecompiledCharsmap {
    return new PrecompiledCharsmap(new Uint8Array(Buffer.from(b64, 'base64')));
  }

  /** Values of every key that is a prefix of `key` (shortest first); stops at a NUL byte. */
  private commonPrefixSearch(key: Uint8Array): number[] {
    const a = this.trie;
    const results: number[] = [];
    if (a.length === 0) return results;
    let unit = a[0]!;
    let pos = offsetOf(unit);
    for (const c of key) {
      if (c === 0) break;
      pos ^= c;
      if (pos >= a.length) return results;
      unit = a[pos]!;
      if ((unit & 0x800000ff) >>> 0 !== c) return results;
      pos ^= offsetOf(unit);
      if ((unit >>> 8) & 1 && pos < a.length) results.push(a[pos]! & 0x7fffffff);
    }
    return results;
  }

  /** The replacement of `chunk` (first prefix match), or null when no key is a prefix of it. */
  lookup(chunk: string): string | null {
    let r = this.cache.get(chunk);
    if (r !== undefined) return r;
    const found = this.commonPrefixSearch(encoder.encode(chunk));
    r = null;
    if (found.length > 0) {
      const start = found[0]!;
      let end = start;
      while (end < this.blob.length && this.blob[end] !== 0) end++;
      r = decoder.decode(this.blob.subarray(start, end));
    }
    if (this.cache.size > 50_000) this.cache.clear();
    this.cache.set(chunk, r);
    return r;
  }

  /** The replacement of one character, cached by code point. */
  private lookupChar(cp: number): string | null {
    let r = this.charCache.get(cp);
    if (r === undefined) {
      r = this.lookup(String.fromCodePoint(cp));
      this.charCache.set(cp, r);
    }
    return r;
  }

  /** Applies the charsmap to a normalized string, keeping alignments. */
  normalize(n: NormalizedString): void {
    const s = n.normalized;
    const dest = new Changes();
    let modified = false;
    const replace = (oldCount: number, repl: string): void => {
      let newCount = 0;
      for (const ch of repl) {
        dest.push(ch.codePointAt(0)!, 0);
        newCount++;
      }
      const diff = newCount - oldCount;
      if (diff > 0) for (let k = dest.length - diff; k < dest.length; k++) dest.changes[k] = 1;
      else if (diff < 0 && dest.length > 0) dest.changes[dest.length - 1]! += diff;
    };
    const perChar = (g: string): void => {
      for (let i = 0; i < g.length; ) {
        const cp = g.codePointAt(i)!;
        const size = cp > 0xffff ? 2 : 1;
        const r = cp < 128 ? this.ascii[cp]! : this.lookupChar(cp);
        if (r === null) dest.push(cp, 0);
        else {
          modified = true;
          replace(1, r);
        }
        i += size;
      }
    };
    const grapheme = (g: string): void => {
      if (g.length > 1 && utf8Length(g) < 6) {
        const r = this.lookup(g);
        if (r !== null) {
          modified = true;
          replace(countCodePoints(g), r);
          return;
        }
      }
      perChar(g);
    };
    if (!MAY_JOIN.test(s)) {
      // No character here can join a grapheme cluster: every character is its own cluster, except CR LF.
      let start = 0;
      for (let i = 0; i < s.length; i++) {
        if (s.charCodeAt(i) === 13 && s.charCodeAt(i + 1) === 10) {
          perChar(s.slice(start, i));
          grapheme('\r\n');
          start = i + 2;
          i++;
        }
      }
      perChar(s.slice(start));
    } else {
      this.segmenter ??= new Intl.Segmenter('en', { granularity: 'grapheme' });
      for (const { segment } of this.segmenter.segment(s)) grapheme(segment);
    }
    if (modified) n.transform(dest, 0);
  }
}

/**
 * Characters that can extend or join an extended grapheme cluster (UAX #29: Extend, ZWJ, SpacingMark, Prepend,
 * regional indicators, Hangul jamo). A text without any of them is one cluster per character (CR LF aside), so
 * it needs no segmenter.
 */
export const MAY_JOIN = new RegExp(
  [
    '\\p{M}', // Extend and most SpacingMark
    '\\u200c\\u200d\\u0e33\\u0eb3\\uff9e\\uff9f', // ZWNJ, ZWJ and the non-mark Extend/SpacingMark
    '\\u1100-\\u11ff\\ua960-\\ua97f\\ud7b0-\\ud7ff', // Hangul jamo
    '\\u0600-\\u0605\\u06dd\\u070f\\u0890\\u0891\\u08e2\\u0d4e\\u{110bd}\\u{110cd}\\u{111c2}\\u{111c3}', // Prepend
    '\\u{1193f}\\u{11941}\\u{11a3a}\\u{11a84}-\\u{11a89}\\u{11d46}\\u{11f02}', // Prepend
    '\\u{1f1e6}-\\u{1f1ff}\\u{1f3fb}-\\u{1f3ff}\\u{e0020}-\\u{e007f}', // regional indicators, skin tones, tags
  ]
    .map((c) => `[${c}]`)
    .join('|'),
  'u',
);

function offsetOf(unit: number): number {
  return (unit >>> 10) << ((unit & 0x200) >>> 6);
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u < 0x80) n += 1;
    else if (u < 0x800) n += 2;
    else if (u >= 0xd800 && u < 0xdc00 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

function countCodePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    n++;
    const u = s.charCodeAt(i);
    if (u >= 0xd800 && u < 0xdc00 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
  }
  return n;
}
