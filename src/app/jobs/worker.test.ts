// The worker loop over the store's queue: a graceful stop hands the job back without spending an attempt, so
// rolling restarts never fail a long job; a failure still counts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Store, openStore } from '../../store/index.js';
import { createTestDatabase, startTestPostgres } from '../../store/testing/postgres.js';
import { AppError } from '../errors.js';
import { type JobHandler, runWorker } from './worker.js';

const pg = await startTestPostgres();
const tmp = mkdtempSync(join(tmpdir(), 'pt-worker-'));
afterAll(async () => {
  await pg?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const backends = [
  { name: 'sqlite', available: true, url: async () => join(tmp, `${Math.random().toString(36).slice(2)}.db`) },
  { name: 'postgres', available: pg !== undefined, url: () => createTestDatabase((pg as { url: string }).url) },
];

/**
 * Runs one worker until its handler has started, then stops it as SIGTERM would; the handler stops as batch scoring
 * does (a result with completed: false) or as training does (it throws after checkpointing).
 */
async function stopMidJob(store: Store, kind: string, how: 'resolve' | 'throw'): Promise<number> {
  const stop = new AbortController();
  const handler: JobHandler = (_job, ctx) =>
    new Promise((resolve, reject) => {
      ctx.progress({ started: true });
      ctx.signal.addEventListener(
        'abort',
        () => (how === 'resolve' ? resolve({ completed: false }) : reject(new Error('training stopped on request'))),
        { once: true },
      );
      stop.abort();
    });
  return runWorker(store, { [kind]: handler }, { signal: stop.signal, leaseMs: 60_000, pollMs: 10 });
}

describe.each(backends)('worker on $name', (backend) => {
  it.runIf(backend.available)('five graceful stops mid-job leave it queued, attempts untouched; then it runs', async () => {
    const store = await openStore(await backend.url());
    try {
      const job = await store.jobs.enqueue('train', { n: 1 }, { maxAttempts: 3 });
      for (let i = 0; i < 5; i++) expect(await stopMidJob(store, 'train', i % 2 ? 'throw' : 'resolve')).toBe(0);
      expect(await store.jobs.get(job.id)).toMatchObject({ status: 'queued', attempts: 0, workerId: null });

      const done = await runWorker(store, { train: async (j) => ({ echoed: j.payload }) }, { untilEmpty: true });
      expect(done).toBe(1);
      expect(await store.jobs.get(job.id)).toMatchObject({ status: 'completed', attempts: 1, result: { echoed: { n: 1 } } });
      // The job's log tells the story: five hand-backs that did not count, then the claim that finished it.
      const log = (await store.jobLogs.list(job.id)).map((l) => l.message);
      expect(log.filter((m) => m.startsWith('handed back by'))).toHaveLength(5);
      expect(log.at(-2)).toMatch(/^claimed by .+ \(attempt 1 of 3\)$/);
      expect(log.at(-1)).toMatch(/^completed by /);
      expect((await store.jobLogs.list(job.id, { after: log.length - 1 })).map((l) => l.seq)).toEqual([log.length]);

      const failing = await store.jobs.enqueue('bad', {}, { maxAttempts: 2, retryDelayMs: 0 });
      await runWorker(
        store,
        {
          bad: async () => {
            throw new Error('disk full');
          },
        },
        { untilEmpty: true },
      );
      expect(await store.jobs.get(failing.id)).toMatchObject({ status: 'failed', attempts: 2, error: 'disk full' });
      expect((await store.jobLogs.list(failing.id)).filter((l) => l.level === 'error').map((l) => l.message)).toEqual([
        expect.stringMatching(/^failed on .+: disk full \(will be retried\)$/),
        expect.stringMatching(/^failed on .+: disk full \(no attempts left\)$/),
      ]);

      // An error another attempt cannot fix (wrong input) fails the job at once, attempts left or not.
      const wrong = await store.jobs.enqueue('bad', {}, { maxAttempts: 3, retryDelayMs: 0 });
      await runWorker(
        store,
        {
          bad: async () => {
            throw new AppError('INVALID_INPUT', 'payload.spec.lr: expected a number');
          },
        },
        { untilEmpty: true },
      );
      expect(await store.jobs.get(wrong.id)).toMatchObject({
        status: 'failed',
        attempts: 1,
        error: 'payload.spec.lr: expected a number',
      });
      expect((await store.jobs.list({ status: 'cancelled' })).map((j) => j.id)).not.toContain(wrong.id);
    } finally {
      await store.close();
    }
  });

  it.runIf(backend.available)('a cancelled job stops within seconds and frees its worker for the next one', async () => {
    const store = await openStore(await backend.url());
    const stop = new AbortController();
    try {
      const long = await store.jobs.enqueue('train', { n: 'long' });
      const next = await store.jobs.enqueue('train', { n: 'next' });
      let stoppedBy: unknown;
      const handlers: Record<string, JobHandler> = {
        train: (job, ctx) => {
          if (job.id === next.id) {
            stop.abort();
            return Promise.resolve({ ran: 'next' });
          }
          return new Promise((_resolve, reject) => {
            ctx.signal.addEventListener('abort', () => {
              stoppedBy = ctx.signal.reason;
              reject(new Error('training stopped on request'));
            });
            // The cancel comes from elsewhere (the CLI, the API) while the handler runs.
            void store.jobs.cancel(job.id);
          });
        },
      };
      const started = Date.now();
      expect(await runWorker(store, handlers, { signal: stop.signal, leaseMs: 900, pollMs: 20 })).toBe(1);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(stoppedBy).toBe('cancelled');
      expect(await store.jobs.get(long.id)).toMatchObject({ status: 'cancelled', attempts: 1 });
      expect(await store.jobs.get(next.id)).toMatchObject({ status: 'completed', result: { ran: 'next' } });
    } finally {
      stop.abort();
      await store.close();
    }
  });
});
