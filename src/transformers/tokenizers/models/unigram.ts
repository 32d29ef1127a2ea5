// Unigram (SentencePiece, XLM-R, T5): the segmentation with the best total piece score (Viterbi over a trie
// of pieces); characters no piece covers become the unknown piece (consecutive ones fused) or byte pieces.
import { TokenizerError } from '../errors.js';
import type { Token } from '../pre-tokenized.js';
import type { UnigramJson } from '../schema.js';
import { type Model, WordCache } from './model.js';

const UNK_PENALTY = 10;
const encoder = new TextEncoder();

/** A compact trie over UTF-16 units: children of a node are contiguous and sorted, found by binary search. */
class PieceTrie {
  private readonly label: Uint16Array;
  private readonly first: Int32Array;
  private readonly count: Int32Array;
  private readonly value: Int32Array;

  constructor(keys: [string, number][]) {
    keys.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const label: number[] = [0];
    const first: number[] = [0];
    const count: number[] = [0];
    const value: number[] = [-1];
    // Breadth-first: each queued node owns the sorted key range [lo, hi) sharing its prefix of length depth.
    const queue: [number, number, number, number][] = [[0, 0, keys.length, 0]];
    for (let qi = 0; qi < queue.length; qi++) {
      const [node, lo0, hi, depth] = queue[qi]!;
      let lo = lo0;
      while (lo < hi && keys[lo]![0].length === depth) value[node] = keys[lo++]![1];
      first[node] = label.length;
      let i = lo;
      while (i < hi) {
        const u = keys[i]![0].charCodeAt(depth);
        let j = i + 1;
        while (j < hi && keys[j]![0].charCodeAt(depth) === u) j++;
        const child = label.length;
        label.push(u);
        first.push(0);
        count.push(0);
        value.push(-1);
        queue.push([child, i, j, depth + 1]);
        count[node]!++;
        i = j;
      }
    }
    this.label = Uint16Array.from(label);
    this.first = Int32Array.from(first);
    this.count = Int32Array.from(count);
    this.value = Int32Array.from(value);
  }

  /** Calls `found(length, id)` for every piece that starts at `start` in `s`, shortest first. */
  prefixes(s: string, start: number, found: (length: number, id: number) => void): void {
    let node = 0;
    for (let j = start; j < s.length; j++) {
      const u = s.charCodeAt(j);
      let lo = this.first[node]!;
      let hi = lo + this.count[node]! - 1;
      let next = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const l = this.label[mid]!;
        if (l < u) lo = mid + 1;
        else if (l > u) hi = mid - 1;
        else {
          next = mid;
          break;
        }
      }
      if (next < 0) return;
      node = next;
      const v = this.value[node]!;
      if (v >= 0) found(j - start + 1, v);
    }
  }
}

/** The Unigram model. */
export class Unigram implements Model {
  readonly type = 'Unigram';
  private readonly ids = new Map<string, number>();
  private readonly scores: Float64Array;
  private readonly trie: PieceTrie;
  private readonly unkScore: number;
  private readonly cache = new WordCache<Token[]>();

  /** Builds the model from its tokenizer.json form. */
  constructor(private readonly c: UnigramJson) {
    this.scores = new Float64Array(c.vocab.length);
    let min = Number.POSITIVE_INFINITY;
    c.vocab.forEach(([piece, score], id) => {
      this.ids.set(piece, id);
      this.scores[id] = score;
      if (score < min) min = score;
    });
    this.unkScore = min - UNK_PENALTY;
    this.trie = new PieceTrie([...this.ids]);
  }

  /** Number of vocabulary entries. */
  get vocabSize(): number {
    return this.c.vocab.length;
  }

  /** Id of a vocabulary entry. */
  tokenToId(token: string): number | undefined {
    return this.ids.get(token);
  }

  /** Vocabulary entry of an id. */
  idToToken(id: number): string | undefined {
    return this.c.vocab[id]?.[0];
  }

  /** The vocabulary as token → id (a copy). */
  vocab(): Map<string, number> {
    return new Map(this.ids);
  }

  private unkId(): number {
    if (this.c.unk_id === null) {
      throw new TokenizerError(
        'TOKENIZER_INPUT',
        'Unigram: the text has a character no piece covers and the model has no unk_id. Fix: set model.unk_id in tokenizer.json.',
      );
    }
    return this.c.unk_id;
  }

  /** The best segmentation of `s` as piece strings (unknown runs fused). */
  encode(s: string): string[] {
    if (s.length === 0) return [];
    const size = s.length;
    const best = new Float64Array(size + 1);
    const from = new Int32Array(size + 1).fill(-1);
    const idAt = new Int32Array(size + 1);
    const scores = this.scores;
    let pos = 0;
    while (pos < size) {
      const base = best[pos]!;
      const u = s.charCodeAt(pos);
      const mblen = (u & 0xfc00) === 0xd800 && pos + 1 < size && (s.charCodeAt(pos + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
      let single = false;
      const at = pos;
      this.trie.prefixes(s, pos, (len, id) => {
        const key = at + len;
        const cand = scores[id]! + base;
        if (from[key] === -1 || cand > best[key]!) {
          best[key] = cand;
          from[key] = at;
          idAt[key] = id;
        }
        if (len === mblen) single = true;
      });
      if (!single) {
        const key = pos + mblen;
        const cand = this.unkScore + base;
        if (from[key] === -1 || cand > best[key]!) {
          best[key] = cand;
          from[key] = pos;
          idAt[key] = this.unkId();
        }
      }
      pos += mblen;
    }
    const out: string[] = [];
    let unkRun: string[] = [];
    const unk = this.c.unk_id;
    for (let end = size; end > 0; ) {
      const start = from[end]!;
      if (unk !== null && idAt[end] === unk) unkRun.push(s.slice(start, end));
      else {
        if (unkRun.length > 0) {
          out.push(unkRun.reverse().join(''));
          unkRun = [];
        }
        out.push(s.slice(start, end));
      }
      end = start;
    }
    if (unkRun.length > 0) out.push(unkRun.reverse().join(''));
    out.reverse();
    return out;
  }

  /** Tokens of one pre-tokenized word (offsets in UTF-16 units of the word). */
  tokenize(word: string): Token[] {
    const hit = this.cache.get(word);
    if (hit !== undefined) return hit;
    const out: Token[] = [];
    let offset = 0;
    for (const piece of this.encode(word)) {
      const end = offset + piece.length;
      let id = this.ids.get(piece);
      if (id === undefined) {
        if (this.c.byte_fallback) {
          const bytes = encoder.encode(piece);
          const pieces: Token[] = [];
          for (const b of bytes) {
            const value = `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
            const bid = this.ids.get(value);
            if (bid === undefined) break;
            pieces.push({ id: bid, value, start: offset, end });
          }
          if (pieces.length === bytes.length) {
            out.push(...pieces);
            offset = end;
            continue;
          }
        }
        id = this.unkId();
      }
      out.push({ id, value: piece, start: offset, end });
      offset = end;
    }
    this.cache.set(word, out);
    return out;
  }

  /** The tokenizer.json model section. */
  toJSON(): Record<string, unknown> {
    return { type: 'Unigram', unk_id: this.c.unk_id, vocab: this.c.vocab, byte_fallback: this.c.byte_fallback };
  }
}
