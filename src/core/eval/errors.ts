// Typed errors of evaluation: inputs of the wrong shape, or a metric that is undefined for the data given.
import { CodedError } from '../../shared/index.js';

/** Why an evaluation could not be computed. */
export type EvaluationErrorCode = 'EVAL_SHAPE' | 'EVAL_VALUE' | 'EVAL_UNDEFINED';

/** An evaluation failure; the message names the function, the argument that is wrong and the fix. */
export class EvaluationError extends CodedError<EvaluationErrorCode> {}
