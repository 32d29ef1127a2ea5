// Opening stores: where the default lives, how the URL is chosen, and the errors for what cannot be opened.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { StoreError } from './errors.js';
import { migrate } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';
import { openDriver, openStore } from './open.js';
import { storeError, sampleTask as task } from './testing/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'pt-store-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  vi.unstubAllEnvs();
});

async function openError(url: string | undefined, options = {}): Promise<StoreError> {
  try {
    const store = await openStore(url, options);
    await store.close();
  } catch (e) {
    if (StoreError.isInstance(e)) return e;
    throw e;
  }
  throw new Error(`opened ${url}`);
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

describe('openStore', () => {
  it('creates .promptune/promptune.db under the project by default, in WAL mode, migrated', async () => {
    const project = join(dir, 'project');
    vi.stubEnv('PROMPTUNE_STORE_URL', '');
    const store = await openStore(undefined, { projectDir: project });
    const file = join(project, '.promptune', 'promptune.db');
    expect(store.location).toBe(file);
    expect(store.dialect).toBe('sqlite');
    expect(await store.schemaVersion()).toBe(MIGRATIONS.length);
    await store.close();
    expect(readFileSync(file).subarray(0, 15).toString()).toBe('SQLite format 3');
    const db = new Database(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('takes PROMPTUNE_STORE_URL when no URL is given, and an explicit URL over it', async () => {
    vi.stubEnv('PROMPTUNE_STORE_URL', 'sqlite:from-env.db');
    const fromEnv = await openStore(undefined, { projectDir: dir });
    expect(fromEnv.location).toBe(join(dir, 'from-env.db'));
    await fromEnv.close();
    const explicit = await openStore(':memory:', { projectDir: dir });
    expect(explicit.location).toBe(':memory:');
    await explicit.close();
  });

  it('turns foreign keys on', async () => {
    const driver = await openDriver(':memory:');
    await migrate(driver, ':memory:');
    const e = await storeError(
      driver.run("INSERT INTO datasets VALUES ('ab', 'no-such-task', 'train', 's', 0, '{}', NULL, '2025-01-01T00:00:00.000Z')"),
    );
    expect(e.message).toContain('FOREIGN KEY constraint failed');
    await driver.close();
  });

  it('refuses a file that is not a SQLite database', async () => {
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'these are my notes, not a database\n'.repeat(200));
    const e = await openError(file);
    expect(e.code).toBe('STORE_NOT_SQLITE');
    expect(e.message.replace(dir, '<dir>')).toMatchInlineSnapshot(
      `"<dir>/notes.txt is not a SQLite database (file is not a database). Point the store elsewhere (PROMPTUNE_STORE_URL=sqlite:<path>) or move this file away so a fresh store can be created there."`,
    );
  });

  it('opens read-only: reads work, writes fail with STORE_READ_ONLY', async () => {
    const file = join(dir, 'ro.db');
    const writer = await openStore(file);
    await writer.tasks.upsert(task('kept'));
    await writer.close();
    const reader = await openStore(file, { readOnly: true });
    expect((await reader.tasks.list()).map((t) => t.id)).toEqual(['kept']);
    const e = await storeError(reader.tasks.upsert(task('new')));
    expect(e.code).toBe('STORE_READ_ONLY');
    expect(e.message).toContain('is read-only');
    await reader.close();
  });

  it.skipIf(process.getuid?.() === 0)('reports a file without write permission as read-only', async () => {
    const file = join(dir, 'locked.db');
    await (await openStore(file)).close();
    chmodSync(file, 0o444);
    expect((await openError(file)).code).toBe('STORE_READ_ONLY');
  });

  it('reports a path it cannot open', async () => {
    const sub = join(dir, 'a-directory');
    mkdirSync(sub);
    expect((await openError(sub)).code).toBe('STORE_CONNECT');
    const missing = await openError(join(dir, 'missing.db'), { readOnly: true });
    expect(missing.code).toBe('STORE_CONNECT');
    expect(existsSync(join(dir, 'missing.db'))).toBe(false);
  });

  it('refuses a bad URL before connecting', async () => {
    expect((await openError('mysql://db/x')).code).toBe('STORE_URL');
  });

  it('names host:port and what to check when PostgreSQL is unreachable', async () => {
    const port = await freePort();
    const e = await openError(`postgres://me:secret@127.0.0.1:${port}/promptune`);
    expect(e.code).toBe('STORE_CONNECT');
    expect(e.message.replaceAll(String(port), '<port>')).toMatchInlineSnapshot(
      `"cannot reach PostgreSQL at 127.0.0.1:<port> (connect ECONNREFUSED 127.0.0.1:<port>). Check that the server is running and listening there (pg_isready -h 127.0.0.1 -p <port>), that the host and port in the store URL are right, and that no firewall blocks the connection."`,
    );
    expect(e.message).not.toContain('secret');
  });

  it('fails with STORE_CLOSED after close', async () => {
    const store = await openStore(':memory:');
    await store.close();
    await store.close();
    expect((await storeError(store.tasks.list())).code).toBe('STORE_CLOSED');
  });
});
