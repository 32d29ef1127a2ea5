// SQLite behind the driver seam (better-sqlite3): WAL so readers never wait for the writer, foreign keys on,
// a busy timeout for other processes, and every transaction IMMEDIATE so two writers queue at BEGIN instead of
// deadlocking when both try to upgrade a read lock.
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import type { Driver, Executor, SqlValue } from './driver.js';
import { StoreError } from './errors.js';
import { TransactionScope } from './transaction-scope.js';

/** How to open a SQLite file. */
export interface SqliteOptions {
  /** Open without writing anything (no migrations, no WAL switch); writes fail with STORE_READ_ONLY. */
  readOnly?: boolean;
  /** How long to wait for another process's write lock before failing (default 5000 ms). */
  busyTimeoutMs?: number;
}

/** Opens (creating it and its directory when needed) a SQLite database file, or `:memory:`. */
export function openSqlite(path: string, options: SqliteOptions = {}): Driver {
  return new SqliteDriver(path, options);
}

type Db = Database.Database;
type Statement = Database.Statement<unknown[]>;

// Statements are prepared once per SQL text; bulk inserts of varying chunk sizes stay well under this.
const STATEMENT_CACHE = 500;

class SqliteDriver implements Driver {
  readonly dialect = 'sqlite' as const;
  readonly location: string;
  private readonly db: Db;
  private readonly statements = new Map<string, Statement>();
  private readonly busyTimeoutMs: number;
  // better-sqlite3 is one synchronous connection: while a transaction's callback awaits, other callers of
  // this driver must wait for it rather than slip their statements into it.
  private queue: Promise<void> = Promise.resolve();
  private readonly inTransaction = new AsyncLocalStorage<true>();
  private closed = false;

  constructor(path: string, options: SqliteOptions) {
    this.location = path;
    this.busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    const memory = path === ':memory:';
    if (!memory && !options.readOnly) {
      try {
        mkdirSync(dirname(path), { recursive: true });
      } catch (e) {
        throw new StoreError(
          'STORE_CONNECT',
          `cannot create the directory for the SQLite database ${path}: ${(e as Error).message}. Choose a writable location with PROMPTUNE_STORE_URL=sqlite:<path>.`,
          { cause: e },
        );
      }
    }
    try {
      this.db = new Database(path, { readonly: options.readOnly ?? false, fileMustExist: options.readOnly ?? false });
    } catch (e) {
      throw sqliteError(e, path);
    }
    try {
      this.db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
      // Reading the schema is the first touch of the file: a file that is not SQLite fails here, clearly.
      this.db.prepare('SELECT count(*) FROM sqlite_master').get();
      this.db.pragma('foreign_keys = ON');
      if (!memory && !options.readOnly) {
        this.db.pragma('journal_mode = WAL');
        // Safe with WAL (a power cut may lose the last commits, never corrupt) and much faster than FULL.
        this.db.pragma('synchronous = NORMAL');
      }
    } catch (e) {
      this.db.close();
      throw sqliteError(e, path);
    }
  }

  async query<T extends object>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    const release = await this.lock();
    try {
      return queryOn<T>(this, sql, params);
    } finally {
      release();
    }
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    const release = await this.lock();
    try {
      return runOn(this, sql, params);
    } finally {
      release();
    }
  }

  async transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
    const release = await this.lock();
    const scope = new TransactionScope();
    try {
      this.checkOpen();
      await this.begin();
      try {
        const result = await this.inTransaction.run(true, () => fn(new SqliteTx(this, scope)));
        this.exec('COMMIT');
        return result;
      } catch (e) {
        if (this.db.inTransaction) this.exec('ROLLBACK');
        throw e;
      }
    } finally {
      scope.end();
      release();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const release = await this.lock();
    try {
      if (this.closed) return;
      this.closed = true;
      this.statements.clear();
      this.db.close();
    } finally {
      release();
    }
  }

  /** Prepares (once) and runs a statement that returns rows. */
  all(sql: string, params: readonly SqlValue[]): unknown[] {
    const stmt = this.prepare(sql);
    try {
      return stmt.all(params as SqlValue[]);
    } catch (e) {
      throw sqliteError(e, this.location, sql);
    }
  }

  /** Prepares (once) and runs a statement that returns no rows. */
  write(sql: string, params: readonly SqlValue[]): number {
    const stmt = this.prepare(sql);
    try {
      return stmt.run(params as SqlValue[]).changes;
    } catch (e) {
      throw sqliteError(e, this.location, sql);
    }
  }

  /** Whether a statement returns rows. */
  returnsRows(sql: string): boolean {
    return this.prepare(sql).reader;
  }

  private prepare(sql: string): Statement {
    this.checkOpen();
    let stmt = this.statements.get(sql);
    if (!stmt) {
      try {
        stmt = this.db.prepare(sql);
      } catch (e) {
        throw sqliteError(e, this.location, sql);
      }
      if (this.statements.size >= STATEMENT_CACHE) this.statements.clear();
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  private exec(sql: string): void {
    try {
      this.db.exec(sql);
    } catch (e) {
      throw sqliteError(e, this.location, sql);
    }
  }

  // Waits for the write lock without blocking the event loop: BEGIN IMMEDIATE with no busy timeout, retried
  // with a growing pause, so other transactions in this process (on other connections) can finish meanwhile.
  private async begin(): Promise<void> {
    const deadline = Date.now() + this.busyTimeoutMs;
    this.db.pragma('busy_timeout = 0');
    try {
      for (let pause = 1; ; pause = Math.min(pause * 2, 50)) {
        try {
          this.db.exec('BEGIN IMMEDIATE');
          return;
        } catch (e) {
          if ((e as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) {
            throw sqliteError(e, this.location, 'BEGIN IMMEDIATE');
          }
        }
        await sleep(pause * (0.5 + Math.random()));
      }
    } finally {
      this.db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
    }
  }

  /** Waits for every earlier call of this driver to finish; the caller runs, then calls the returned release. */
  private async lock(): Promise<() => void> {
    this.checkOpen();
    this.checkNotInside();
    const previous = this.queue;
    let release!: () => void;
    this.queue = new Promise((r) => {
      release = r;
    });
    await previous;
    return release;
  }

  // Inside a transaction callback the driver itself would wait for the transaction to end: a certain hang.
  private checkNotInside(): void {
    if (this.inTransaction.getStore()) {
      throw new StoreError(
        'STORE_INVALID',
        'a statement was sent to the store itself from inside one of its transactions, which would wait forever ' +
          'for that transaction: use the store passed to the transaction callback instead.',
      );
    }
  }

  checkOpen(): void {
    if (this.closed) throw new StoreError('STORE_CLOSED', `the store at ${this.location} is closed: open it again.`);
  }
}

/** One transaction of a SQLite driver. */
class SqliteTx implements Executor {
  readonly dialect = 'sqlite' as const;

  constructor(
    private readonly driver: SqliteDriver,
    private readonly scope: TransactionScope,
  ) {}

  query<T extends object>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.scope.statement(async () => queryOn<T>(this.driver, sql, params));
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    return this.scope.statement(async () => runOn(this.driver, sql, params));
  }

  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
    return this.scope.savepoint(this, () => fn(this));
  }
}

function queryOn<T>(driver: SqliteDriver, sql: string, params: readonly SqlValue[]): T[] {
  if (!driver.returnsRows(sql)) {
    throw new StoreError('STORE_QUERY', `query() needs a statement that returns rows; use run() for: ${sql}`);
  }
  return driver.all(sql, params) as T[];
}

function runOn(driver: SqliteDriver, sql: string, params: readonly SqlValue[]): { changes: number } {
  if (driver.returnsRows(sql)) {
    return { changes: driver.all(sql, params).length };
  }
  return { changes: driver.write(sql, params) };
}

/** Turns a better-sqlite3 failure into a StoreError that names the file and the fix. */
function sqliteError(e: unknown, path: string, sql?: string): StoreError {
  if (StoreError.isInstance(e)) return e;
  const code = (e as { code?: unknown }).code;
  const message = (e as Error).message ?? String(e);
  if (code === 'SQLITE_NOTADB') {
    return new StoreError(
      'STORE_NOT_SQLITE',
      `${path} is not a SQLite database (${message}). Point the store elsewhere (PROMPTUNE_STORE_URL=sqlite:<path>) or move this file away so a fresh store can be created there.`,
      { cause: e },
    );
  }
  if (typeof code === 'string' && code.startsWith('SQLITE_READONLY')) {
    return new StoreError(
      'STORE_READ_ONLY',
      `the SQLite database ${path} is read-only (${message}). Make the file and its directory writable by this user, or open the store with { readOnly: true } to only read it.`,
      { cause: e },
    );
  }
  if (typeof code === 'string' && code.startsWith('SQLITE_CANTOPEN')) {
    return new StoreError(
      'STORE_CONNECT',
      `cannot open the SQLite database ${path} (${message}): check that the path names a file, not a directory, in a directory this user can read and write.`,
      { cause: e },
    );
  }
  if (code === 'SQLITE_BUSY') {
    return new StoreError(
      'STORE_QUERY',
      `the SQLite database ${path} stayed locked by another process past the busy timeout: find the process holding a long write transaction, or raise busyTimeoutMs.`,
      { cause: e },
    );
  }
  return new StoreError('STORE_QUERY', `SQLite (${path}) rejected a statement: ${message}${sql ? `\n  sql: ${sql}` : ''}`, {
    cause: e,
  });
}
