// A PostgreSQL server for the store's tests, so `npm run test` covers both backends: the server that
// PROMPTUNE_TEST_PG_URL names, or else a throw-away cluster from scripts/with-postgres.sh. Without PostgreSQL
// the PostgreSQL suite fails in CI and is skipped, with the reason printed, elsewhere.
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/** A running test server. */
export interface TestPostgres {
  /** Superuser URL of its `postgres` database. */
  url: string;
  /** How long starting it took (0 when it was already running). */
  startupMs: number;
  /** Stops and deletes a cluster started here; leaves an external server alone. */
  stop(): Promise<void>;
}

const SCRIPT = fileURLToPath(new URL('../../../scripts/with-postgres.sh', import.meta.url));
const START_TIMEOUT_MS = 60_000;

function inCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci !== 'false';
}

function installed(): boolean {
  try {
    return readdirSync('/usr/lib/postgresql').length > 0;
  } catch {
    return false;
  }
}

/**
 * Starts (or finds) the test server; undefined, after printing why, when PostgreSQL is unavailable outside CI.
 * The cluster dies with this process even if it is killed: the script cleans up when its stdin closes.
 */
export async function startTestPostgres(): Promise<TestPostgres | undefined> {
  const external = process.env.PROMPTUNE_TEST_PG_URL;
  if (external) return { url: external, startupMs: 0, stop: async () => {} };
  if (!installed()) {
    const reason =
      'PostgreSQL is not installed (nothing under /usr/lib/postgresql): run `bash scripts/setup.sh` as root, or set PROMPTUNE_TEST_PG_URL to a server the tests may use.';
    if (inCi()) throw new Error(`store tests: ${reason}`);
    console.warn(`store tests: skipping the PostgreSQL suite: ${reason}`);
    return undefined;
  }
  const started = performance.now();
  const child = spawn('bash', [SCRIPT, 'sh', '-c', 'echo "PROMPTUNE_TEST_PG_URL=$PROMPTUNE_TEST_PG_URL"; exec cat >/dev/null'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const url = await readUrl(child);
  const startupMs = performance.now() - started;
  // Never keep the test process alive for the cluster's sake; closing stdin (or exiting) stops it.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as { unref?: () => void } | null)?.unref?.();
  return { url, startupMs, stop: () => stopChild(child) };
}

function readUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(`no server after ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    const onExit = (code: number | null) => fail(`scripts/with-postgres.sh exited with ${code}`);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGTERM');
      reject(new Error(`store tests: the throw-away PostgreSQL did not start (${why}):\n${err}`));
    };
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /PROMPTUNE_TEST_PG_URL=(\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout?.removeAllListeners('data');
        child.off('exit', onExit);
        resolve(m[1] as string);
      }
    });
    child.on('exit', onExit);
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin?.end();
  const timer = setTimeout(() => child.kill('SIGTERM'), 15_000);
  await exited;
  clearTimeout(timer);
}

let databases = 0;

/** A new empty database on the test server; returns its URL. */
export async function createTestDatabase(serverUrl: string): Promise<string> {
  databases += 1;
  const name = `promptune_test_${process.pid}_${databases}`;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}
