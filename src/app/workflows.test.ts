// The workflows as another surface calls them (no CLI): training reports its progress as events, retraining runs as
// a queued job that a worker executes by calling the workflow, and bad input comes back as an AppError listing every
// problem with its field.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import { retrainJobHandler } from './jobs/retrain-job.js';
import { runWorker } from './jobs/worker.js';
import type { ProgressEvent } from './progress.js';
import { openProject } from './project.js';
import { retrain } from './retrain/retrain.js';
import { reviewTaskDir } from './testing.js';
import { executeRun, openRun } from './train/run.js';
import { parseSpec } from './train/spec.js';

const dir = reviewTaskDir('pt-app-');
const project = await openProject({ cwd: dir });
afterAll(() => project.close());

describe('workflows', () => {
  it('a training run reports start, steps with loss / lr / throughput / ETA, dev evaluations and its end', async () => {
    const events: ProgressEvent[] = [];
    const spec = parseSpec({ recipe: 'classification', epochs: 1, maxLength: 32, k: 16, batchSize: 8 });
    const outcome = await executeRun(project, await openRun(project, spec), { onProgress: (e) => events.push(e) });
    expect(events[0]).toMatchObject({ type: 'start', runId: outcome.run.id, recipe: 'classification', trainExamples: 32 });
    const steps = events.filter((e) => e.type === 'step');
    expect(steps.map((s) => s.step)).toEqual([1, 2, 3, 4]);
    for (const s of steps) {
      expect(s).toMatchObject({ phase: 'train', total: 4 });
      expect(Number.isFinite(s.loss) && (s.lr ?? -1) >= 0 && (s.examplesPerSecond ?? 0) > 0).toBe(true);
    }
    expect(steps.at(-1)?.etaSeconds).toBe(0);
    expect(events.filter((e) => e.type === 'eval').map((e) => e.metric)).toEqual(['macro-f1']);
    expect(events.at(-1)).toEqual({ type: 'phase-end', phase: 'train' });
    // Plain JSON: what the server streams and the queue stores.
    expect(JSON.parse(JSON.stringify(events))).toEqual(events);
    expect(outcome.test?.n).toBe(100);
  });

  it('a run spec with several mistakes names every one, with its field and the value found', () => {
    const err = (() => {
      try {
        parseSpec({ recipe: 'classification', learningRate: 0, epochs: -1, lora: { r: 0 } });
      } catch (e) {
        return e;
      }
    })();
    expect(AppError.isInstance(err)).toBe(true);
    const problems = (err as AppError).problems;
    expect(problems.map((p) => [p.path, p.received])).toEqual([
      ['epochs', '-1'],
      ['learningRate', '0'],
      ['lora.r', '0'],
    ]);
    expect((err as AppError).code).toBe('INVALID_INPUT');
  });

  it('retraining refuses without feedback, then runs as a job: the worker calls the workflow, progress and verdict recorded', async () => {
    const none = await retrain(project, {}, { cwd: dir }).catch((e: unknown) => e);
    expect(none).toMatchObject({ code: 'PRECONDITION', problems: [{ code: 'TOO_LITTLE_FEEDBACK' }] });

    for (const [text, label] of [
      ['The honey was divine, best I ever had.', 'great'],
      ['Arrived broken and tasted of cardboard.', 'other'],
    ])
      await project.store.feedback.record({ taskId: project.loaded.task.name, input: { text }, correctLabel: label });
    const job = await project.store.jobs.enqueue('retrain', {
      task: join(dir, 'promptune.yaml'),
      input: { spec: { recipe: 'classification', epochs: 1, maxLength: 32, k: 16, batchSize: 8 } },
    });
    const bad = await project.store.jobs.enqueue(
      'retrain',
      { task: 'promptune.yaml', args: ['--epochs', '1'] },
      { maxAttempts: 1 },
    );
    expect(await runWorker(project.store, { retrain: retrainJobHandler }, { untilEmpty: true })).toBe(1);

    const done = await project.store.jobs.get(job.id);
    expect(done).toMatchObject({ status: 'completed', attempts: 1, progress: { type: 'eval', metric: 'macro-f1' } });
    const result = done.result as {
      runId: string;
      rows: number;
      feedbackRows: number;
      comparison: { n: number; verdict: string };
    };
    expect(result).toMatchObject({ rows: 202, feedbackRows: 2, comparison: { n: 100 } });
    expect(result.comparison.verdict).toMatch(/(No reliable difference between|is better than)/);
    expect(await project.store.runs.get(result.runId)).toMatchObject({ status: 'completed' });

    // A payload from before (CLI arguments, a relative path) fails with the fields named, not a stack trace.
    const failed = await project.store.jobs.get(bad.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain('payload.task: expected an absolute path');
    expect(failed.error).toContain('payload: Unrecognized key: "args"');

    // Stopped mid-training (a worker's SIGTERM): handed back with its run and merged dataset, then resumed from the
    // checkpoint by the next claim instead of merging the feedback again.
    const again = await project.store.jobs.enqueue('retrain', {
      task: join(dir, 'promptune.yaml'),
      input: { spec: { recipe: 'classification', epochs: 2, maxLength: 32, k: 16, batchSize: 8, checkpointEvery: 1 } },
    });
    const stop = new AbortController();
    const stopping: typeof retrainJobHandler = (j, ctx) =>
      retrainJobHandler(j, {
        ...ctx,
        progress: (p) => {
          ctx.progress(p);
          if ((p as { type?: string }).type === 'step') stop.abort();
        },
      });
    await runWorker(project.store, { retrain: stopping }, { signal: stop.signal, pollMs: 10 });
    const handedBack = await project.store.jobs.get(again.id);
    expect(handedBack).toMatchObject({ status: 'queued', attempts: 0 });
    const firstRun = (handedBack.progress as { runId: string }).runId;
    const mergedHash = (handedBack.progress as { dataset: { merged: { hash: string } } }).dataset.merged.hash;
    expect(await runWorker(project.store, { retrain: retrainJobHandler }, { untilEmpty: true })).toBe(1);
    const resumed = await project.store.jobs.get(again.id);
    expect(resumed.result).toMatchObject({ runId: firstRun, dataset: mergedHash });
    expect((await project.store.jobLogs.list(again.id)).map((l) => l.message)).toContain(
      `resuming run ${firstRun} from its checkpoint`,
    );
  }, 180_000);
});
