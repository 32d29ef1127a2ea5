// How values cross the store: timestamps as ISO-8601 UTC text, JSON as text, ids that sort by creation time,
// and the checks that turn a bad argument into a message naming it.
import { randomBytes } from 'node:crypto';
import type { Executor, SqlValue } from './driver.js';
import { StoreError } from './errors.js';

/** Now, as the store writes timestamps: ISO-8601 UTC with milliseconds, so text order is time order. */
export function now(): string {
  return new Date().toISOString();
}

/**
 * The database's clock, in the same text form as now(). Leases are written and compared with it, never with a
 * process's own clock: a worker whose clock runs fast would otherwise take jobs whose leases are still live.
 */
export async function databaseNow(ex: Executor): Promise<Date> {
  const sql =
    ex.dialect === 'postgres'
      ? `SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS t`
      : "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now') AS t";
  const [row] = await ex.query<{ t: string }>(sql);
  return new Date((row as { t: string }).t);
}

let lastMs = 0;
let sequence = 0;

/**
 * A new id such as `run_m5x2k3p1-0000-9f3a1c`: milliseconds and a per-process sequence in base 36 (so ids sort by
 * creation time within a process), then random hex so two processes never collide.
 */
export function newId(prefix: string): string {
  const ms = Date.now();
  if (ms === lastMs) sequence += 1;
  else {
    lastMs = ms;
    sequence = 0;
  }
  return `${prefix}_${ms.toString(36).padStart(9, '0')}-${sequence.toString(36).padStart(4, '0')}-${randomBytes(3).toString('hex')}`;
}

/** JSON text of a value; undefined, functions and cycles are refused with the field's name. */
export function toJson(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    throw new StoreError('STORE_INVALID', `${what} cannot be stored as JSON (${(e as Error).message}): pass plain data.`);
  }
  if (text === undefined) {
    throw new StoreError('STORE_INVALID', `${what} is ${typeof value}, which JSON cannot hold: pass plain data (null for none).`);
  }
  return text;
}

/** Parses JSON text written by toJson. */
export function fromJson<T = unknown>(text: string | null): T {
  return (text === null ? null : JSON.parse(text)) as T;
}

const HASH = /^[0-9a-f]{8,128}$/;

/** Checks a content hash: lower-case hex, 8 to 128 digits (Promptune's are sha256, 64 digits). */
export function checkHash(hash: unknown, what: string): string {
  if (typeof hash !== 'string' || !HASH.test(hash)) {
    throw new StoreError(
      'STORE_INVALID',
      `${what} ${JSON.stringify(hash)} is not a content hash: use the lower-case hex digest (8 to 128 digits).`,
    );
  }
  return hash;
}

/** Checks a required, non-empty string field. */
export function checkText(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new StoreError('STORE_INVALID', `${what} must be a non-empty string, got ${JSON.stringify(value) ?? String(value)}.`);
  }
  return value;
}

/** Checks an optional string field: a string, or undefined/null for none (stored as NULL). */
export function optionalText(value: unknown, what: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new StoreError('STORE_INVALID', `${what} must be a string or null, got ${typeof value}.`);
  return value;
}

/** Checks an optional hash field. */
export function optionalHash(value: unknown, what: string): string | null {
  return value === undefined || value === null ? null : checkHash(value, what);
}

/** " WHERE a = ? AND b = ?" over the conditions whose value is given (none: ""), with their parameters in order. */
export function whereGiven(conditions: readonly (readonly [string, SqlValue | undefined])[]): {
  sql: string;
  params: SqlValue[];
} {
  const given = conditions.filter(([, v]) => v !== undefined);
  return {
    sql: given.length ? ` WHERE ${given.map(([c]) => c).join(' AND ')}` : '',
    params: given.map(([, v]) => v as SqlValue),
  };
}
