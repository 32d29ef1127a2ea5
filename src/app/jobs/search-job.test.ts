// A search queued as a job, as the HTTP API queues it: the search job plans it and queues its trials as train
// jobs, workers run them, the results come back best first; the best model is exported by an export job; a
// malformed space fails its job at once instead of being retried.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSearchSpace } from '../../core/train/index.js';
import { type Store, openStore } from '../../store/index.js';
import { openProject } from '../project.js';
import { searchResults } from '../search/results.js';
import { planSearch, queueTrials, readSearch, saveSearch, searchTrials } from '../search/search.js';
import { reviewTaskDir } from '../testing.js';
import { JOB_HANDLERS } from './handlers.js';
import { runWorker } from './worker.js';

const dir = reviewTaskDir('pt-search-job-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const task = join(dir, 'promptune.yaml');
const base = { recipe: 'classification', epochs: '1', 'max-length': '32', 'batch-size': '32' };

async function drain(store: Store): Promise<void> {
  await runWorker(store, JOB_HANDLERS, { untilEmpty: true, pollMs: 10 });
}

describe('search and export jobs', () => {
  it('plans a search, runs its trials as train jobs, and exports the best model', async () => {
    const store = await openStore(join(dir, '.promptune', 'promptune.db'));
    try {
      const job = await store.jobs.enqueue('search', { task, space: { lr: [1e-4, 1e-3] }, base });
      await drain(store);
      const done = await store.jobs.get(job.id);
      expect(done).toMatchObject({ status: 'completed', result: { sampler: 'grid', trials: 2, queued: 2 } });
      const searchId = (done.result as { searchId: string }).searchId;

      const trains = await store.jobs.list({ kind: 'train' });
      expect(trains.map((j) => j.status)).toEqual(['completed', 'completed']);
      const project = await openProject({ task, cwd: dir, store });
      const rows = await searchResults(project, readSearch(project, searchId));
      await project.close();
      expect(rows.map((r) => r.status)).toEqual(['completed', 'completed']);
      expect(rows.map((r) => r.params.lr).sort()).toEqual([1e-4, 1e-3]);
      expect((rows[0]?.dev ?? 0) >= (rows[1]?.dev ?? 0)).toBe(true);

      const out = join(dir, 'exported');
      const exp = await store.jobs.enqueue('export', { task, input: { format: 'hf', out, run: rows[0]?.run } });
      await drain(store);
      expect(await store.jobs.get(exp.id)).toMatchObject({ status: 'completed', result: { format: 'hf', out } });
      expect(existsSync(join(out, 'config.json'))).toBe(true);
    } finally {
      await store.close();
    }
  }, 120_000);

  it('fails a search job with a malformed space at once, naming the field', async () => {
    const store = await openStore(join(dir, '.promptune', 'promptune.db'));
    try {
      const job = await store.jobs.enqueue('search', { task, space: 'lr: {min: 1e-3, max: 1e-5}', base }, { maxAttempts: 3 });
      await drain(store);
      const failed = await store.jobs.get(job.id);
      expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
      expect(failed.error).toContain('payload.space');
      expect(failed.error).toContain('min must be below max');
    } finally {
      await store.close();
    }
  });

  it('queues each trial once when two workers queue the same trials at the same moment', async () => {
    const store = await openStore(join(dir, '.promptune', 'promptune.db'));
    const project = await openProject({ task, cwd: dir, store });
    try {
      const state = await planSearch(project, { space: readSearchSpace('lr: [1e-4, 3e-4, 1e-3]'), spaceFile: 'space', base });
      saveSearch(project, state);
      const [a, b] = await Promise.all([queueTrials(project, state), queueTrials(project, state)]);
      expect(a + b).toBe(3);
      const trials = await searchTrials(project, state);
      expect(trials.map((r) => r.id).sort()).toEqual([1, 2, 3].map((n) => `run_${state.id}-trial-${n}`));
      const jobs = (await store.jobs.list({ kind: 'train' })).filter((j) =>
        trials.some((r) => (j.payload as { runId: string }).runId === r.id),
      );
      expect(jobs).toHaveLength(3);
      for (const j of jobs) await store.jobs.cancel(j.id);
    } finally {
      await project.close();
      await store.close();
    }
  });
});
