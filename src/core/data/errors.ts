// Typed errors of the data layer (bad rows are not errors: they are reported as problems, see import.ts).
import { CodedError } from '../../shared/index.js';

/** Why a data file could not be read at all. */
export type DataErrorCode = 'DATA_FILE' | 'DATA_FORMAT' | 'DATA_COLUMNS' | 'DATA_STRICT' | 'DATA_TOO_SMALL' | 'DATA_EMPTY';

/** Which file, and what to do about it, as data (the message says both too). */
export interface DataErrorDetails {
  file?: string;
  fix?: string;
  cause?: unknown;
}

/** A data failure; the message names the file, what is wrong and the fix. */
export class DataError extends CodedError<DataErrorCode> {
  readonly file?: string;
  readonly fix?: string;

  constructor(code: DataErrorCode, message: string, details: DataErrorDetails = {}) {
    super(code, message, details.cause === undefined ? undefined : { cause: details.cause });
    this.file = details.file;
    this.fix = details.fix;
  }
}
