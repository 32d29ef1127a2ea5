// Classification metrics over label names: accuracy, per-class precision/recall/F1, macro/micro/weighted F1 and
// the confusion matrix, with scikit-learn's conventions (a class with no predictions has precision 0).

/** Per-class scores. */
export interface ClassScores {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Gold examples of this class. */
  support: number;
}

/** Every metric of one set of predictions. */
export interface Metrics {
  n: number;
  accuracy: number;
  macroF1: number;
  microF1: number;
  weightedF1: number;
  perClass: ClassScores[];
  /** confusion[gold][predicted], in `labels` order. */
  confusion: number[][];
  labels: string[];
}

/** Computes the metrics of single-label predictions against gold labels. */
export function classificationMetrics(gold: readonly string[], predicted: readonly string[], labels: readonly string[]): Metrics {
  if (gold.length !== predicted.length)
    throw new Error(`metrics: ${gold.length} gold labels but ${predicted.length} predictions`);
  const index = new Map(labels.map((l, i) => [l, i]));
  const k = labels.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  gold.forEach((g, i) => {
    const p = predicted[i] as string;
    const gi = index.get(g);
    const pi = index.get(p);
    if (gi === undefined || pi === undefined)
      throw new Error(`metrics: label "${gi === undefined ? g : p}" is not one of ${labels.join(', ')}`);
    (confusion[gi] as number[])[pi] = ((confusion[gi] as number[])[pi] as number) + 1;
    if (gi === pi) correct++;
  });
  const perClass = labels.map((label, c) => {
    const tp = (confusion[c] as number[])[c] as number;
    const support = (confusion[c] as number[]).reduce((a, b) => a + b, 0);
    const predictedCount = confusion.reduce((a, row) => a + (row[c] as number), 0);
    const precision = predictedCount ? tp / predictedCount : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision, recall, f1, support };
  });
  const n = gold.length;
  return {
    n,
    accuracy: n ? correct / n : 0,
    macroF1: perClass.reduce((a, c) => a + c.f1, 0) / Math.max(k, 1),
    // For single-label data micro-F1 equals accuracy.
    microF1: n ? correct / n : 0,
    weightedF1: n ? perClass.reduce((a, c) => a + c.f1 * c.support, 0) / n : 0,
    perClass,
    confusion,
    labels: [...labels],
  };
}

/** The value of a task's metric name (macro-f1, micro-f1, weighted-f1, accuracy, f1:<label>). */
export function metricValue(m: Metrics, name: string): number {
  if (name === 'macro-f1') return m.macroF1;
  if (name === 'micro-f1') return m.microF1;
  if (name === 'weighted-f1') return m.weightedF1;
  if (name === 'accuracy') return m.accuracy;
  if (name.startsWith('f1:')) {
    const c = m.perClass.find((x) => x.label === name.slice(3));
    if (c) return c.f1;
  }
  throw new Error(`unknown metric "${name}": use macro-f1, micro-f1, weighted-f1, accuracy or f1:<label>`);
}
