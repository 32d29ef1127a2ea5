// Opening a store: the URL (or PROMPTUNE_STORE_URL, or the default SQLite file under the project) picks the
// database, the driver connects, and the schema is brought up to date before anything else touches it.
import type { Driver } from './driver.js';
import { pgBossJobQueue } from './jobs/index.js';
import { migrate } from './migrate.js';
import { type PostgresOptions, openPostgres } from './postgres-driver.js';
import { type SqliteOptions, openSqlite } from './sqlite-driver.js';
import { type Store, createStore } from './store.js';
import { STORE_URL_ENV, parseStoreUrl } from './url.js';

/** How to open a store. */
export interface OpenStoreOptions extends SqliteOptions, PostgresOptions {
  /** The directory the default SQLite path is relative to (default: the current directory). */
  projectDir?: string;
  /** Apply pending migrations (default true). Without them an out-of-date schema fails on first use. */
  migrate?: boolean;
}

function resolveTarget(url: string | undefined, options: OpenStoreOptions) {
  const fromEnv = process.env[STORE_URL_ENV];
  return parseStoreUrl(url ?? (fromEnv === '' ? undefined : fromEnv), options.projectDir ?? process.cwd());
}

/** Connects to the database a store URL names (same rules as openStore) without migrating or wrapping it. */
export async function openDriver(url?: string, options: OpenStoreOptions = {}): Promise<Driver> {
  const target = resolveTarget(url, options);
  return target.kind === 'sqlite' ? openSqlite(target.path, options) : openPostgres(target.url, options);
}

/**
 * Opens the store a URL names — a SQLite path, `sqlite:<path>`, `:memory:`, or `postgres://…` — falling back to
 * PROMPTUNE_STORE_URL, then to `.promptune/promptune.db` under the project directory; applies pending migrations.
 */
export async function openStore(url?: string, options: OpenStoreOptions = {}): Promise<Store> {
  const target = resolveTarget(url, options);
  const driver = target.kind === 'sqlite' ? await openSqlite(target.path, options) : await openPostgres(target.url, options);
  if (options.migrate !== false) {
    try {
      await migrate(driver, driver.location);
    } catch (e) {
      await driver.close();
      throw e;
    }
  }
  // PostgreSQL's job queue runs on pg-boss (many workers on many machines); SQLite's is the store's own table.
  return createStore(driver, target.kind === 'postgres' ? { jobs: pgBossJobQueue(target.url, driver) } : {});
}
