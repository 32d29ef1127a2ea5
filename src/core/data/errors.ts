// Typed errors of the data layer (bad rows are not errors: they are reported as problems, see import.ts).
import { CodedError } from '../../shared/index.js';

/** Why a data file could not be read at all. */
export type DataErrorCode = 'DATA_FILE' | 'DATA_FORMAT' | 'DATA_COLUMNS' | 'DATA_STRICT' | 'DATA_TOO_SMALL';

/** A data failure; the message names the file, what is wrong and the fix. */
export class DataError extends CodedError<DataErrorCode> {}
