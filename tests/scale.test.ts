// Several stateless servers and workers on one PostgreSQL, as a team deploys Promptune: two `promptune serve`
// processes share predictions and feedback; two `promptune worker` processes share the job queue; one worker is
// killed with SIGKILL in the middle of a batch-scoring job and the other finishes it with no row lost or
// duplicated; the database restarts under the servers and they answer 503 meanwhile and recover after.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { reviewProject } from '../src/cli/testing.js';
import { score, stateFileOf } from '../src/core/score/index.js';
import { tinyClassifierDir } from '../src/server/testing.js';
import { openStore } from '../src/store/index.js';
import { createTestDatabase, startTestPostgres } from '../src/store/testing/postgres.js';
import { runAsync } from './run-async.js';

const root = new URL('../', import.meta.url).pathname;
const bin = join(root, 'bin/promptune.mjs');
const pgServer = await startTestPostgres();
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await pgServer?.stop();
});

/** Starts a long-running promptune process and collects its output. */
function start(args: string[], cwd: string): { child: ChildProcess; out: () => string } {
  const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, PROMPTUNE_STORE_URL: '' } });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  return { child, out: () => out };
}

/** Polls `check` every 100 ms until it returns a value, failing after `ms`. */
async function until<T>(what: string, ms: number, check: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs pg_ctl on the throw-away cluster (as the postgres user when root, as the script does). */
function pgCtl(dataDir: string, args: string[]): void {
  const binDir = spawnSync('bash', ['-c', 'ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1'], {
    encoding: 'utf8',
  }).stdout.trim();
  const cmd = [join(binDir, 'pg_ctl'), '-D', dataDir, ...args];
  const r =
    process.getuid?.() === 0 ? spawnSync('runuser', ['-u', 'postgres', '--', ...cmd]) : spawnSync(cmd[0] as string, cmd.slice(1));
  if (r.status !== 0) throw new Error(`pg_ctl ${args.join(' ')} failed: ${r.stderr?.toString()}`);
}

describe.skipIf(!pgServer)('two servers and two workers on one PostgreSQL', () => {
  it('share predictions, feedback and jobs; survive a killed worker and a database restart', async () => {
    const url = await createTestDatabase((pgServer as { url: string }).url);
    const cwd = await reviewProject('pt-scale-');
    const task = /^name: (.+)$/m.exec(readFileSync(join(cwd, 'promptune.yaml'), 'utf8'))?.[1] as string;
    const model = tinyClassifierDir('classification', 21, { task });
    const keys = await runAsync(process.execPath, [bin, 'keys', 'create', 'ops', '--scopes', 'admin', '--store', url], { cwd });
    expect(keys.status, keys.stderr).toBe(0);
    const key = keys.stdout.trim();
    const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };

    const servers = [0, 1].map(() =>
      start(['serve', '--model', `live=${model}`, '--port', '0', '--threads', '1', '--store', url, '--drift-interval', '0'], cwd),
    );
    const urls = await Promise.all(
      servers.map((s) => until('a server to listen', 60_000, () => /listening on (http:\/\/\S+) /.exec(s.out())?.[1])),
    );

    // Stateless servers: a prediction made through one is found by the other.
    const predicted = await fetch(`${urls[0]}/v1/predict`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ text: 'Lovely tea.' }),
    });
    const id = ((await predicted.json()) as { prediction: { id: string } }).prediction.id;
    const fb = await fetch(`${urls[1]}/v1/feedback`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ predictionId: id, rating: 1 }),
    });
    expect(fb.status).toBe(201);

    // Batch-scoring jobs, queued through both servers, for two workers.
    const dir = mkdtempSync(join(tmpdir(), 'pt-scale-jobs-'));
    const rows = ['text,id'];
    for (let i = 0; i < 12_000; i++)
      rows.push(`"Review ${i}: the ${['tea', 'rice', 'bread'][i % 3]} was ${['great', 'stale', 'fine'][i % 3]}.",${i}`);
    const input = join(dir, 'reviews.csv');
    writeFileSync(input, `${rows.join('\n')}\n`);
    const jobIds: string[] = [];
    for (let j = 0; j < 3; j++) {
      const r = await fetch(`${urls[j % 2]}/v1/jobs`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ kind: 'score', payload: { data: input, out: join(dir, `out-${j}.csv`), model, batchSize: 16 } }),
      });
      expect(r.status).toBe(201);
      jobIds.push(((await r.json()) as { id: string }).id);
    }
    const workers = ['wA', 'wB'].map((w) =>
      start(['worker', '--store', url, '--id', w, '--lease', '2', '--kinds', 'score'], cwd),
    );

    // Kill worker A with SIGKILL once it is part-way through a job.
    const store = await openStore(url);
    const victim = await until('worker A to report progress', 60_000, async () => {
      const jobs = await store.jobs.list({ status: 'running' });
      // Part-way: the score state file (what a successor resumes from) has recorded rows.
      return jobs.find((j) => {
        const state = stateFileOf((j.payload as { out: string }).out);
        return j.workerId === 'wA' && existsSync(state) && (JSON.parse(readFileSync(state, 'utf8')) as { rows: number }).rows > 0;
      });
    });
    workers[0]?.child.kill('SIGKILL');

    // Worker B takes the dead worker's job over when its lease expires, and finishes everything.
    const finished = await until('every job to complete', 120_000, async () => {
      const jobs = await Promise.all(jobIds.map((j) => store.jobs.get(j)));
      return jobs.every((j) => j.status === 'completed') ? jobs : undefined;
    });
    const taken = finished.find((j) => j.id === victim.id);
    expect(taken?.attempts).toBe(2);
    expect(taken?.workerId).toBe('wB');
    expect((taken?.result as { resumedRows: number }).resumedRows).toBeGreaterThan(0);

    // No lost or duplicated rows: every output equals an uninterrupted scoring of the same file.
    const reference = join(dir, 'reference.csv');
    await score({ data: input, out: reference, model, batchSize: 16 });
    const expected = readFileSync(reference, 'utf8');
    for (let j = 0; j < 3; j++) expect(readFileSync(join(dir, `out-${j}.csv`), 'utf8') === expected, `out-${j}.csv`).toBe(true);
    expect(expected.trim().split('\n')).toHaveLength(12_001);

    // The database restarts: meanwhile the servers answer 503 with Retry-After, then serve again.
    const admin = new pg.Client({ connectionString: (pgServer as { url: string }).url });
    await admin.connect();
    const dataDir = (await admin.query('SHOW data_directory')).rows[0].data_directory as string;
    await admin.end();
    await store.close();
    if (!process.env.PROMPTUNE_TEST_PG_URL) {
      pgCtl(dataDir, ['-m', 'fast', '-w', 'stop']);
      const down = await fetch(`${urls[0]}/v1/predict`, { method: 'POST', headers: auth, body: JSON.stringify({ text: 'x' }) });
      expect(down.status).toBe(503);
      expect(down.headers.get('retry-after')).not.toBeNull();
      expect(((await down.json()) as { error: { code: string } }).error.code).toBe('UNAVAILABLE');
      expect((await fetch(`${urls[1]}/health/ready`)).status).toBe(503);
      const port = new URL((pgServer as { url: string }).url).port;
      pgCtl(dataDir, ['-w', '-o', `-p ${port}`, '-l', join(dataDir, '..', 'restart.log'), 'start']);
      for (const u of urls)
        await until('the server to recover', 30_000, async () => {
          const r = await fetch(`${u}/v1/predict`, {
            method: 'POST',
            headers: auth,
            body: JSON.stringify({ text: 'Fresh bread.' }),
          });
          return r.status === 200 ? true : undefined;
        });
    }
    for (const s of [...servers, workers[1]]) s?.child.kill('SIGTERM');
    for (const s of [...servers, workers[1]])
      if (s && s.child.exitCode === null) await new Promise((r) => s.child.once('close', r));
    expect(servers.map((s) => s.child.exitCode)).toEqual([0, 0]);
  }, 300_000);
});
