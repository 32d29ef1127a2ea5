// Typed errors of the tokenizer layer: what was wrong with a tokenizer file or a call, and how to fix it.
import { CodedError } from '../../shared/index.js';

/** Why a tokenizer call failed: lets callers branch without parsing messages. */
export type TokenizerErrorCode =
  | 'TOKENIZER_FILE' // a file is missing, unreadable or not valid JSON
  | 'TOKENIZER_CONFIG' // a field of tokenizer.json / tokenizer_config.json has a bad value
  | 'TOKENIZER_UNSUPPORTED' // a component type this implementation does not provide
  | 'TOKENIZER_INPUT'; // an encode/decode argument is invalid (e.g. truncation that cannot be satisfied)

/** A tokenizer-layer failure; the message names the file or field, the value and the fix. */
export class TokenizerError extends CodedError<TokenizerErrorCode> {}

/** Shorthand for throwing a TokenizerError. */
export function fail(code: TokenizerErrorCode, message: string): never {
  throw new TokenizerError(code, message);
}
