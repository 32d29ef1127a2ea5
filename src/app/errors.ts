// The application layer's one error type: a code every surface maps the same way (the CLI to an exit code, the
// server to an HTTP status), the problems it found, and the fix.
import { CodedError, type Problem, formatProblems } from '../shared/index.js';

/** Why a workflow refused or failed. */
export type AppErrorCode =
  /** The input is wrong: a field, a flag, a value. */
  | 'INVALID_INPUT'
  /** Something the input names does not exist. */
  | 'NOT_FOUND'
  /** The input is fine but the project is not ready for it (no training data, too little feedback). */
  | 'PRECONDITION';

/** A workflow failure with its problems; `message` is them, one after another. */
export class AppError extends CodedError<AppErrorCode> {
  readonly problems: Problem[];

  constructor(code: AppErrorCode, problems: Problem[] | string, options?: ErrorOptions) {
    const list = typeof problems === 'string' ? [{ code, path: '', message: problems }] : problems;
    super(code, formatProblems(list), options);
    this.problems = list;
  }
}
