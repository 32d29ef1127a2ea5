// When may a model answer on its own? The lowest confidence threshold whose kept predictions are precise
// enough, so that abstaining (handing the rest to a person) costs as little coverage as possible.
import { goldAndProbs } from './check.js';
import { EvaluationError } from './errors.js';
import { topClass } from './top-class.js';

/** A confidence threshold and what it keeps. */
export interface AbstainThreshold {
  /** Answer when the top-class probability is ≥ this; abstain below. */
  threshold: number;
  /** Accuracy of the kept predictions. */
  precision: number;
  /** Fraction of examples kept. */
  coverage: number;
  kept: number;
}

/**
 * The smallest threshold t at which the predictions with top probability ≥ t reach `targetPrecision`;
 * undefined when no threshold does. Precision need not rise with t, so every observed confidence is tried.
 */
export function abstainThreshold(
  goldIdx: readonly number[],
  probs: readonly (readonly number[])[],
  targetPrecision: number,
): AbstainThreshold | undefined {
  goldAndProbs('abstainThreshold', goldIdx, probs);
  if (!(targetPrecision >= 0 && targetPrecision <= 1))
    throw new EvaluationError('EVAL_VALUE', `abstainThreshold: targetPrecision is ${targetPrecision}; pass a number in [0, 1]`);
  const rows = probs.map((row, i) => {
    const top = topClass(row);
    return { confidence: top.confidence, correct: top.index === goldIdx[i] };
  });
  // Most confident first: the predictions kept at a threshold are a prefix, so precision is a running count.
  rows.sort((a, b) => b.confidence - a.confidence);
  const n = rows.length;
  let correct = 0;
  let best: AbstainThreshold | undefined;
  rows.forEach((r, i) => {
    if (r.correct) correct++;
    // Only the last of a run of equal confidences is a threshold: t keeps all of them or none.
    if (rows[i + 1]?.confidence === r.confidence) return;
    const kept = i + 1;
    if (correct / kept >= targetPrecision)
      best = { threshold: r.confidence, precision: correct / kept, coverage: kept / n, kept };
  });
  return best;
}
