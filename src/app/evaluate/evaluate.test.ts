// Evaluation as another surface calls it (no CLI): the result's metrics are the stored evaluation's, progress comes
// as examples events, calibration is saved with the model, wrong input names its field, and the same workflow runs
// as a queued "eval" job.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSummary } from '../../core/report/index.js';
import { readClassifierMeta } from '../../core/train/index.js';
import { AppError } from '../errors.js';
import { evalJobHandler } from '../jobs/eval-job.js';
import { runWorker } from '../jobs/worker.js';
import type { ProgressEvent } from '../progress.js';
import { openProject } from '../project.js';
import { reviewTaskDir } from '../testing.js';
import { executeRun, openRun } from '../train/run.js';
import { parseSpec } from '../train/spec.js';
import { type EvaluateInput, type SingleLabelEvaluation, evaluateModel } from './evaluate.js';

const dir = reviewTaskDir('pt-evaluate-');
const project = await openProject({ cwd: dir });
afterAll(async () => {
  await project.close();
  rmSync(dir, { recursive: true, force: true });
});

let runId = '';
let modelDir = '';
beforeAll(async () => {
  const spec = parseSpec({ recipe: 'classification', epochs: 1, maxLength: 32, k: 16, batchSize: 8 });
  const outcome = await executeRun(project, await openRun(project, spec));
  runId = outcome.run.id;
  modelDir = outcome.modelDir;
}, 120_000);

/** The error `evaluateModel(input)` rejects with. */
const failure = (input: unknown): Promise<AppError> =>
  evaluateModel(project, input as EvaluateInput).then(
    () => {
      throw new Error('expected evaluateModel to reject');
    },
    (e: unknown) => e as AppError,
  );

describe('evaluateModel', () => {
  it('evaluates a run on the test split: metrics as stored, per class, calibration, files and progress', async () => {
    const events: ProgressEvent[] = [];
    const r = await evaluateModel(project, { runs: [runId], bootstrap: 50 }, { onProgress: (e) => events.push(e) });
    expect(r.dataset).toMatchObject({ role: 'test', rows: 100 });
    expect(r.comparison).toBeUndefined();
    expect(r.models).toHaveLength(1);
    const m = r.models[0] as SingleLabelEvaluation;
    expect(m).toMatchObject({ kind: 'single-label', runId, modelDir, n: 100, leftOut: 0 });

    const stored = await project.store.evaluations.get(m.evaluationId);
    expect(stored).toMatchObject({ kind: 'evaluation', runId, modelRef: modelDir, datasetHash: r.dataset.hash });
    expect(stored.metrics).toEqual(m.recorded);
    expect(stored.metrics).toMatchObject({ accuracy: m.metrics.accuracy, 'macro-f1': m.metrics.macroF1, ece: m.metrics.ece });
    expect(m.intervals?.macroF1?.[0]).toBeLessThanOrEqual(m.metrics.macroF1);

    expect(m.perClass.map((c) => c.label)).toEqual(['great', 'other']);
    expect(m.perClass.reduce((n, c) => n + c.support, 0)).toBe(100);
    expect(m.byLanguage).toBeUndefined();
    // Training fitted the temperature on dev data; evaluation uses the model's.
    expect(m.calibration).toMatchObject({ temperature: readClassifierMeta(modelDir).temperature, ece: m.metrics.ece });
    expect(m.calibration.saved).toBeUndefined();
    expect(m.calibration.reliability?.reduce((n, b) => n + b.count, 0)).toBe(100);

    expect(m.paths.summary).toBe(join(dir, '.promptune', 'reports', runId, 'summary.json'));
    const summary = readSummary(readFileSync(m.paths.summary, 'utf8'));
    expect(summary).toMatchObject({ runId, dataset: { n: 100 }, metrics: { macroF1: m.metrics.macroF1 } });
    expect(readFileSync(m.paths.report, 'utf8')).toContain('<svg');

    expect(events.filter((e) => e.type === 'examples')).toEqual(
      [0, 32, 64, 96, 100].map((done) => ({ type: 'examples', done, total: 100 })),
    );
    expect(events.filter((e) => e.type === 'note')).toEqual([]);
  });

  it('compares two models on a data file, calibrates them and saves the temperature with the model', async () => {
    const r = await evaluateModel(project, {
      models: [modelDir],
      runs: [runId],
      data: 'train.csv',
      calibrate: true,
      targetPrecision: 0.5,
      by: 'none',
      out: 'cmp',
      bootstrap: 20,
    });
    expect(r.dataset).toMatchObject({ role: 'eval', rows: 200, source: join(dir, 'train.csv') });
    expect(r.comparison).toBe(join(dir, 'cmp', 'comparison.html'));
    expect(existsSync(r.comparison as string)).toBe(true);
    const [a, b] = r.models as SingleLabelEvaluation[];
    expect(a?.paths.summary).toBe(join(dir, 'cmp', runId, 'summary.json'));
    expect(a?.evaluationId).not.toBe(b?.evaluationId);
    const saved = b?.calibration.saved;
    expect(saved?.temperature).toBeGreaterThan(0);
    expect(readClassifierMeta(modelDir)).toMatchObject({
      temperature: saved?.temperature,
      ...(saved?.abstainBelow === undefined ? {} : { abstainBelow: saved.abstainBelow }),
    });
    expect(b?.calibration.temperature).toBe(saved?.temperature);
  });

  it('names the field of wrong input: an unknown run, a model directory without a model, bad values', async () => {
    const unknown = await failure({ runs: [runId, 'run_nope'] });
    expect(AppError.isInstance(unknown)).toBe(true);
    expect(unknown).toMatchObject({ code: 'NOT_FOUND', problems: [{ code: 'RUN_NOT_FOUND', path: 'runs.1' }] });
    expect(unknown.message).toContain('run "run_nope" is not in the store');

    expect(await failure({ models: [dir] })).toMatchObject({
      code: 'NOT_FOUND',
      problems: [{ code: 'MODEL_NOT_FOUND', path: 'models.0' }],
    });
    expect(await failure({ data: 'missing.csv' })).toMatchObject({ code: 'NOT_FOUND', problems: [{ path: 'data' }] });

    const bad = await failure({ run: runId, bootstrap: 0, split: 'train' });
    expect(AppError.isInstance(bad)).toBe(true);
    expect(bad.code).toBe('INVALID_INPUT');
    expect(bad.problems.map((p) => p.path).sort()).toEqual(['', 'bootstrap', 'split']);
    expect(bad.problems.find((p) => p.path === '')?.message).toContain('run');
    expect(bad.problems.find((p) => p.path === 'bootstrap')?.received).toBe('0');

    expect(await failure({ calibrate: true })).toMatchObject({ code: 'INVALID_INPUT', problems: [{ path: 'calibrate' }] });
    expect(await failure({ data: 'train.csv', split: 'dev' })).toMatchObject({ problems: [{ path: 'split' }] });
  });

  it('stops when its signal aborts, without an AppError (a worker hands the job back)', async () => {
    const e = await evaluateModel(project, { runs: [runId] }, { signal: AbortSignal.abort('stopping') }).catch(
      (x: unknown) => x as Error,
    );
    expect(e).toBeInstanceOf(Error);
    expect(AppError.isInstance(e)).toBe(false);
    expect((e as Error).message).toContain('stopping');
  });

  it('runs as an "eval" job: progress and result recorded; a relative path fails the job at once', async () => {
    const task = join(dir, 'promptune.yaml');
    const out = join(dir, 'job-reports');
    const job = await project.store.jobs.enqueue('eval', { task, input: { runs: [runId], bootstrap: 20, out } });
    const bad = await project.store.jobs.enqueue('eval', { task, input: { models: ['model'] } }, { maxAttempts: 3 });
    expect(await runWorker(project.store, { eval: evalJobHandler }, { untilEmpty: true, pollMs: 10 })).toBe(1);

    const done = await project.store.jobs.get(job.id);
    expect(done).toMatchObject({ status: 'completed', attempts: 1, progress: { type: 'examples', done: 100, total: 100 } });
    const result = done.result as { models: (Partial<SingleLabelEvaluation> & { evaluationId: string })[] };
    const [m] = result.models;
    expect(m).toMatchObject({ kind: 'single-label', runId, n: 100, paths: { summary: join(out, 'summary.json') } });
    expect(m && 'report' in m).toBe(false);
    expect((await project.store.evaluations.get(m?.evaluationId as string)).metrics).toEqual(m?.recorded);

    const failed = await project.store.jobs.get(bad.id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed.error).toContain('payload.input.models.0: expected an absolute path');
  });
});
