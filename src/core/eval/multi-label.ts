// Metrics of multi-label predictions (each example may carry any set of labels) with scikit-learn's
// conventions and zero_division=0: a label never predicted has precision 0, never present recall 0.
import { matrixWidth, nonEmpty, sameLength } from './check.js';
import { EvaluationError } from './errors.js';
import type { ClassScores } from './metrics.js';

/** Every metric of one set of multi-label predictions. */
export interface MultiLabelMetrics {
  n: number;
  labels: string[];
  /** Per label; support is the number of examples that carry the label. */
  perLabel: ClassScores[];
  /** From true/false positives and negatives summed over labels. */
  microPrecision: number;
  microRecall: number;
  microF1: number;
  /** Unweighted means of the per-label scores. */
  macroPrecision: number;
  macroRecall: number;
  macroF1: number;
  /** Fraction of examples whose predicted label set is exactly right. */
  subsetAccuracy: number;
  /** Fraction of (example, label) decisions that are wrong. */
  hammingLoss: number;
}

/** Computes multi-label metrics of `predicted` against `gold` (rows are examples, columns follow `labels`). */
export function multiLabelMetrics(
  gold: readonly (readonly boolean[])[],
  predicted: readonly (readonly boolean[])[],
  labels: readonly string[],
): MultiLabelMetrics {
  const fn = 'multiLabelMetrics';
  sameLength(fn, 'gold', gold, 'predicted', predicted);
  nonEmpty(fn, 'gold', gold);
  if (labels.length === 0) throw new EvaluationError('EVAL_SHAPE', `${fn}: labels is empty; pass one name per column`);
  matrixWidth(fn, 'gold', gold, labels.length);
  matrixWidth(fn, 'predicted', predicted, labels.length);
  const k = labels.length;
  const truePos = new Array<number>(k).fill(0);
  const falsePos = new Array<number>(k).fill(0);
  const falseNeg = new Array<number>(k).fill(0);
  let exact = 0;
  let wrong = 0;
  gold.forEach((g, i) => {
    const p = predicted[i] as readonly boolean[];
    let rowWrong = 0;
    for (let c = 0; c < k; c++) {
      if (g[c] && p[c]) truePos[c] = (truePos[c] as number) + 1;
      else if (p[c]) falsePos[c] = (falsePos[c] as number) + 1;
      else if (g[c]) falseNeg[c] = (falseNeg[c] as number) + 1;
      if (Boolean(g[c]) !== Boolean(p[c])) rowWrong++;
    }
    if (rowWrong === 0) exact++;
    wrong += rowWrong;
  });
  const perLabel = labels.map((label, c) => ({
    label,
    ...scores(truePos[c] as number, falsePos[c] as number, falseNeg[c] as number),
    support: (truePos[c] as number) + (falseNeg[c] as number),
  }));
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  const micro = scores(sum(truePos), sum(falsePos), sum(falseNeg));
  const mean = (pick: (s: ClassScores) => number): number => sum(perLabel.map(pick)) / k;
  const n = gold.length;
  return {
    n,
    labels: [...labels],
    perLabel,
    microPrecision: micro.precision,
    microRecall: micro.recall,
    microF1: micro.f1,
    macroPrecision: mean((s) => s.precision),
    macroRecall: mean((s) => s.recall),
    macroF1: mean((s) => s.f1),
    subsetAccuracy: exact / n,
    hammingLoss: wrong / (n * k),
  };
}

/** Precision, recall and F1 from counts, 0 where a denominator is 0. */
function scores(tp: number, fp: number, fn: number): { precision: number; recall: number; f1: number } {
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1 };
}
