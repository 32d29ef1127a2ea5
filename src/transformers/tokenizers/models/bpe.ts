// Byte-pair encoding (GPT-2, RoBERTa, ...): start from characters, apply the lowest-ranked merge first until
// none applies. Unknown characters go to byte-fallback pieces (<0xNN>) or the unknown token when configured.
import { TokenizerError } from '../errors.js';
import type { Token } from '../pre-tokenized.js';
import type { BpeJson } from '../schema.js';
import { type Model, VocabModel, WordCache } from './model.js';

const PAIR = 4_194_304; // 2^22: pair keys a * PAIR + b stay exact for vocabularies below four million entries

const encoder = new TextEncoder();

/** A binary min-heap of merges ordered by rank, then position (the reference's order). */
class MergeQueue {
  private rank: number[] = [];
  private pos: number[] = [];
  private id: number[] = [];
  get size(): number {
    return this.rank.length;
  }
  private less(i: number, j: number): boolean {
    return this.rank[i]! < this.rank[j]! || (this.rank[i] === this.rank[j] && this.pos[i]! < this.pos[j]!);
  }
  private swap(i: number, j: number): void {
    for (const a of [this.rank, this.pos, this.id]) [a[i], a[j]] = [a[j]!, a[i]!];
  }
  push(rank: number, pos: number, id: number): void {
    this.rank.push(rank);
    this.pos.push(pos);
    this.id.push(id);
    for (let i = this.rank.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }
  pop(): [number, number, number] {
    const top: [number, number, number] = [this.rank[0]!, this.pos[0]!, this.id[0]!];
    const last = this.rank.length - 1;
    this.swap(0, last);
    this.rank.pop();
    this.pos.pop();
    this.id.pop();
    const n = this.rank.length;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(l, m)) m = l;
      if (r < n && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return top;
  }
}

/** The BPE model. */
export class BPE extends VocabModel implements Model {
  readonly type = 'BPE';
  /** Pair key → rank * PAIR + new id. */
  private readonly merges = new Map<number, [number, number]>();
  private readonly mergeList: [string, string][];
  private readonly cache = new WordCache<Token[]>();

  /** Builds the model from its tokenizer.json form; `mergeError` reports a merge that is not in the vocabulary. */
  constructor(
    private readonly c: BpeJson,
    mergeError: (index: number, why: string) => never,
  ) {
    super(c.vocab);
    this.mergeList = [];
    const prefixLen = c.continuing_subword_prefix?.length ?? 0;
    c.merges.forEach((m, i) => {
      let pair: [string, string];
      if (typeof m === 'string') {
        const parts = m.split(' ');
        if (parts.length !== 2) mergeError(i, `"${m}" is not two tokens separated by one space`);
        pair = [parts[0]!, parts[1]!];
      } else pair = m;
      const a = this.vocabMap.get(pair[0]);
      const b = this.vocabMap.get(pair[1]);
      const merged = pair[0] + pair[1].slice(prefixLen);
      const n = this.vocabMap.get(merged);
      if (a === undefined) mergeError(i, `token ${JSON.stringify(pair[0])} is not in the vocabulary`);
      if (b === undefined) mergeError(i, `token ${JSON.stringify(pair[1])} is not in the vocabulary`);
      if (n === undefined) mergeError(i, `merged token ${JSON.stringify(merged)} is not in the vocabulary`);
      this.merges.set(a * PAIR + b, [i, n]);
      this.mergeList.push(pair);
    });
  }

  /** Tokens of one pre-tokenized word (offsets in UTF-16 units of the word). */
  tokenize(word: string): Token[] {
    if (word.length === 0) return [];
    const dropout = this.c.dropout;
    if (dropout !== null && dropout > 0) return this.mergeWord(word, dropout);
    const hit = this.cache.get(word);
    if (hit !== undefined) return hit;
    let r: Token[];
    const whole = this.c.ignore_merges ? this.vocabMap.get(word) : undefined;
    if (whole !== undefined) r = [{ id: whole, value: word, start: 0, end: 0 }];
    else r = this.mergeWord(word, 0);
    this.cache.set(word, r);
    return r;
  }

  private unkId(): number {
    const id = this.vocabMap.get(this.c.unk_token!);
    if (id === undefined) {
      throw new TokenizerError(
        'TOKENIZER_CONFIG',
        `BPE: the unknown token ${JSON.stringify(this.c.unk_token)} is not in the vocabulary. Fix: add it to model.vocab or set model.unk_token to null.`,
      );
    }
    return id;
  }

  /** Merges one word; symbol lengths are UTF-8 bytes like the reference, converted to UTF-16 offsets at the end. */
  private mergeWord(w: string, dropout: number): Token[] {
    const { continuing_subword_prefix: prefix, end_of_word_suffix: suffix, byte_fallback, unk_token, fuse_unk } = this.c;
    const ids: number[] = [];
    const lens: number[] = [];
    let unk = -1;
    let unkLen = 0;
    let ascii = true;
    for (let i = 0; i < w.length; ) {
      const cp = w.codePointAt(i)!;
      const size = cp > 0xffff ? 2 : 1;
      const ch = w.slice(i, i + size);
      const byteLen = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (cp >= 0x80) ascii = false;
      let s = ch;
      if (i > 0 && prefix !== null) s = prefix + s;
      i += size;
      if (i >= w.length && suffix !== null) s = s + suffix;
      const id = this.vocabMap.get(s);
      if (id !== undefined) {
        if (unk >= 0) {
          ids.push(unk);
          lens.push(unkLen);
          unk = -1;
        }
        ids.push(id);
        lens.push(byteLen);
        continue;
      }
      if (byte_fallback) {
        const bytes = encoder.encode(s);
        const pieces: number[] = [];
        for (const b of bytes) {
          const bid = this.vocabMap.get(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
          if (bid === undefined) break;
          pieces.push(bid);
        }
        if (pieces.length === bytes.length) {
          for (const p of pieces) {
            ids.push(p);
            lens.push(1);
          }
          continue;
        }
      }
      if (unk_token !== null) {
        if (unk >= 0 && fuse_unk) unkLen += byteLen;
        else {
          if (unk >= 0) {
            ids.push(unk);
            lens.push(unkLen);
          }
          unk = this.unkId();
          unkLen = byteLen;
        }
      }
    }
    if (unk >= 0) {
      ids.push(unk);
      lens.push(unkLen);
    }
    this.mergeAll(ids, lens, dropout);
    const out: Token[] = [];
    let pos = 0;
    for (let k = 0; k < ids.length; k++) {
      if (lens[k] === 0) continue;
      out.push({ id: ids[k]!, value: this.byId.get(ids[k]!)!, start: pos, end: pos + lens[k]! });
      pos += lens[k]!;
    }
    if (!ascii) bytesToUnits(w, out);
    return out;
  }

  /** Applies merges in rank order (ties: leftmost first); removed symbols get length 0. */
  private mergeAll(c: number[], len: number[], dropout: number): void {
    const n = c.length;
    const prev = new Int32Array(n);
    const next = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      prev[i] = i - 1;
      next[i] = i + 1 < n ? i + 1 : -1;
    }
    const q = new MergeQueue();
    for (let i = 0; i + 1 < n; i++) {
      const m = this.merges.get(c[i]! * PAIR + c[i + 1]!);
      if (m !== undefined) q.push(m[0], i, m[1]);
    }
    const skipped: [number, number, number][] = [];
    while (q.size > 0) {
      const [rank, pos, newId] = q.pop();
      if (dropout > 0 && Math.random() < dropout) {
        skipped.push([rank, pos, newId]);
        continue;
      }
      for (const s of skipped.splice(0)) q.push(s[0], s[1], s[2]);
      if (len[pos] === 0) continue;
      const right = next[pos]!;
      if (right === -1) continue;
      const m = this.merges.get(c[pos]! * PAIR + c[right]!);
      if (m === undefined || m[1] !== newId) continue;
      c[pos] = newId;
      len[pos] = len[pos]! + len[right]!;
      next[pos] = next[right]!;
      len[right] = 0;
      if (next[right]! >= 0) prev[next[right]!] = pos;
      const p = prev[pos]!;
      if (p >= 0) {
        const mp = this.merges.get(c[p]! * PAIR + c[pos]!);
        if (mp !== undefined) q.push(mp[0], p, mp[1]);
      }
      const nx = next[pos]!;
      if (nx >= 0) {
        const mn = this.merges.get(c[pos]! * PAIR + c[nx]!);
        if (mn !== undefined) q.push(mn[0], pos, mn[1]);
      }
    }
  }

  /** The tokenizer.json model section. */
  toJSON(): Record<string, unknown> {
    const vocab = this.vocabJson();
    // "a b" strings load in every tokenizers version; pairs are needed only when a token contains a space.
    const spaced = this.mergeList.some(([a, b]) => a.includes(' ') || b.includes(' '));
    return {
      type: 'BPE',
      dropout: this.c.dropout,
      unk_token: this.c.unk_token,
      continuing_subword_prefix: this.c.continuing_subword_prefix,
      end_of_word_suffix: this.c.end_of_word_suffix,
      fuse_unk: this.c.fuse_unk,
      byte_fallback: this.c.byte_fallback,
      ignore_merges: this.c.ignore_merges,
      vocab,
      merges: spaced ? this.mergeList.map(([a, b]) => [a, b]) : this.mergeList.map(([a, b]) => `${a} ${b}`),
    };
  }
}

/** Rewrites token offsets from UTF-8 bytes of `w` to UTF-16 units, each covering whole characters. */
function bytesToUnits(w: string, tokens: Token[]): void {
  const byteStart: number[] = []; // per character: first byte
  const unitStart: number[] = [];
  let b = 0;
  for (let i = 0; i < w.length; ) {
    const cp = w.codePointAt(i)!;
    byteStart.push(b);
    unitStart.push(i);
    b += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    i += cp > 0xffff ? 2 : 1;
  }
  byteStart.push(b);
  unitStart.push(w.length);
  const charOf = (byte: number): number => {
    let lo = 0;
    let hi = byteStart.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (byteStart[mid]! <= byte) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  for (const t of tokens) {
    const first = charOf(Math.min(t.start, b - 1));
    const last = charOf(Math.min(t.end - 1, b - 1));
    t.start = unitStart[first]!;
    t.end = unitStart[last + 1]!;
  }
}
