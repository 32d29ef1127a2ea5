// Schema migrations: ordered, each applied in its own transaction and recorded in schema_migrations with a
// checksum, so re-running is a no-op, an edited applied migration is caught, and a database written by a newer
// Promptune is refused instead of being misread.
import { createHash } from 'node:crypto';
import type { Executor } from './driver.js';
import { StoreError } from './errors.js';
import { MIGRATIONS } from './migrations/index.js';
import { now } from './values.js';

/** One step of the schema. Statements are portable DDL that SQLite and PostgreSQL both accept. */
export interface Migration {
  /** 1, 2, 3, … with no gaps. */
  version: number;
  name: string;
  statements: readonly string[];
}

/** What migrate() did. */
export interface MigrationReport {
  /** Versions applied by this call (empty when the schema was already current). */
  applied: number[];
  /** The schema version now. */
  version: number;
}

/** The checksum recorded for a migration: sha256 of its name and statements. */
export function migrationChecksum(m: Migration): string {
  return createHash('sha256')
    .update(JSON.stringify([m.version, m.name, m.statements]))
    .digest('hex');
}

interface Applied {
  version: number;
  name: string;
  checksum: string;
}

// Any constant will do: it names the lock that serialises migrations from several processes on one server.
const PG_MIGRATION_LOCK = 7_365_109_201;

/** Brings the schema up to date; `location` names the database in messages. */
export async function migrate(
  ex: Executor,
  location: string,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrationReport> {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new StoreError(
        'STORE_MIGRATION',
        `migration "${m.name}" has version ${m.version} but is number ${i + 1} in the list.`,
      );
    }
  });
  // Reading first, outside any transaction, lets a read-only store open when its schema is current.
  const pending = check(await appliedMigrations(ex), migrations, location);
  const applied: number[] = [];
  for (const m of pending) {
    await ex.transaction(async (tx) => {
      if (tx.dialect === 'postgres') await tx.query(`SELECT pg_advisory_xact_lock(${PG_MIGRATION_LOCK})`);
      await tx.run(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
          version INTEGER PRIMARY KEY,
          name TEXT NOT NULL,
          checksum TEXT NOT NULL,
          applied_at TEXT NOT NULL
        )`,
      );
      // Another process may have applied it while this one waited for the lock.
      if (!check(await appliedMigrations(tx), migrations, location).some((p) => p.version === m.version)) return;
      for (const sql of m.statements) await tx.run(sql);
      await tx.run('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)', [
        m.version,
        m.name,
        migrationChecksum(m),
        now(),
      ]);
      applied.push(m.version);
    });
  }
  return { applied, version: migrations.length };
}

/** The schema version of a database: the highest applied migration, 0 for an empty database. */
export async function schemaVersion(ex: Executor): Promise<number> {
  return Math.max(0, ...(await appliedMigrations(ex)).map((a) => a.version));
}

async function appliedMigrations(ex: Executor): Promise<Applied[]> {
  const exists =
    ex.dialect === 'sqlite'
      ? await ex.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
      : await ex.query(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'",
        );
  if (exists.length === 0) return [];
  return ex.query<Applied>('SELECT version, name, checksum FROM schema_migrations ORDER BY version');
}

/** The migrations still to apply; refuses a newer database or an applied migration that changed. */
function check(applied: Applied[], migrations: readonly Migration[], location: string): Migration[] {
  const newest = applied[applied.length - 1];
  if (newest && newest.version > migrations.length) {
    throw new StoreError(
      'STORE_TOO_NEW',
      `the store at ${location} has schema version ${newest.version} ("${newest.name}"), but this Promptune knows only up to ` +
        `version ${migrations.length}: upgrade Promptune (npm install promptune@latest), or use another store (PROMPTUNE_STORE_URL).`,
    );
  }
  for (const a of applied) {
    const m = migrations[a.version - 1] as Migration;
    if (migrationChecksum(m) !== a.checksum) {
      throw new StoreError(
        'STORE_MIGRATION',
        `migration ${a.version} ("${m.name}") differs from the one applied to ${location} (checksum ${a.checksum.slice(0, 12)} there, ${migrationChecksum(m).slice(0, 12)} here). Applied migrations must never change: restore the original and put the change in a new migration.`,
      );
    }
  }
  const done = new Set(applied.map((a) => a.version));
  return migrations.filter((m) => !done.has(m.version));
}
