// Evaluating fine-tuned models on labelled data: metrics with bootstrap intervals, per class and per language,
// ROC AUC, calibration and error analysis; a self-contained HTML report and a JSON summary per model (a comparison
// page for several), each evaluation recorded in the store; with `calibrate`, the temperature (and "not sure"
// threshold) fitted on this data and saved with the model.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { type Dataset, detectLanguages, exampleText, importFile } from '../../core/data/index.js';
import { type RunReport, renderComparison, renderReport, reportSummary } from '../../core/report/index.js';
import { ClassifierError, type ClassifierMeta, readClassifierMeta } from '../../core/train/index.js';
import { problemsFromZod } from '../../shared/index.js';
import { StoreError } from '../../store/index.js';
import { AppError } from '../errors.js';
import { resolveModelDir } from '../models.js';
import type { OnProgress } from '../progress.js';
import { type Project, importTaskSplit, saveDataset } from '../project.js';
import { evaluateMultiLabel } from './multi-label.js';
import { evaluateSingleLabel } from './single-label.js';
import type { EvaluateResult, EvaluatedDataset, ModelEvaluation } from './types.js';

export type {
  EvaluateResult,
  EvaluatedDataset,
  EvaluationCalibration,
  ModelEvaluation,
  MultiLabelEvaluation,
  SingleLabelEvaluation,
} from './types.js';

/** What an evaluation is given. Relative paths are relative to the project directory (the task file's). */
export const evaluateInputSchema = z
  .object({
    models: z
      .array(z.string().min(1))
      .optional()
      .describe('Model directories saved by promptune train; several (with runs) are compared side by side'),
    runs: z
      .array(z.string().min(1))
      .optional()
      .describe("Runs whose models to evaluate; with neither models nor runs: the task's newest completed run"),
    data: z
      .string()
      .min(1)
      .optional()
      .describe("A labelled CSV / JSONL / Parquet file read with the task's columns (default: the task's split)"),
    split: z
      .enum(['test', 'dev'])
      .optional()
      .describe("Which of the task's data files to evaluate on when no data file is given (default test)"),
    targetPrecision: z
      .number()
      .gt(0)
      .max(1)
      .optional()
      .describe('Report the confidence threshold that reaches this precision ("not sure" below it)'),
    calibrate: z
      .boolean()
      .default(false)
      .describe(
        "Fit the temperature (and, with targetPrecision, the threshold) on this data and save them in the model's promptune.json; use dev data, never the test set",
      ),
    by: z
      .enum(['language', 'none'])
      .optional()
      .describe('language: break metrics down by detected language (default when the task lists several); none: no breakdown'),
    out: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Where reports go: for one model this directory, for several a folder per run or model in it (default .promptune/reports)',
      ),
    bootstrap: z.number().int().min(1).default(1000).describe('Bootstrap resamples for the confidence intervals'),
  })
  .strict()
  .superRefine((x, ctx) => {
    if (x.data !== undefined && x.split !== undefined)
      ctx.addIssue({ code: 'custom', path: ['split'], message: 'give a data file or a split, not both' });
    if (x.calibrate && x.data === undefined && x.split !== 'dev')
      ctx.addIssue({
        code: 'custom',
        path: ['calibrate'],
        message: 'calibration fits on the data it evaluates: give split dev or a dev data file, not the test set',
      });
  });

/** An evaluation's input. */
export type EvaluateInput = z.input<typeof evaluateInputSchema>;

/**
 * Evaluates the models `input` names (default: the task's newest completed run) on its data (default: the task's
 * test file). Progress: a note for each warning, and `examples` events while scoring (done 0 opens each model).
 * When `signal` aborts, stops between batches by throwing (nothing is resumable: a later attempt starts over).
 */
export async function evaluateModel(
  project: Project,
  input: EvaluateInput,
  opts: { onProgress?: OnProgress; signal?: AbortSignal } = {},
): Promise<EvaluateResult> {
  const parsed = evaluateInputSchema.safeParse(input);
  if (!parsed.success) throw new AppError('INVALID_INPUT', problemsFromZod(parsed.error, input));
  const x = parsed.data;
  const emit: OnProgress = opts.onProgress ?? (() => undefined);
  const stop = () => {
    if (opts.signal?.aborted) throw stopped(opts.signal);
  };
  const task = project.loaded.task;

  const { dataset: data, role } = await evalData(project, x.data, x.split ?? 'test');
  const models = await modelsOf(project, x);
  const byLanguage = x.by ? x.by === 'language' : task.languages.length > 1;
  const groups = byLanguage ? (await detectLanguages(data.examples.map(exampleText))).map((g) => g.language) : undefined;
  const reportsDir = join(project.projectDir, '.promptune', 'reports');
  const out = x.out === undefined ? undefined : resolve(project.projectDir, x.out);
  const one = models.length === 1;

  const evaluated: ModelEvaluation[] = [];
  const reports: RunReport[] = [];
  for (const { dir, meta } of models) {
    stop();
    if (meta.multiLabel) {
      // As ever: a given out directory is used as it is for one model; otherwise the reports folder.
      evaluated.push(await evaluateMultiLabel(project, dir, data, out && one ? out : undefined, emit));
      continue;
    }
    const o = await evaluateSingleLabel(project, dir, data, {
      ...(groups ? { groups } : {}),
      ...(x.targetPrecision !== undefined ? { targetPrecision: x.targetPrecision } : {}),
      bootstrap: x.bootstrap,
      calibrate: x.calibrate,
      emit,
      stop,
    });
    const r = o.report;
    const dirOut = out && one ? out : join(out ?? reportsDir, r.runId ?? basename(dir));
    mkdirSync(dirOut, { recursive: true });
    const paths = { report: join(dirOut, 'report.html'), summary: join(dirOut, 'summary.json') };
    writeFileSync(paths.report, renderReport(r));
    writeFileSync(paths.summary, `${JSON.stringify(reportSummary(r), null, 2)}\n`);
    reports.push(r);
    const m = r.metrics;
    evaluated.push({
      kind: 'single-label',
      modelDir: dir,
      ...(o.runId ? { runId: o.runId } : {}),
      evaluationId: o.evaluationId,
      recorded: o.recorded,
      n: o.n,
      leftOut: o.leftOut,
      metrics: m,
      ...(r.intervals ? { intervals: r.intervals } : {}),
      perClass: r.perClass,
      ...(r.byGroup ? { byLanguage: r.byGroup } : {}),
      calibration: {
        temperature: m.temperature ?? 1,
        ...(m.ece !== undefined ? { ece: m.ece } : {}),
        ...(r.reliability ? { reliability: r.reliability } : {}),
        ...(m.abstain ? { abstain: m.abstain } : {}),
        ...(o.saved ? { saved: o.saved } : {}),
      },
      report: r,
      paths,
    });
  }
  let comparison: string | undefined;
  if (reports.length > 1) {
    const dirOut = out ?? reportsDir;
    mkdirSync(dirOut, { recursive: true });
    comparison = join(dirOut, 'comparison.html');
    writeFileSync(comparison, renderComparison(reports));
  }
  const dataset: EvaluatedDataset = { source: data.source, hash: data.hash, rows: data.examples.length, role };
  return { dataset, models: evaluated, ...(comparison ? { comparison } : {}) };
}

/** The labelled data: the file given (stored as an "eval" dataset version) or the task's split. */
async function evalData(
  project: Project,
  file: string | undefined,
  split: 'test' | 'dev',
): Promise<{ dataset: Dataset; role: EvaluatedDataset['role'] }> {
  const task = project.loaded.task;
  if (file !== undefined) {
    const path = resolve(project.projectDir, file);
    if (!existsSync(path))
      throw new AppError('NOT_FOUND', [
        { code: 'DATA_NOT_FOUND', path: 'data', message: `${path} not found`, fix: 'check the path' },
      ]);
    const r = await importFile(path, {
      format: task.data?.format,
      inputs: Object.fromEntries(task.inputs.map((i) => [i.name, i.column ?? i.name])),
      labelColumn: task.data?.labelColumn,
      multiLabel: task.type === 'multi-label',
      labelSeparator: task.data?.labelSeparator,
      synonyms: task.data?.labelSynonyms,
      allowedLabels: task.labels.map((l) => l.name),
    });
    await saveDataset(project, r.dataset, 'eval', null);
    return { dataset: r.dataset, role: 'eval' };
  }
  const r = await importTaskSplit(project, split);
  if (!r)
    throw new AppError('PRECONDITION', [
      { code: 'NO_DATA', path: '', message: `the task file names no data.${split}`, fix: 'pass --data <file>' },
    ]);
  await saveDataset(project, r.dataset, split, null);
  return { dataset: r.dataset, role: split };
}

/** The model directories named (directories first, then runs), else the newest completed run's, with their metadata. */
async function modelsOf(
  project: Project,
  x: { models?: string[] | undefined; runs?: string[] | undefined },
): Promise<{ dir: string; meta: ClassifierMeta }[]> {
  const refs: { ref: { model?: string; run?: string }; path: string }[] = [
    ...(x.models ?? []).map((model, i) => ({ ref: { model }, path: `models.${i}` })),
    ...(x.runs ?? []).map((run, i) => ({ ref: { run }, path: `runs.${i}` })),
  ];
  if (!refs.length) refs.push({ ref: {}, path: '' });
  const dirs = await Promise.all(refs.map(({ ref, path }) => modelDir(project, ref, path)));
  // Every model is checked before the first is scored, so a wrong one fails the evaluation at once.
  return dirs.map((dir, i) => ({ dir, meta: metaOf(dir, refs[i]?.path ?? '') }));
}

/** resolveModelDir with the problems placed at the input's field; an unknown run is NOT_FOUND. */
async function modelDir(project: Project, ref: { model?: string; run?: string }, path: string): Promise<string> {
  try {
    return await resolveModelDir(project, ref, project.projectDir);
  } catch (e) {
    if (StoreError.isInstance(e) && e.code === 'STORE_NOT_FOUND')
      throw new AppError(
        'NOT_FOUND',
        [
          {
            code: 'RUN_NOT_FOUND',
            path,
            message: `run "${ref.run}" is not in the store`,
            fix: 'check the id (promptune train prints it; GET /v1/runs lists them)',
          },
        ],
        { cause: e },
      );
    if (AppError.isInstance(e))
      throw new AppError(
        e.code,
        e.problems.map((p) => ({ ...p, path: p.path || path })),
        { cause: e },
      );
    throw e;
  }
}

/** The model's promptune.json; a directory without one is NOT_FOUND at the input's field. */
function metaOf(dir: string, path: string): ClassifierMeta {
  try {
    return readClassifierMeta(dir);
  } catch (e) {
    if (ClassifierError.isInstance(e) && e.code === 'CLASSIFIER_MISSING')
      throw new AppError(
        'NOT_FOUND',
        [
          {
            code: 'MODEL_NOT_FOUND',
            path,
            message: `${dir} has no promptune.json: it is not a model trained by promptune train`,
            fix: 'give the directory that run saved, e.g. .promptune/runs/<run id>/model',
          },
        ],
        { cause: e },
      );
    throw e;
  }
}

/** What a stopped evaluation throws: not an AppError, so a worker hands the job back rather than failing it. */
function stopped(signal: AbortSignal): Error {
  const e = new Error(`evaluation stopped (${String(signal.reason ?? 'aborted')})`);
  e.name = 'AbortError';
  return e;
}
