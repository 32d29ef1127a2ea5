// The tokenization model seam: WordPiece, BPE and Unigram implement it; the pipeline only needs these methods.
import type { Token } from '../pre-tokenized.js';

/** A subword model: turns one pre-tokenized word into tokens and maps tokens to ids. */
export interface Model {
  /** The tokenizer.json model type. */
  readonly type: 'WordPiece' | 'BPE' | 'Unigram';
  /** Tokens of one word; offsets are UTF-16 units inside `word`. */
  tokenize(word: string): Token[];
  /** Id of a vocabulary entry. */
  tokenToId(token: string): number | undefined;
  /** Vocabulary entry of an id. */
  idToToken(id: number): string | undefined;
  /** Size of the model's vocabulary (added tokens excluded). */
  readonly vocabSize: number;
  /** The vocabulary as token → id. */
  vocab(): Map<string, number>;
  /** The tokenizer.json form. */
  toJSON(): Record<string, unknown>;
}

/** Bounded memo for per-word results (cleared when full, so memory stays flat on large corpora). */
export class WordCache<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly capacity = 100_000) {}
  /** The cached value of a word. */
  get(key: string): V | undefined {
    return this.map.get(key);
  }
  /** Remembers a word's value. */
  set(key: string, value: V): void {
    if (this.map.size >= this.capacity) this.map.clear();
    this.map.set(key, value);
  }
}

/** A token ↔ id table from tokenizer.json's vocab object: the part of WordPiece and BPE that is the same. */
export abstract class VocabModel {
  protected readonly vocabMap: Map<string, number>;
  protected readonly byId = new Map<number, string>();

  constructor(vocab: Record<string, number>) {
    this.vocabMap = new Map(Object.entries(vocab));
    for (const [t, id] of this.vocabMap) this.byId.set(id, t);
  }

  /** Number of vocabulary entries. */
  get vocabSize(): number {
    return this.vocabMap.size;
  }

  /** Id of a vocabulary entry. */
  tokenToId(token: string): number | undefined {
    return this.vocabMap.get(token);
  }

  /** Vocabulary entry of an id. */
  idToToken(id: number): string | undefined {
    return this.byId.get(id);
  }

  /** The vocabulary as token → id (a copy). */
  vocab(): Map<string, number> {
    return new Map(this.vocabMap);
  }

  /** The vocabulary as tokenizer.json writes it: an object in id order. */
  protected vocabJson(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [t, id] of [...this.vocabMap].sort((a, b) => a[1] - b[1])) out[t] = id;
    return out;
  }
}
