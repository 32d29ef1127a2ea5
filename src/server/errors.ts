// The server's one error type: an HTTP status, a stable code, a message that names the field, the value and the
// fix, and (for 429/503) when to retry. Every failure a client can cause is turned into one of these.
import { CodedError } from '../shared/index.js';

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
  | 'UNAVAILABLE'
  | 'INTERNAL';

/** A failure answered as JSON `{ error: { code, message } }` with `status`. */
export class ServerError extends CodedError<ServerErrorCode> {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 429 | 500 | 503,
    code: ServerErrorCode,
    message: string,
    /** Seconds after which a retry may succeed (429 / 503). */
    readonly retryAfter?: number,
  ) {
    super(code, message);
  }
}
