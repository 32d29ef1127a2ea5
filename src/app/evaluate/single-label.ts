// One single-label model on labelled data: logits in batches (progress per batch), optionally the temperature and
// "not sure" threshold fitted and saved with the model, the full report (bootstrap intervals, per class, per
// language, ROC AUC, calibration, errors, the run's learning curve), recorded as an evaluation in the store.
import { basename } from 'node:path';
import { type Dataset, exampleText } from '../../core/data/index.js';
import { abstainThreshold, applyTemperature, fitTemperature } from '../../core/eval/index.js';
import { type CurvePoint, type RunReport, reportFromPredictions, reportSummary } from '../../core/report/index.js';
import { loadClassifier, writeClassifierMeta } from '../../core/train/index.js';
import type { OnProgress } from '../progress.js';
import type { Project } from '../project.js';
import type { EvaluationCalibration } from './types.js';

/** How many examples are scored per forward pass (and per progress event). */
const BATCH = 32;

/** Settings of one single-label evaluation. */
export interface SingleLabelOptions {
  /** Per example of `data`: its detected language, when broken down by language. */
  groups?: string[];
  targetPrecision?: number;
  bootstrap: number;
  calibrate: boolean;
  emit: OnProgress;
  stop: () => void;
}

/** What scoring one single-label model produced, before its files are written. */
export interface SingleLabelOutcome {
  report: RunReport;
  evaluationId: string;
  recorded: Record<string, number>;
  n: number;
  leftOut: number;
  runId?: string;
  saved?: EvaluationCalibration['saved'];
}

/** Scores the model in `dir` on `data`, calibrates it when asked, builds its report and records the evaluation. */
export async function evaluateSingleLabel(
  project: Project,
  dir: string,
  data: Dataset,
  opts: SingleLabelOptions,
): Promise<SingleLabelOutcome> {
  const task = project.loaded.task;
  const classifier = loadClassifier(dir);
  try {
    const meta = classifier.meta;
    const labels = meta.labels;
    const kept = data.examples.filter((e) => labels.includes(e.labels[0] as string));
    const leftOut = data.examples.length - kept.length;
    if (leftOut)
      opts.emit({
        type: 'note',
        level: 'warning',
        message: `${leftOut} examples have labels this model does not know; left out`,
      });
    const gold = kept.map((e) => labels.indexOf(e.labels[0] as string));
    // done 0 opens a model's scoring (the CLI starts its progress bar there).
    opts.emit({ type: 'examples', done: 0, total: kept.length });
    const logits: number[][] = [];
    for (let i = 0; i < kept.length; i += BATCH) {
      opts.stop();
      logits.push(...classifier.logits(kept.slice(i, i + BATCH).map((e) => e.inputs)));
      opts.emit({ type: 'examples', done: logits.length, total: kept.length });
    }
    let saved: EvaluationCalibration['saved'];
    if (opts.calibrate) {
      meta.temperature = fitTemperature(gold, logits);
      if (opts.targetPrecision !== undefined) {
        const t = abstainThreshold(gold, applyTemperature(logits, meta.temperature), opts.targetPrecision);
        if (!t)
          opts.emit({
            type: 'note',
            level: 'warning',
            message: `no confidence threshold reaches precision ${opts.targetPrecision} on this data; none saved`,
          });
        else meta.abstainBelow = t.threshold;
      }
      writeClassifierMeta(dir, meta);
      saved = { temperature: meta.temperature, ...(meta.abstainBelow === undefined ? {} : { abstainBelow: meta.abstainBelow }) };
    }
    const curve = meta.runId ? await learningCurve(project, meta.runId, task.metric) : undefined;
    const report = reportFromPredictions({
      title: `${task.name}: ${meta.recipe}${meta.runId ? ` run ${meta.runId}` : ''} on ${basename(data.source)}`,
      model: meta.baseModel ?? dir,
      createdAt: new Date().toISOString(),
      dataset: { name: basename(data.source), n: kept.length },
      labels,
      gold,
      logits,
      temperature: meta.temperature,
      texts: kept.map(exampleText),
      ...(opts.groups
        ? {
            groups: data.examples.flatMap((e, i) => (labels.includes(e.labels[0] as string) ? [opts.groups?.[i] as string] : [])),
          }
        : {}),
      metric: task.metric,
      ...(opts.targetPrecision !== undefined
        ? { targetPrecision: opts.targetPrecision }
        : meta.abstainBelow !== undefined
          ? { abstainBelow: meta.abstainBelow }
          : {}),
      ...(meta.runId ? { runId: meta.runId } : {}),
      recipe: meta.recipe,
      ...(meta.prompt ? { prompt: { text: meta.prompt.template } } : {}),
      ...(curve ? { learningCurve: curve } : {}),
      bootstrap: { samples: opts.bootstrap },
    });
    const evaluation = await project.store.evaluations.record({
      taskId: task.name,
      kind: 'evaluation',
      promptHashes: [],
      datasetHash: data.hash,
      modelRef: dir,
      runId: meta.runId ?? null,
      metrics: {
        accuracy: report.metrics.accuracy,
        'macro-f1': report.metrics.macroF1,
        ...(report.metrics.ece === undefined ? {} : { ece: report.metrics.ece }),
        ...(report.metrics.rocAuc === undefined ? {} : { 'roc-auc': report.metrics.rocAuc }),
      },
      details: reportSummary(report),
    });
    return {
      report,
      evaluationId: evaluation.id,
      recorded: evaluation.metrics,
      n: kept.length,
      leftOut,
      ...(meta.runId ? { runId: meta.runId } : {}),
      ...(saved ? { saved } : {}),
    };
  } finally {
    classifier.dispose();
  }
}

/** The run's logged loss, learning rate and dev metric as curve points. */
async function learningCurve(
  project: Project,
  runId: string,
  metric: string,
): Promise<{ metric: string; points: CurvePoint[] } | undefined> {
  const points = await project.store.runs.metrics(runId).catch(() => []);
  if (!points.length) return undefined;
  const bySteps = new Map<number, CurvePoint>();
  const at = (step: number): CurvePoint => bySteps.get(step) ?? (bySteps.set(step, { step }).get(step) as CurvePoint);
  for (const p of points) {
    const v = Number.isFinite(p.value) ? p.value : null;
    if (p.name === 'loss') at(p.step).loss = v;
    else if (p.name === 'lr') at(p.step).lr = v;
    else if (p.name === `dev/${metric}`) at(p.step).devMetric = v;
  }
  return { metric, points: [...bySteps.values()].sort((a, b) => a.step - b.step) };
}
