// Pre-training as a workflow on the tiny XLM-R: progress as events, the result as data, input problems named by
// field; and as a queued job that a stopped worker hands back and the next attempt resumes from its checkpoint.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toyReviews } from '../../core/train/testing/toy-task.js';
import { openStore } from '../../store/index.js';
import { AppError } from '../errors.js';
import { pretrainJobHandler } from '../jobs/pretrain-job.js';
import type { JobHandler } from '../jobs/worker.js';
import { runWorker } from '../jobs/worker.js';
import type { ProgressEvent } from '../progress.js';
import { TINY_MODEL } from '../testing.js';
import { pretrain } from './pretrain.js';

const dir = mkdtempSync(join(tmpdir(), 'pt-app-pretrain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// 120 paragraphs of a few short reviews each.
const reviews = toyReviews(480, 5).map((e) => e.inputs.text);
writeFileSync(
  join(dir, 'corpus.txt'),
  Array.from({ length: 120 }, (_, i) => reviews.slice(4 * i, 4 * i + 4).join(' ')).join('\n\n'),
);
const small = { maxLength: 32, batchSize: 8, learningRate: 1e-3 };

async function problemsOf(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(AppError.isInstance(e), String(e)).toBe(true);
  return e as AppError;
}

describe('pretrain', () => {
  it('trains a few steps with progress events and reports masked-token accuracy', async () => {
    const events: ProgressEvent[] = [];
    const r = await pretrain(
      { model: TINY_MODEL, text: ['corpus.txt'], out: 'dapt', maxSteps: 6, checkpointEvery: 3, ...small },
      { cwd: dir, onProgress: (e) => events.push(e) },
    );
    expect(r).toMatchObject({ out: join(dir, 'dapt'), passages: 114, heldOut: 6, steps: 6, stoppedBy: 'max-steps' });
    expect(r.accuracyBefore).toBeGreaterThanOrEqual(0);
    expect(r.accuracy).toBeGreaterThanOrEqual(0);
    const steps = events.flatMap((e) => (e.type === 'step' ? [e] : []));
    expect(steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(steps.every((s) => s.phase === 'train' && s.total === 6 && Number.isFinite(s.loss))).toBe(true);
    expect(events).toContainEqual(expect.objectContaining({ type: 'eval', step: 6, metric: 'masked-accuracy' }));
    expect(events.at(-1)).toEqual({ type: 'phase-end', phase: 'train' });
    expect(events[0]).toMatchObject({ type: 'note', level: 'info', message: expect.stringMatching(/^pretrain: 114 passages/) });
    for (const f of ['config.json', 'metrics.jsonl', 'checkpoints']) expect(existsSync(join(dir, 'dapt', f))).toBe(true);
  }, 20_000);

  it('head-only: encodes the passages once (examples events), then trains the head', async () => {
    const events: ProgressEvent[] = [];
    const r = await pretrain(
      { model: TINY_MODEL, text: [join(dir, 'corpus.txt')], out: join(dir, 'head'), headOnly: true, epochs: 2, ...small },
      { onProgress: (e) => events.push(e) },
    );
    expect(events[0]).toEqual({ type: 'note', level: 'info', message: 'encoding 120 passages once (the encoder is frozen)' });
    const done = events.flatMap((e) => (e.type === 'examples' ? [e.done] : []));
    expect(done.at(-1)).toBe(120);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(r.stoppedBy).toBe('completed');
    expect(r.steps).toBeGreaterThan(0);
  }, 20_000);

  it('names each wrong field, and refuses to resume without checkpoints', async () => {
    const bad = await problemsOf(pretrain({ model: TINY_MODEL, text: [], out: 'x', mask: 2 }, { cwd: dir }));
    expect(bad.code).toBe('INVALID_INPUT');
    expect(bad.problems.map((p) => p.path).sort()).toEqual(['mask', 'text']);
    expect(bad.problems.find((p) => p.path === 'mask')).toMatchObject({ received: '2' });
    const unknown = await problemsOf(pretrain({ model: TINY_MODEL, text: ['a'], out: 'x', lr: 1 } as never, { cwd: dir }));
    expect(unknown.problems[0]).toMatchObject({ code: 'unrecognized_keys' });
    const resume = await problemsOf(
      pretrain({ model: TINY_MODEL, text: ['corpus.txt'], out: 'fresh', resume: true }, { cwd: dir }),
    );
    expect(resume).toMatchObject({ code: 'PRECONDITION' });
    expect(resume.problems[0]).toMatchObject({ path: 'resume', fix: expect.any(String) });
    expect(resume.message).toContain('has no checkpoints to continue from');
  });
});

describe('pretrain job', () => {
  it('a stopped worker hands the job back; the next attempt resumes from its checkpoint', async () => {
    const store = await openStore(join(dir, 'jobs.db'));
    try {
      const out = join(dir, 'job-out');
      const job = await store.jobs.enqueue('pretrain', {
        model: TINY_MODEL,
        text: [join(dir, 'corpus.txt')],
        out,
        maxSteps: 8,
        checkpointEvery: 100,
        ...small,
      });
      const stop = new AbortController();
      const seen: unknown[] = [];
      const stopping: JobHandler = (j, ctx) =>
        pretrainJobHandler(j, {
          ...ctx,
          progress: (p) => {
            seen.push(p);
            ctx.progress(p);
            if ((p as { step?: number }).step === 3) stop.abort();
          },
        });
      await runWorker(store, { pretrain: stopping }, { untilEmpty: true, pollMs: 10, signal: stop.signal });
      const handedBack = await store.jobs.get(job.id);
      expect(handedBack).toMatchObject({ status: 'queued', attempts: 0 });
      expect(seen).toContainEqual(expect.objectContaining({ owner: job.id, type: 'step', step: 3 }));
      expect(existsSync(join(out, 'checkpoints'))).toBe(true);
      expect(existsSync(join(out, 'config.json'))).toBe(false);

      await runWorker(store, { pretrain: pretrainJobHandler }, { untilEmpty: true, pollMs: 10 });
      const done = await store.jobs.get(job.id);
      expect(done).toMatchObject({ status: 'completed', result: { resumed: true, steps: 8, stoppedBy: 'max-steps', out } });
      expect(existsSync(join(out, 'config.json'))).toBe(true);

      // Relative paths fail the job at once, naming the field.
      const rel = await store.jobs.enqueue('pretrain', { model: TINY_MODEL, text: ['corpus.txt'], out }, { maxAttempts: 3 });
      await runWorker(store, { pretrain: pretrainJobHandler }, { untilEmpty: true, pollMs: 10 });
      const failed = await store.jobs.get(rel.id);
      expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
      expect(failed.error).toContain('payload.text.0');
    } finally {
      await store.close();
    }
  }, 20_000);
});
