// Is a confidence of 0.8 right 80% of the time? Reliability-diagram bins over the top-class confidence and the
// expected calibration error (Guo et al. 2017): equal-width bins (lower, upper], the first also taking 0.
import { goldAndProbs } from './check.js';
import { EvaluationError } from './errors.js';
import { topClass } from './top-class.js';

/** One bar of a reliability diagram. */
export interface CalibrationBin {
  lower: number;
  upper: number;
  /** Examples whose top-class confidence falls in (lower, upper]. */
  count: number;
  /** Mean top-class confidence in the bin (0 when empty). */
  meanConfidence: number;
  /** Fraction of the bin's examples whose top class is the gold class (0 when empty). */
  accuracy: number;
}

/** The reliability-diagram data: `bins` equal-width bins of top-class confidence, empty ones included. */
export function reliability(goldIdx: readonly number[], probs: readonly (readonly number[])[], bins = 10): CalibrationBin[] {
  goldAndProbs('reliability', goldIdx, probs);
  if (!Number.isInteger(bins) || bins < 1)
    throw new EvaluationError('EVAL_VALUE', `reliability: bins is ${bins}; pass a positive integer such as 10`);
  const count = new Array<number>(bins).fill(0);
  const conf = new Array<number>(bins).fill(0);
  const correct = new Array<number>(bins).fill(0);
  probs.forEach((row, i) => {
    const top = topClass(row);
    const b = binOf(top.confidence, bins);
    count[b] = (count[b] as number) + 1;
    conf[b] = (conf[b] as number) + top.confidence;
    if (top.index === goldIdx[i]) correct[b] = (correct[b] as number) + 1;
  });
  return count.map((c, b) => ({
    lower: b / bins,
    upper: (b + 1) / bins,
    count: c,
    meanConfidence: c ? (conf[b] as number) / c : 0,
    accuracy: c ? (correct[b] as number) / c : 0,
  }));
}

/** Expected calibration error: Σ count/n · |accuracy − mean confidence| over the reliability bins. */
export function expectedCalibrationError(goldIdx: readonly number[], probs: readonly (readonly number[])[], bins = 10): number {
  const n = goldIdx.length;
  return reliability(goldIdx, probs, bins).reduce((s, b) => s + (b.count / n) * Math.abs(b.accuracy - b.meanConfidence), 0);
}

/** The bin b with b/bins < c ≤ (b+1)/bins; the product c·bins can round across an edge, so the edges decide. */
function binOf(c: number, bins: number): number {
  let b = Math.min(bins - 1, Math.max(0, Math.ceil(c * bins) - 1));
  while (b > 0 && c <= b / bins) b--;
  while (b < bins - 1 && c > (b + 1) / bins) b++;
  return b;
}
