// Retraining from feedback: the task's training data plus what people corrected or confirmed becomes a new dataset
// version, a run trains on it with the live model's settings, and the new model is compared with the live one on
// the test set (bootstrap interval, McNemar's test, a verdict) before anyone promotes it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { z } from 'zod';
import { type Dataset, csvLine } from '../../core/data/index.js';
import {
  type BootstrapDiff,
  type McNemar,
  bootstrapDiff,
  classificationMetrics,
  mcnemar,
  verdict,
} from '../../core/eval/index.js';
import { loadClassifier, readClassifierMeta } from '../../core/train/index.js';
import { problemsFromZod } from '../../shared/index.js';
import { AppError } from '../errors.js';
import { resolveModelDir } from '../models.js';
import type { OnProgress } from '../progress.js';
import { type Project, importTaskSplit, saveDataset } from '../project.js';
import { type RunOutcome, executeRun, openRun, reopenRun, specOfRun } from '../train/run.js';
import { type RunSpec, parseSpec } from '../train/spec.js';
import { noTrainData } from '../train/splits.js';

/** What to retrain from. */
export const retrainInputSchema = z
  .object({
    /** The model in production, as a directory (relative to `cwd`); default: the task's newest completed run. */
    live: z.string().min(1).optional(),
    /** Or its run id. */
    liveRun: z.string().min(1).optional(),
    /** Only feedback recorded since this ISO time. */
    since: z
      .string()
      .refine((s) => !Number.isNaN(Date.parse(s)), { message: 'expected an ISO time, e.g. 2026-11-24T00:00:00Z' })
      .optional(),
    /** Refuse to retrain on fewer new labelled examples. */
    minFeedback: z.number().int().min(0).default(1),
    /** Training settings; default: the live model's run's settings (else the defaults). */
    spec: z.unknown().optional(),
  })
  .strict();

/** Input of retrain(). */
export type RetrainInput = z.input<typeof retrainInputSchema>;

/** The training set retrain() built. */
export interface RetrainDataset {
  /** The task's training data. */
  base: { source: string; rows: number; hash: string };
  /** Labelled examples from feedback that were used, and those skipped (fields or labels not the task's). */
  feedbackRows: number;
  skipped: number;
  /** The merged dataset version (parent: the base). */
  merged: { hash: string; rows: number; file: string };
}

/** The comparison of the retrained model with the live one on the test set. */
export type RetrainComparison =
  | {
      n: number;
      live: { name: string; macroF1: number };
      retrained: { name: string; macroF1: number };
      bootstrap: BootstrapDiff;
      mcnemar: McNemar;
      /** The verdict in words. */
      verdict: string;
    }
  | { skipped: 'no-test-data' | 'multi-label' };

/** What retrain() produced. */
export interface RetrainResult {
  dataset: RetrainDataset;
  /** Where the live model is, and whether its run (and so its settings) was found. */
  live: { dir: string; runId?: string; settingsFrom: 'given' | 'live-run' | 'defaults' };
  outcome: RunOutcome;
  comparison: RetrainComparison;
}

/** The merged training rows as CSV with the task's column names; a feedback row replaces a row with its input. */
function mergedCsv(project: Project, base: Dataset, extra: { inputs: Record<string, string>; labels: string[] }[]): string {
  const task = project.loaded.task;
  const columns = task.inputs.map((i) => i.column ?? i.name);
  const labelColumn = task.data?.labelColumn ?? 'label';
  const sep = task.data?.labelSeparator ?? '|';
  const key = (inputs: Record<string, string>) => JSON.stringify(task.inputs.map((i) => inputs[i.name] ?? ''));
  const rows = new Map<string, { inputs: Record<string, string>; labels: string[] }>();
  for (const e of base.examples) rows.set(key(e.inputs), { inputs: e.inputs, labels: e.labels });
  for (const e of extra) {
    rows.delete(key(e.inputs));
    rows.set(key(e.inputs), e);
  }
  const lines = [csvLine([...columns, labelColumn])];
  for (const r of rows.values()) lines.push(csvLine([...task.inputs.map((i) => r.inputs[i.name] ?? ''), r.labels.join(sep)]));
  return `${lines.join('\n')}\n`;
}

/** Labelled feedback that fits the task: its input fields and labels. */
async function usableFeedback(project: Project, since: string | undefined) {
  const task = project.loaded.task;
  const labels = task.labels.map((l) => l.name);
  const fields = task.inputs.map((i) => i.name);
  const feedback = await project.store.feedback.exportExamples(task.name, since ? { since: new Date(since).toISOString() } : {});
  const usable: { inputs: Record<string, string>; labels: string[] }[] = [];
  let skipped = 0;
  for (const f of feedback) {
    const input = f.input as Record<string, unknown>;
    const ok = fields.every((k) => typeof input?.[k] === 'string');
    const ls = f.label.split(task.data?.labelSeparator ?? '|');
    if (!ok || !ls.every((l) => labels.includes(l))) {
      skipped++;
      continue;
    }
    usable.push({ inputs: Object.fromEntries(fields.map((k) => [k, input[k] as string])), labels: ls });
  }
  return { usable, skipped };
}

/** The task's training data plus the usable feedback, imported as a new dataset version. */
async function mergeFeedback(
  project: Project,
  input: z.infer<typeof retrainInputSchema>,
  emit: OnProgress,
): Promise<RetrainDataset> {
  const imported = await importTaskSplit(project, 'train');
  if (!imported) throw noTrainData();
  const { usable, skipped } = await usableFeedback(project, input.since);
  if (skipped)
    emit({
      type: 'note',
      level: 'warning',
      message: `${skipped} feedback example(s) skipped: their input fields or labels do not match the task`,
    });
  if (usable.length < input.minFeedback)
    throw new AppError('PRECONDITION', [
      {
        code: 'TOO_LITTLE_FEEDBACK',
        path: '',
        message: `only ${usable.length} labelled feedback example(s)${input.since ? ` since ${input.since}` : ''}, fewer than --min-feedback ${input.minFeedback}`,
        fix: 'review more predictions first (GET /v1/review)',
      },
    ]);

  const dir = join(project.projectDir, '.promptune', 'retrain', new Date().toISOString().replace(/[:.]/g, '-'));
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'train.csv');
  writeFileSync(file, mergedCsv(project, imported.dataset, usable));
  const merged = (await importTaskSplit(project, 'train', false, file))?.dataset as Dataset;
  await saveDataset(project, merged, 'retrain', imported.dataset.hash);
  const dataset: RetrainDataset = {
    base: { source: imported.dataset.source, rows: imported.dataset.examples.length, hash: imported.dataset.hash },
    feedbackRows: usable.length,
    skipped,
    merged: { hash: merged.hash, rows: merged.examples.length, file },
  };
  emit({ type: 'dataset', role: 'retrain', ...dataset });
  return dataset;
}

/** Retrains the task's model on its data plus reviewed feedback and compares the result with the live model. */
export async function retrain(
  project: Project,
  rawInput: RetrainInput,
  opts: {
    cwd: string;
    onProgress?: OnProgress;
    /** Stop after the current step, checkpointed (a worker shutting down). */
    signal?: AbortSignal;
    /** Continue an earlier attempt's run from its checkpoint, on the dataset that attempt merged. */
    resume?: { runId: string; dataset: RetrainDataset };
  },
): Promise<RetrainResult> {
  const parsed = retrainInputSchema.safeParse(rawInput);
  if (!parsed.success) throw new AppError('INVALID_INPUT', problemsFromZod(parsed.error, rawInput));
  const input = parsed.data;
  const emit: OnProgress = opts.onProgress ?? (() => undefined);
  const task = project.loaded.task;
  const labels = task.labels.map((l) => l.name);
  const liveDir = await resolveModelDir(project, { model: input.live, run: input.liveRun }, opts.cwd);
  const liveMeta = readClassifierMeta(liveDir);

  const dataset = opts.resume?.dataset ?? (await mergeFeedback(project, input, emit));

  const liveRun = liveMeta.runId ? await project.store.runs.get(liveMeta.runId).catch(() => undefined) : undefined;
  let spec: RunSpec;
  let settingsFrom: RetrainResult['live']['settingsFrom'];
  if (input.spec !== undefined) [spec, settingsFrom] = [parseSpec(input.spec), 'given'];
  else if (liveRun) {
    const { out: _out, ...rest } = specOfRun(liveRun);
    [spec, settingsFrom] = [rest as RunSpec, 'live-run'];
  } else {
    [spec, settingsFrom] = [parseSpec({ recipe: 'classification' }), 'defaults'];
    emit({
      type: 'note',
      level: 'info',
      message: "the live model's run is not in this store: training with default settings (give options to choose)",
    });
  }
  const opened = opts.resume
    ? await reopenRun(project, opts.resume.runId)
    : await openRun(project, { ...spec, trainFile: dataset.merged.file });
  const outcome = await executeRun(project, opened, {
    onProgress: emit,
    resume: opts.resume !== undefined,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const live = { dir: liveDir, ...(liveMeta.runId ? { runId: liveMeta.runId } : {}), settingsFrom };

  const test = (await importTaskSplit(project, 'test'))?.dataset;
  if (!test || liveMeta.multiLabel)
    return { dataset, live, outcome, comparison: { skipped: test ? 'multi-label' : 'no-test-data' } };
  const gold = test.examples.map((e) => e.labels[0] as string);
  const predictWith = (modelDir: string): string[] => {
    const c = loadClassifier(modelDir);
    try {
      return c.predict(test.examples.map((e) => e.inputs)).map((p) => {
        const top = Object.entries(p.probs).sort((x, y) => y[1] - x[1])[0];
        return (top?.[0] ?? '') as string;
      });
    } finally {
      c.dispose();
    }
  };
  const old = predictWith(liveDir);
  const fresh = predictWith(outcome.modelDir);
  const score = (pred: string[]) => classificationMetrics(gold, pred, labels).macroF1;
  const boot = bootstrapDiff(gold, old, fresh, labels, { metric: task.metric });
  const test2 = mcnemar(gold, old, fresh);
  const names: [string, string] = [`live (${liveMeta.runId ?? relative(opts.cwd, liveDir)})`, `retrained (${outcome.run.id})`];
  return {
    dataset,
    live,
    outcome,
    comparison: {
      n: test.examples.length,
      live: { name: names[0], macroF1: score(old) },
      retrained: { name: names[1], macroF1: score(fresh) },
      bootstrap: boot,
      mcnemar: test2,
      verdict: verdict(names, boot, test2),
    },
  };
}
