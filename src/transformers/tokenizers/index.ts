// Public API of the tokenizers: Hugging Face tokenizer.json (and legacy vocabulary files) in pure TypeScript.
export {
  Tokenizer,
  type EncodeOptions,
  type DecodeOptions,
  type AddedTokenInput,
  type BatchInput,
  type FromJSONOptions,
} from './tokenizer.js';
export type { Encoding } from './encoding.js';
export type { AddedToken } from './added-tokens.js';
export type { SpecialTokens } from './configs.js';
export type { TruncationOptions, PaddingOptions, Truncation, Padding } from './truncation-padding.js';
export { TokenizerError, type TokenizerErrorCode } from './errors.js';
export { NORMALIZER_TYPES } from './normalizers.js';
export { PRE_TOKENIZER_TYPES } from './pre-tokenizers.js';
export { MODEL_TYPES } from './models/index.js';
export { POST_PROCESSOR_TYPES } from './post-processors.js';
export { DECODER_TYPES } from './decoders.js';
