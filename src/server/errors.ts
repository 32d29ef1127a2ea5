// The server's one error type and the one table from every error code the layers below raise to the HTTP answer:
// a status, a stable code, a message that names the field, the value and the fix, every problem as data, and
// (for 429/503) when to retry. Every failure a client can cause is turned into one of these here, nowhere else.
import { AppError, type AppErrorCode } from '../app/errors.js';
import { ClassifierError } from '../core/train/index.js';
import { CodedError, type Problem } from '../shared/index.js';
import { StoreError, type StoreErrorCode } from '../store/index.js';

type ClassifierErrorCode = ClassifierError['code'];

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

type Answer = { status: ServerStatus; code: ServerErrorCode; retryAfter?: number };
const unavailable: Answer = { status: 503, code: 'UNAVAILABLE', retryAfter: 5 };

/**
 * Every lower layer's error code and what the client sees for it. The table is total (a new code does not compile
 * until it is placed here); codes that mean the store itself failed answer 503 with Retry-After and a message that
 * hides the database's details.
 */
export const HTTP_ERRORS: Readonly<Record<StoreErrorCode | AppErrorCode | ClassifierErrorCode, Answer>> = {
  // store: the client named something missing, ambiguous, invalid or in the wrong state
  STORE_NOT_FOUND: { status: 404, code: 'NOT_FOUND' },
  STORE_AMBIGUOUS: { status: 400, code: 'BAD_REQUEST' },
  STORE_INVALID: { status: 400, code: 'BAD_REQUEST' },
  STORE_CONFLICT: { status: 409, code: 'CONFLICT' },
  // store: the database failed or is unreachable
  STORE_URL: unavailable,
  STORE_CONNECT: unavailable,
  STORE_AUTH: unavailable,
  STORE_NOT_SQLITE: unavailable,
  STORE_READ_ONLY: unavailable,
  STORE_MIGRATION: unavailable,
  STORE_TOO_NEW: unavailable,
  STORE_CLOSED: unavailable,
  STORE_QUERY: unavailable,
  // application workflows
  INVALID_INPUT: { status: 400, code: 'BAD_REQUEST' },
  NOT_FOUND: { status: 404, code: 'NOT_FOUND' },
  PRECONDITION: { status: 409, code: 'PRECONDITION_FAILED' },
  // a classifier directory (loading a model) or its input
  CLASSIFIER_MISSING: { status: 400, code: 'BAD_REQUEST' },
  CLASSIFIER_INVALID: { status: 400, code: 'BAD_REQUEST' },
  CLASSIFIER_INPUT: { status: 400, code: 'BAD_REQUEST' },
};

function storeUnavailable(): ServerError {
  return new ServerError(
    unavailable.status,
    unavailable.code,
    'the store is unreachable right now: retry shortly.',
    unavailable.retryAfter,
  );
}

/** A failure as the client sees it: status, code, message, problems, Retry-After. */
export function toServerError(e: unknown): ServerError {
  if (e instanceof ServerError) return e;
  const coded = StoreError.isInstance(e) || AppError.isInstance(e) || ClassifierError.isInstance(e) ? e : undefined;
  const known = coded && HTTP_ERRORS[coded.code];
  if (coded && known && known.status !== 503)
    return new ServerError(
      known.status,
      known.code,
      coded.message,
      known.retryAfter,
      AppError.isInstance(coded) ? coded.problems : undefined,
    );
  // The store failing or unreachable: retry shortly, without the database's details.
  if (StoreError.isInstance(e)) return storeUnavailable();
  return new ServerError(
    500,
    'INTERNAL',
    'an internal error occurred: the request id in this answer finds it in the server log.',
  );
}
