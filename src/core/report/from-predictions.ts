// From a classifier's raw logits on labelled data to everything a report shows: metrics, bootstrap intervals,
// ROC AUC, calibration (with the model's temperature), the abstain operating point, per-group breakdown and the
// examples worth reading. Pure: the caller runs the model and says where the data came from.
import {
  abstainThreshold,
  applyTemperature,
  bootstrapCi,
  classificationMetrics,
  errorAnalysis,
  expectedCalibrationError,
  metricValue,
  metricsByGroup,
  reliability,
  rocAuc,
  rocAucOvr,
} from '../eval/index.js';
import type { CurvePoint, ErrorExample, RunReport } from './types.js';

/** The evaluated predictions and their context. */
export interface PredictionsInput {
  title: string;
  model: string;
  createdAt: string;
  dataset: { name: string; n: number };
  labels: readonly string[];
  /** Gold label index per example. */
  gold: readonly number[];
  /** Raw label logits per example (before temperature). */
  logits: readonly (readonly number[])[];
  temperature?: number;
  /** A text per example for the error tables (e.g. the input fields joined). */
  texts: readonly string[];
  /** A group per example (e.g. its language); a breakdown is shown when there are two or more groups. */
  groups?: readonly string[];
  /** The task's metric name (macro-f1, accuracy, f1:<label>, ...), bootstrapped next to accuracy and macro-F1. */
  metric?: string;
  /** When set, the smallest confidence threshold that reaches this precision is reported. */
  targetPrecision?: number;
  /** Fixed threshold: predictions below it are counted as abstentions. */
  abstainBelow?: number;
  runId?: string;
  recipe?: string;
  prompt?: RunReport['prompt'];
  learningCurve?: { metric: string; points: CurvePoint[] };
  /** Bootstrap resamples (default 1000) and seed. */
  bootstrap?: { samples?: number; seed?: number };
  /** Examples per error table (default 10). */
  errorsShown?: number;
}

/** Builds the report data of one evaluation. */
export function reportFromPredictions(x: PredictionsInput): RunReport {
  const labels = [...x.labels];
  const probs = applyTemperature(x.logits, x.temperature ?? 1);
  const top = probs.map((row) => row.indexOf(Math.max(...row)));
  const goldNames = x.gold.map((g) => labels[g] as string);
  const predNames = top.map((t) => labels[t] as string);
  const m = classificationMetrics(goldNames, predNames, labels);
  const metricName = x.metric ?? 'macro-f1';
  const boot = { samples: x.bootstrap?.samples ?? 1000, seed: x.bootstrap?.seed ?? 0 };
  const on = (idx: number[]) =>
    classificationMetrics(
      idx.map((i) => goldNames[i] as string),
      idx.map((i) => predNames[i] as string),
      labels,
    );
  const intervals: Record<string, [number, number]> = {
    accuracy: bootstrapCi(x.gold.length, (idx) => on(idx).accuracy, boot).ci,
    macroF1: bootstrapCi(x.gold.length, (idx) => on(idx).macroF1, boot).ci,
  };
  if (!['accuracy', 'macro-f1'].includes(metricName))
    intervals[metricName] = bootstrapCi(x.gold.length, (idx) => metricValue(on(idx), metricName), boot).ci;
  const present = new Set(x.gold);
  let auc: number | undefined;
  if (present.size === labels.length) {
    auc =
      labels.length === 2
        ? rocAuc(
            x.gold.map((g) => g === 1),
            probs.map((r) => r[1] as number),
          )
        : rocAucOvr(x.gold, probs);
  }
  const report: RunReport = {
    title: x.title,
    model: x.model,
    createdAt: x.createdAt,
    dataset: x.dataset,
    labels,
    metrics: {
      accuracy: m.accuracy,
      macroF1: m.macroF1,
      microF1: m.microF1,
      weightedF1: m.weightedF1,
      ...(auc === undefined ? {} : { rocAuc: auc }),
      ece: expectedCalibrationError(x.gold, probs),
      temperature: x.temperature ?? 1,
    },
    intervals,
    intervalLevel: 0.95,
    perClass: m.perClass,
    confusion: m.confusion,
    reliability: reliability(x.gold, probs),
    ...(x.runId ? { runId: x.runId } : {}),
    ...(x.recipe ? { recipe: x.recipe } : {}),
    ...(x.prompt ? { prompt: x.prompt } : {}),
    ...(x.learningCurve ? { learningCurve: x.learningCurve } : {}),
  };
  const chosen = x.targetPrecision !== undefined ? abstainThreshold(x.gold, probs, x.targetPrecision)?.threshold : x.abstainBelow;
  if (chosen !== undefined) {
    const kept = probs.map((r, i) => i).filter((i) => Math.max(...(probs[i] as number[])) >= chosen);
    const right = kept.filter((i) => top[i] === x.gold[i]).length;
    report.metrics.abstain = {
      threshold: chosen,
      coverage: kept.length / x.gold.length,
      precision: kept.length ? right / kept.length : 0,
    };
  }
  if (x.groups && new Set(x.groups).size > 1) {
    report.byGroup = [...metricsByGroup(goldNames, predNames, x.groups, labels)].map(([group, g]) => ({
      group,
      n: g.n,
      accuracy: g.accuracy,
      macroF1: g.macroF1,
    }));
  }
  const ea = errorAnalysis(x.gold, probs, x.errorsShown ?? 10);
  const example = (c: { index: number; gold: number; predicted: number; confidence: number }): ErrorExample => ({
    text: x.texts[c.index] ?? '',
    gold: labels[c.gold] as string,
    predicted: labels[c.predicted] as string,
    confidence: c.confidence,
  });
  report.errors = { confidentMistakes: ea.confidentMistakes.map(example), unsureCorrect: ea.unsureCorrect.map(example) };
  return report;
}
