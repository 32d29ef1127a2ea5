// promptune worker with train jobs: a worker killed with SIGKILL mid-run leaves its job to the next worker, which
// resumes the same run from its newest checkpoint and saves exactly the model an uninterrupted job saves; SIGTERM
// hands the job back checkpointed, without spending an attempt. On SQLite the store's own queue runs the jobs; on
// PostgreSQL pg-boss does, and finds the dead worker by its missed heartbeats (pg-boss's floor: 10 s).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Job, openStore } from '../../store/index.js';
import { createTestDatabase, startTestPostgres } from '../../store/testing/postgres.js';
import { reviewProject, runCli } from '../testing.js';

const pg = await startTestPostgres();
afterAll(async () => {
  await pg?.stop();
});

const backends = [
  { name: 'sqlite', available: true, url: async (cwd: string) => join(cwd, '.promptune', 'promptune.db') },
  {
    name: 'postgres',
    available: pg !== undefined,
    url: async () => createTestDatabase((pg as { url: string }).url),
  },
];

const bin = join(new URL('../../../', import.meta.url).pathname, 'bin/promptune.mjs');
const TRAIN = ['--recipe', 'classification', '--epochs', '2', '--batch-size', '4', '--max-length', '32'];
const TRAIN_FLAGS = [...TRAIN, '--checkpoint-every', '5', '--lr', '1e-3'];

/** Starts `promptune worker` in the background; resolves its exit when asked. */
function startWorker(cwd: string, id: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [bin, 'worker', '--id', id, '--lease', '4', '--kinds', 'train'], {
    cwd,
    env: { ...process.env, ...env },
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, exited };
}

/** Waits until `check` holds (polling every 20 ms, at most `ms`). */
async function until(check: () => boolean | Promise<boolean>, ms = 90_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting for the worker');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(backends)('promptune worker: train jobs on $name', (backend) => {
  it.runIf(backend.available)(
    'kill -9 mid-run: the next worker resumes the run and saves the model an uninterrupted job saves',
    async () => {
      const cwd = await reviewProject('pt-worker-');
      const url = await backend.url(cwd);
      // A 10 s heartbeat window (pg-boss's least) and a check every second, so the dead worker is found in seconds.
      const env = { PROMPTUNE_STORE_URL: url, PROMPTUNE_JOB_HEARTBEAT_S: '10', PROMPTUNE_JOB_SUPERVISE_S: '1' };
      const store = await openStore(url);
      const job = async (id: string): Promise<Job> => store.jobs.get(id);
      const cli = (args: string[]) => runCli(cwd, args, { env });
      const queue = async (): Promise<string> => {
        const r = await cli(['jobs', 'add', 'train', '--', ...TRAIN_FLAGS]);
        expect(r.status, r.stderr).toBe(0);
        return r.stdout.trim();
      };
      try {
        // A bad option fails when queued, naming the flag, not later on a worker.
        const bad = await cli(['jobs', 'add', 'train', '--', '--lr', '0']);
        expect(bad.status).toBe(2);
        expect(bad.stderr).toContain('--lr 0:');

        const whole = await queue();
        const first = await cli(['worker', '--kinds', 'train', '--until-empty']);
        expect(first.status, first.stderr).toBe(0);
        const reference = (await job(whole)).result as { modelDir: string; steps: number; resumed: boolean };
        expect(reference).toMatchObject({ steps: 90, resumed: false });

        const killed = await queue();
        const a = startWorker(cwd, 'worker-a', env);
        let runId = '';
        await until(async () => {
          runId = ((await job(killed)).progress as { runId?: string } | null)?.runId ?? '';
          const dir = join(cwd, '.promptune', 'runs', runId, 'checkpoints');
          return runId !== '' && existsSync(dir) && readdirSync(dir).includes('step-0000010');
        });
        a.child.kill('SIGKILL');
        await a.exited;
        expect(await job(killed)).toMatchObject({ status: 'running', workerId: 'worker-a', attempts: 1 });

        // Worker B takes the job once A's lease has run out (on pg-boss, its heartbeat window), and resumes A's run.
        // The lease is 4 s, not 1: on a busy machine a live worker stalled past a 1 s lease and claimed its own job again.
        const b = startWorker(cwd, 'worker-b', env);
        await until(async () => (await job(killed)).status === 'completed');
        b.child.kill('SIGTERM');
        expect(await b.exited).toBe(0);
        const done = await job(killed);
        expect(done).toMatchObject({ attempts: 2, workerId: 'worker-b', result: { runId, resumed: true, steps: 90 } });
        const model = (dir: string) => readFileSync(join(dir, 'model.safetensors'));
        expect(model((done.result as { modelDir: string }).modelDir).equals(model(reference.modelDir))).toBe(true);
        expect(await store.runs.get(runId)).toMatchObject({ status: 'completed' });

        // SIGTERM mid-run: handed back queued, attempts untouched, the run checkpointed where it stopped.
        const stopped = await queue();
        const c = startWorker(cwd, 'worker-c', env);
        await until(async () => {
          const p = (await job(stopped)).progress as { runId?: string; step?: number } | null;
          return (p?.step ?? 0) >= 3;
        });
        c.child.kill('SIGTERM');
        expect(await c.exited).toBe(0);
        const back = await job(stopped);
        expect(back).toMatchObject({ status: 'queued', attempts: 0, workerId: null });
        const stoppedRun = (back.progress as { runId: string }).runId;
        expect(readdirSync(join(cwd, '.promptune', 'runs', stoppedRun, 'checkpoints')).some((d) => d.startsWith('step-'))).toBe(
          true,
        );
        const last = await cli(['worker', '--kinds', 'train', '--until-empty']);
        expect(last.status, last.stderr).toBe(0);
        expect(await job(stopped)).toMatchObject({
          status: 'completed',
          attempts: 1,
          result: { runId: stoppedRun, resumed: true },
        });
      } finally {
        await store.close();
      }
    },
    240_000,
  );
});
