// The server's one error type and the one table from every error code the layers below raise to the HTTP answer:
// a status, a stable code, a message that names the field, the value and the fix, every problem as data, and
// (for 429/503) when to retry. Every failure a client can cause is turned into one of these here, nowhere else.
import { AppError } from '../app/errors.js';
import { ClassifierError } from '../core/train/index.js';
import { CodedError, type Problem } from '../shared/index.js';
import { StoreError } from '../store/index.js';

/** Codes a client can branch on. */
export type ServerErrorCode =
  | 'BAD_JSON'
  | 'BAD_UTF8'
  | 'BAD_REQUEST'
  | 'BODY_TOO_LARGE'
  | 'TEXT_TOO_LONG'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'SATURATED'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PRECONDITION_FAILED'
  | 'UNAVAILABLE'
  | 'INTERNAL';

/** The statuses the server answers with. */
export type ServerStatus = 400 | 401 | 403 | 404 | 409 | 413 | 429 | 500 | 503;

/** A failure answered as JSON `{ error: { code, message, problems?, requestId } }` with `status`. */
export class ServerError extends CodedError<ServerErrorCode> {
  constructor(
    readonly status: ServerStatus,
    code: ServerErrorCode,
    message: string,
    /** Seconds after which a retry may succeed (429 / 503). */
    readonly retryAfter?: number,
    /** Each thing wrong with the request, as data (validation failures list every one). */
    readonly problems?: readonly Problem[],
  ) {
    super(code, message);
  }
}

/** Every lower layer's error code and what the client sees for it. */
export const HTTP_ERRORS: Readonly<Record<string, { status: ServerStatus; code: ServerErrorCode }>> = {
  // store
  STORE_NOT_FOUND: { status: 404, code: 'NOT_FOUND' },
  STORE_INVALID: { status: 400, code: 'BAD_REQUEST' },
  STORE_CONFLICT: { status: 409, code: 'CONFLICT' },
  // application workflows
  INVALID_INPUT: { status: 400, code: 'BAD_REQUEST' },
  NOT_FOUND: { status: 404, code: 'NOT_FOUND' },
  PRECONDITION: { status: 409, code: 'PRECONDITION_FAILED' },
  // the classifier
  CLASSIFIER_INPUT: { status: 400, code: 'BAD_REQUEST' },
};

/** A failure as the client sees it: status, code, message, problems, Retry-After. */
export function toServerError(e: unknown): ServerError {
  if (e instanceof ServerError) return e;
  const coded = StoreError.isInstance(e) || AppError.isInstance(e) || ClassifierError.isInstance(e) ? e : undefined;
  const known = coded && HTTP_ERRORS[coded.code];
  if (coded && known)
    return new ServerError(
      known.status,
      known.code,
      coded.message,
      undefined,
      AppError.isInstance(coded) ? coded.problems : undefined,
    );
  // Any other store failure is the database being unreachable or failing: retry shortly.
  if (StoreError.isInstance(e))
    return new ServerError(503, 'UNAVAILABLE', 'the store is unreachable right now: retry shortly.', 5);
  return new ServerError(
    500,
    'INTERNAL',
    'an internal error occurred: the request id in this answer finds it in the server log.',
  );
}
