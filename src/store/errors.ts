// Typed errors of the store: what was wrong (the URL, the server, the file, the schema, a record) and the fix.
import { CodedError } from '../shared/index.js';

/** Why a store call failed: lets callers branch without parsing messages. */
export type StoreErrorCode =
  | 'STORE_URL'
  | 'STORE_CONNECT'
  | 'STORE_AUTH'
  | 'STORE_NOT_SQLITE'
  | 'STORE_READ_ONLY'
  | 'STORE_MIGRATION'
  | 'STORE_TOO_NEW'
  | 'STORE_NOT_FOUND'
  | 'STORE_AMBIGUOUS'
  | 'STORE_CONFLICT'
  | 'STORE_INVALID'
  | 'STORE_CLOSED'
  | 'STORE_QUERY';

/** A store failure; the message names the database, the record or value at fault, and what to do. */
export class StoreError extends CodedError<StoreErrorCode> {}
