// The dialect seam: repositories write SQL once, with `?` placeholders, against this small async interface; one
// driver per database (SQLite, PostgreSQL) makes the semantics identical. Values crossing it are only strings,
// finite or non-finite numbers and null: timestamps are ISO-8601 text, JSON is TEXT, there are no boolean columns.

/** Which database is behind a driver; repositories branch on it only where SQL cannot be shared. */
export type Dialect = 'sqlite' | 'postgres';

/** A value bound to a `?` placeholder. */
export type SqlValue = string | number | null;

/** A row as the database returns it, keyed by column name. */
export type SqlRow = Record<string, SqlValue>;

/** Runs statements: the driver itself, or one transaction of it. */
export interface Executor {
  readonly dialect: Dialect;
  /** Rows of a statement that returns rows (SELECT, or INSERT … RETURNING). */
  query<T extends object = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Runs a statement that returns no rows; `changes` is how many rows it inserted, updated or deleted. */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
  /** Runs `fn` in a transaction (a savepoint when nested): committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T>;
}

/** A connection to one database. */
export interface Driver extends Executor {
  /** Where the data lives, for messages: a file path, ":memory:", or a URL with the password hidden. */
  readonly location: string;
  /** Releases the connection(s); later calls fail with STORE_CLOSED. Idempotent. */
  close(): Promise<void>;
}

/**
 * Rewrites `?` placeholders as PostgreSQL's `$1, $2, …`, leaving question marks inside quoted strings,
 * quoted identifiers and comments alone.
 */
export function numberPlaceholders(sql: string): string {
  let out = '';
  let n = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i] as string;
    if (c === "'" || c === '"') {
      const end = closingQuote(sql, i, c);
      out += sql.slice(i, end);
      i = end - 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop - 1;
    } else if (c === '?') {
      n += 1;
      out += `$${n}`;
    } else {
      out += c;
    }
  }
  return out;
}

/** Index just past the quote that closes the one at `start` (a doubled quote is an escaped one). */
function closingQuote(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i += 1;
  }
  return sql.length;
}
