// Typed errors of the model layer: what was wrong with a checkpoint and how to fix it.

/** Why loading or saving a model failed: lets callers branch without parsing messages. */
export type ModelErrorCode = 'MODEL_CONFIG' | 'MODEL_UNSUPPORTED' | 'MODEL_FILES' | 'MODEL_WEIGHTS' | 'MODEL_INPUT';

/** A model-layer failure; the message names the file or field, the value and the fix. */
export class ModelError extends Error {
  override readonly name = 'ModelError';

  constructor(
    readonly code: ModelErrorCode,
    message: string,
  ) {
    super(message);
  }

  /** True for errors raised by the model layer (also across module copies). */
  static isInstance(e: unknown): e is ModelError {
    return e instanceof Error && e.name === 'ModelError';
  }
}
