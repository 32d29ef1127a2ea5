// Typed errors of the prompt layer.
import { CodedError } from '../../shared/index.js';

/** Why a prompt could not be used. */
export type PromptErrorCode = 'PROMPT_SYNTAX' | 'PROMPT_INVALID' | 'PROMPT_TOO_LONG' | 'PROMPT_VERBALIZER';

/** A prompt failure; the message shows the template, what is wrong and the fix. */
export class PromptError extends CodedError<PromptErrorCode> {}
