// Typed errors of the prompt layer.

/** Why a prompt could not be used. */
export type PromptErrorCode = 'PROMPT_SYNTAX' | 'PROMPT_INVALID' | 'PROMPT_TOO_LONG' | 'PROMPT_VERBALIZER';

/** A prompt failure; the message shows the template, what is wrong and the fix. */
export class PromptError extends Error {
  override readonly name = 'PromptError';

  constructor(
    readonly code: PromptErrorCode,
    message: string,
  ) {
    super(message);
  }

  /** True for errors raised by the prompt layer. */
  static isInstance(e: unknown): e is PromptError {
    return e instanceof Error && e.name === 'PromptError';
  }
}
