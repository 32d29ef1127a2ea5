// Typed errors of the model layer: what was wrong with a checkpoint and how to fix it.
import { CodedError } from '../../shared/index.js';

/** Why loading or saving a model failed: lets callers branch without parsing messages. */
export type ModelErrorCode = 'MODEL_CONFIG' | 'MODEL_UNSUPPORTED' | 'MODEL_FILES' | 'MODEL_WEIGHTS' | 'MODEL_INPUT';

/** A model-layer failure; the message names the file or field, the value and the fix. */
export class ModelError extends CodedError<ModelErrorCode> {}
