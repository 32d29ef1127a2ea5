// The input as a list of splits (normalized pieces, some already tokenized as added tokens), which
// pre-tokenizers refine and the model tokenizes; then turned into an encoding with offsets into the input.
import { RawEncoding } from './encoding.js';
import type { NormalizedString } from './normalized-string.js';

/** A token produced by a model: offsets are UTF-16 units inside its split's normalized text. */
export interface Token {
  id: number;
  value: string;
  start: number;
  end: number;
}

/** One piece of the input and, once tokenized, its tokens. */
export interface Split {
  n: NormalizedString;
  tokens: Token[] | null;
}

/** The splits of one input sequence. */
export class PreTokenizedString {
  constructor(public splits: Split[]) {}

  /** Replaces every untokenized split by the pieces `fn` returns; empty pieces are dropped. */
  split(fn: (n: NormalizedString, index: number) => (NormalizedString | Split)[]): void {
    const out: Split[] = [];
    this.splits.forEach((s, i) => {
      if (s.tokens !== null) {
        out.push(s);
        return;
      }
      for (const piece of fn(s.n, i)) {
        const split = 'n' in piece ? piece : { n: piece, tokens: null };
        if (split.n.normalized.length > 0) out.push(split);
      }
    });
    this.splits = out;
  }

  /** Applies `fn` to every untokenized split in place. */
  normalize(fn: (n: NormalizedString) => void): void {
    for (const s of this.splits) if (s.tokens === null) fn(s.n);
  }

  /** Tokenizes every split that has no tokens yet. */
  tokenize(fn: (text: string) => Token[]): void {
    for (const s of this.splits) if (s.tokens === null) s.tokens = fn(s.n.normalized);
  }

  /** Builds the encoding: word ids are split indices, offsets point into the original input. */
  intoEncoding(typeId: number, text: string): RawEncoding {
    const e = new RawEncoding();
    e.text = text;
    this.splits.forEach((s, word) => {
      const { n } = s;
      for (const t of s.tokens ?? []) {
        let a: number;
        let b: number;
        if (t.start === t.end) {
          a = n.originalStart + t.start;
          b = n.originalStart + t.end;
        } else if (t.end > n.normalized.length || t.start > t.end) {
          a = t.start;
          b = t.end;
        } else {
          a = n.align[2 * (n.base + t.start)]!;
          b = n.align[2 * (n.base + t.end) - 1]!;
        }
        e.ids.push(t.id);
        e.tokens.push(t.value);
        e.offsets.push(a, b);
        e.words.push(word);
        e.typeIds.push(typeId);
        e.specialTokensMask.push(0);
        e.attentionMask.push(1);
      }
    });
    return e;
  }
}
