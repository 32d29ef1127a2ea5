// PostgreSQL behind the driver seam (node-postgres Pool): `?` placeholders numbered for the server, BIGINT read
// as a JS number like SQLite's integers, and every connection or server failure turned into a StoreError that
// names host:port and what to check.
import pg from 'pg';
import { type Driver, type Executor, type SqlValue, numberPlaceholders } from './driver.js';
import { StoreError } from './errors.js';
import { TransactionScope } from './transaction-scope.js';
import { redactUrl } from './url.js';

/** How to connect to a PostgreSQL server. */
export interface PostgresOptions {
  /** Connections in the pool (default 10). */
  maxConnections?: number;
  /** How long to wait for a connection before failing (default 10000 ms). */
  connectTimeoutMs?: number;
}

/** Connects to the database named by a postgres:// URL and checks that it answers. */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<Driver> {
  const target = describeTarget(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    application_name: 'promptune',
    types: { getTypeParser: typeParser as typeof pg.types.getTypeParser },
  });
  // An idle connection dropped by the server is reported here; the next call gets a fresh connection instead.
  pool.on('error', () => {});
  try {
    await pool.query('SELECT 1');
  } catch (e) {
    await pool.end().catch(() => {});
    throw postgresError(e, target);
  }
  return new PostgresDriver(pool, target);
}

// COUNT(*) and BIGINT arrive as strings by default; our integers stay far below 2^53, so read them as numbers.
function typeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (oid === pg.types.builtins.INT8) return (value: string) => Number(value);
  return pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown;
}

/** Where a URL points, for messages: host, port, database and user, never the password. */
interface Target {
  host: string;
  port: string;
  database: string;
  user: string;
  /** The URL with its password replaced by ***. */
  location: string;
}

function describeTarget(url: string): Target {
  const u = new URL(url);
  return {
    host: decodeURIComponent(u.hostname) || 'localhost',
    port: u.port || '5432',
    database: decodeURIComponent(u.pathname.slice(1)) || decodeURIComponent(u.username) || 'postgres',
    user: decodeURIComponent(u.username) || process.env.PGUSER || process.env.USER || '',
    location: redactUrl(url),
  };
}

// Placeholders are numbered once per SQL text.
const NUMBERED = new Map<string, string>();

function numbered(sql: string): string {
  let text = NUMBERED.get(sql);
  if (text === undefined) {
    text = numberPlaceholders(sql);
    if (NUMBERED.size >= 1000) NUMBERED.clear();
    NUMBERED.set(sql, text);
  }
  return text;
}

type Queryable = pg.Pool | pg.PoolClient;

async function queryOn<T>(target: Target, on: Queryable, sql: string, params: readonly SqlValue[]): Promise<T[]> {
  try {
    const result = await on.query(numbered(sql), params as SqlValue[]);
    return result.rows as T[];
  } catch (e) {
    throw postgresError(e, target, sql);
  }
}

async function runOn(target: Target, on: Queryable, sql: string, params: readonly SqlValue[]): Promise<{ changes: number }> {
  try {
    const result = await on.query(numbered(sql), params as SqlValue[]);
    return { changes: result.rowCount ?? 0 };
  } catch (e) {
    throw postgresError(e, target, sql);
  }
}

class PostgresDriver implements Driver {
  readonly dialect = 'postgres' as const;
  readonly location: string;
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly target: Target,
  ) {
    this.location = target.location;
  }

  async query<T extends object>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    this.checkOpen();
    return queryOn<T>(this.target, this.pool, sql, params);
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    this.checkOpen();
    return runOn(this.target, this.pool, sql, params);
  }

  async transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
    this.checkOpen();
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw postgresError(e, this.target);
    }
    // A server that drops this connection mid-transaction also emits 'error' on it; the pending query rejects.
    const ignore = () => {};
    client.on('error', ignore);
    const scope = new TransactionScope();
    // A connection whose BEGIN or ROLLBACK failed is discarded rather than handed to the next caller.
    let broken = false;
    try {
      await runOn(this.target, client, 'BEGIN', []).catch((e: unknown) => {
        broken = true;
        throw e;
      });
      try {
        const result = await fn(new PostgresTx(this.target, client, scope));
        await runOn(this.target, client, 'COMMIT', []);
        return result;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw e;
      }
    } finally {
      scope.end();
      client.off('error', ignore);
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreError('STORE_CLOSED', `the store at ${this.location} is closed: open it again.`);
  }
}

/** One transaction on one pooled connection. */
class PostgresTx implements Executor {
  readonly dialect = 'postgres' as const;

  constructor(
    private readonly target: Target,
    private readonly client: pg.PoolClient,
    private readonly scope: TransactionScope,
  ) {}

  query<T extends object>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.scope.statement(() => queryOn<T>(this.target, this.client, sql, params));
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    return this.scope.statement(() => runOn(this.target, this.client, sql, params));
  }

  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
    return this.scope.savepoint(this, () => fn(this));
  }
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
]);

/** Turns a node-postgres failure into a StoreError that names the server and the fix. */
function postgresError(e: unknown, t: Target, sql?: string): StoreError {
  if (StoreError.isInstance(e)) return e;
  const err = e as { code?: unknown; message?: unknown; errors?: { code?: unknown }[] };
  const code = typeof err.code === 'string' ? err.code : typeof err.errors?.[0]?.code === 'string' ? err.errors[0].code : '';
  const message = typeof err.message === 'string' && err.message ? err.message : code || String(e);
  const where = `${t.host}:${t.port}`;
  if (
    NETWORK_CODES.has(code) ||
    /timeout expired|Connection terminated|connect ETIMEDOUT/i.test(message) ||
    code.startsWith('08')
  ) {
    return new StoreError(
      'STORE_CONNECT',
      `cannot reach PostgreSQL at ${where} (${message}). Check that the server is running and listening there (pg_isready -h ${t.host} -p ${t.port}), that the host and port in the store URL are right, and that no firewall blocks the connection.`,
      { cause: e },
    );
  }
  if (code === '28P01' || code === '28000') {
    return new StoreError(
      'STORE_AUTH',
      `PostgreSQL at ${where} refused user "${t.user}" (${message}). Check the user name and password in the store URL (percent-encode special characters in the password) and the server's pg_hba.conf.`,
      { cause: e },
    );
  }
  if (code === '3D000') {
    return new StoreError(
      'STORE_CONNECT',
      `database "${t.database}" does not exist on PostgreSQL at ${where}. Create it (createdb -h ${t.host} -p ${t.port} ` +
        `${t.database}) or fix the database name in the store URL.`,
      { cause: e },
    );
  }
  if (code === '57P01' || code === '57P02' || code === '57P03') {
    return new StoreError(
      'STORE_CONNECT',
      `PostgreSQL at ${where} is shutting down or starting up (${message}): retry shortly.`,
      {
        cause: e,
      },
    );
  }
  if (code === '25006') {
    return new StoreError(
      'STORE_READ_ONLY',
      `PostgreSQL at ${where} accepts only reads (${message}): point the store URL at the primary, not a standby.`,
      { cause: e },
    );
  }
  return new StoreError('STORE_QUERY', `PostgreSQL (${where}) rejected a statement: ${message}${sql ? `\n  sql: ${sql}` : ''}`, {
    cause: e,
  });
}
