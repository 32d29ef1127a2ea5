// WordPiece (BERT): greedy longest-match-first over the vocabulary, continuation pieces carry a prefix ("##");
// a word that cannot be covered, or is too long, becomes a single unknown token.
import { TokenizerError } from '../errors.js';
import type { Token } from '../pre-tokenized.js';
import type { WordPieceJson } from '../schema.js';
import { type Model, VocabModel, WordCache } from './model.js';

/** The WordPiece model. */
export class WordPiece extends VocabModel implements Model {
  readonly type = 'WordPiece';
  private readonly cache = new WordCache<Token[]>();
  private readonly maxUnits: number;

  /** Builds the model from its tokenizer.json form. */
  constructor(private readonly c: WordPieceJson) {
    super(c.vocab);
    let max = 0;
    for (const t of this.vocabMap.keys()) if (t.length > max) max = t.length;
    this.maxUnits = max;
  }

  private unk(word: string): Token[] {
    const id = this.vocabMap.get(this.c.unk_token);
    if (id === undefined) {
      throw new TokenizerError(
        'TOKENIZER_CONFIG',
        `WordPiece: the unknown token ${JSON.stringify(this.c.unk_token)} is not in the vocabulary, so ${JSON.stringify(word.slice(0, 40))} cannot be encoded. Fix: add it to model.vocab or set model.unk_token to a vocabulary entry.`,
      );
    }
    return [{ id, value: this.c.unk_token, start: 0, end: word.length }];
  }

  /** Tokens of one pre-tokenized word (offsets in UTF-16 units of the word). */
  tokenize(word: string): Token[] {
    const hit = this.cache.get(word);
    if (hit !== undefined) return hit;
    const r = this.tokenizeUncached(word);
    this.cache.set(word, r);
    return r;
  }

  private tokenizeUncached(word: string): Token[] {
    const len = word.length;
    let chars = 0;
    for (let i = 0; i < len; i++) {
      const pairTail = (word.charCodeAt(i) & 0xfc00) === 0xdc00 && i > 0 && (word.charCodeAt(i - 1) & 0xfc00) === 0xd800;
      if (!pairTail) chars++;
    }
    if (chars > this.c.max_input_chars_per_word) return this.unk(word);
    const prefix = this.c.continuing_subword_prefix;
    const out: Token[] = [];
    let start = 0;
    while (start < len) {
      // Candidates longer than the longest vocabulary entry cannot match: start below that length.
      let end = Math.min(len, start + this.maxUnits - (start > 0 ? prefix.length : 0));
      if (end < len && (word.charCodeAt(end) & 0xfc00) === 0xdc00 && (word.charCodeAt(end - 1) & 0xfc00) === 0xd800) end--;
      let found: Token | null = null;
      while (start < end) {
        const sub = start > 0 ? prefix + word.slice(start, end) : word.slice(start, end);
        const id = this.vocabMap.get(sub);
        if (id !== undefined) {
          found = { id, value: sub, start, end };
          break;
        }
        const last = word.charCodeAt(end - 1);
        end -= (last & 0xfc00) === 0xdc00 && end - 2 >= start && (word.charCodeAt(end - 2) & 0xfc00) === 0xd800 ? 2 : 1;
      }
      if (found === null) return this.unk(word);
      out.push(found);
      start = found.end;
    }
    return out;
  }

  /** The tokenizer.json model section. */
  toJSON(): Record<string, unknown> {
    const vocab = this.vocabJson();
    return {
      type: 'WordPiece',
      unk_token: this.c.unk_token,
      continuing_subword_prefix: this.c.continuing_subword_prefix,
      max_input_chars_per_word: this.c.max_input_chars_per_word,
      vocab,
    };
  }
}
