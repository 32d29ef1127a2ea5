// Builds the model of a tokenizer.json from its validated form.
import { TokenizerError } from '../errors.js';
import { type Where, at, modelSchemas, parse, pathText, unsupported } from '../schema.js';
import { BPE } from './bpe.js';
import type { Model } from './model.js';
import { Unigram } from './unigram.js';
import { WordPiece } from './wordpiece.js';

export type { Model } from './model.js';
export { BPE, Unigram, WordPiece };

/** Model types this implementation provides. */
export const MODEL_TYPES = ['WordPiece', 'BPE', 'Unigram'] as const;

/** Builds a model; files without a "type" are recognised by their fields, as the reference does. */
export function modelFromJSON(raw: unknown, w: Where): Model {
  const obj = (raw ?? {}) as Record<string, unknown>;
  let type = obj.type;
  if (type === undefined) {
    if ('merges' in obj) type = 'BPE';
    else if (Array.isArray(obj.vocab)) type = 'Unigram';
    else if ('continuing_subword_prefix' in obj || 'max_input_chars_per_word' in obj) type = 'WordPiece';
  }
  switch (type) {
    case 'WordPiece':
      return new WordPiece(parse(modelSchemas.WordPiece, raw, w));
    case 'BPE': {
      const c = parse(modelSchemas.BPE, raw, w);
      if (c.dropout !== null && !(c.dropout > 0 && c.dropout <= 1)) {
        throw new TokenizerError(
          'TOKENIZER_CONFIG',
          `${w.file}: ${pathText([...w.path, 'dropout'])} is ${c.dropout}, expected null or a probability in (0, 1]. Fix: set it to null to disable BPE dropout.`,
        );
      }
      return new BPE(c, (i, why) => {
        throw new TokenizerError(
          'TOKENIZER_CONFIG',
          `${w.file}: ${pathText(at(w, 'merges', i).path)}: ${why}. Fix: regenerate the merges for this vocabulary.`,
        );
      });
    }
    case 'Unigram': {
      const c = parse(modelSchemas.Unigram, raw, w);
      if (c.unk_id !== null && c.unk_id >= c.vocab.length) {
        throw new TokenizerError(
          'TOKENIZER_CONFIG',
          `${w.file}: ${pathText([...w.path, 'unk_id'])} is ${c.unk_id}, expected an index below the vocabulary size ${c.vocab.length}. Fix: point unk_id at the unknown piece.`,
        );
      }
      return new Unigram(c);
    }
    default:
      return unsupported(at(w, 'type'), 'model', type, MODEL_TYPES);
  }
}
