// Typed errors of the TF-IDF + logistic-regression baseline.
import { CodedError } from '../../shared/index.js';

/** What went wrong: bad options, bad training data, nothing left to learn from, or a saved model that does not parse. */
export type BaselineErrorCode = 'BASELINE_OPTIONS' | 'BASELINE_DATA' | 'BASELINE_EMPTY_VOCABULARY' | 'BASELINE_FORMAT';

/** A baseline failure; the message names the option, row or field and the fix. */
export class BaselineError extends CodedError<BaselineErrorCode> {}
