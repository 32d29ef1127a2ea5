// Where to look first when reading predictions: the mistakes the model was surest of (often label noise or a
// systematic confusion) and the right answers it was least sure of (the edge of what it learned).
import { goldAndProbs } from './check.js';
import { EvaluationError } from './errors.js';
import { topClass } from './top-class.js';

/** One example's prediction. */
export interface PredictionCase {
  /** Row in the input. */
  index: number;
  gold: number;
  predicted: number;
  /** Probability of the predicted class. */
  confidence: number;
}

/** The examples worth reading first. */
export interface ErrorAnalysis {
  /** Up to k wrong predictions, most confident first. */
  confidentMistakes: PredictionCase[];
  /** Up to k right predictions, least confident first. */
  unsureCorrect: PredictionCase[];
}

/** The k most confident mistakes and the k least confident correct predictions (ties by row order). */
export function errorAnalysis(goldIdx: readonly number[], probs: readonly (readonly number[])[], k: number): ErrorAnalysis {
  goldAndProbs('errorAnalysis', goldIdx, probs);
  if (!Number.isInteger(k) || k < 0) throw new EvaluationError('EVAL_VALUE', `errorAnalysis: k is ${k}; pass a count ≥ 0`);
  const cases = probs.map((row, index): PredictionCase => {
    const top = topClass(row);
    return { index, gold: goldIdx[index] as number, predicted: top.index, confidence: top.confidence };
  });
  // Array.prototype.sort is stable, so equal confidences stay in row order.
  const mistakes = cases.filter((c) => c.predicted !== c.gold).sort((a, b) => b.confidence - a.confidence);
  const correct = cases.filter((c) => c.predicted === c.gold).sort((a, b) => a.confidence - b.confidence);
  return { confidentMistakes: mistakes.slice(0, k), unsureCorrect: correct.slice(0, k) };
}
