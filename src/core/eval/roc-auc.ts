// Area under the ROC curve, binary and one-vs-rest macro, with scikit-learn's roc_auc_score conventions: tied
// scores count half (the trapezoid over tied thresholds), computed here as the Mann–Whitney statistic.
import { classIndices, finite, finiteValues, matrixWidth, nonEmpty, sameLength } from './check.js';
import { EvaluationError } from './errors.js';

/** Binary ROC AUC of `score` (higher means positive) against `gold`. */
export function rocAuc(gold: readonly boolean[], score: readonly number[]): number {
  sameLength('rocAuc', 'gold', gold, 'score', score);
  nonEmpty('rocAuc', 'gold', gold);
  finiteValues('rocAuc', 'score', score);
  return auc('rocAuc', gold, score, 'gold');
}

/** One-vs-rest ROC AUC averaged over classes (scikit-learn multi_class='ovr', average='macro'). */
export function rocAucOvr(goldIdx: readonly number[], probs: readonly (readonly number[])[]): number {
  const fn = 'rocAucOvr';
  sameLength(fn, 'goldIdx', goldIdx, 'probs', probs);
  nonEmpty(fn, 'goldIdx', goldIdx);
  const k = matrixWidth(fn, 'probs', probs);
  if (k < 2)
    throw new EvaluationError('EVAL_SHAPE', `${fn}: probs has ${k} columns; pass one score column per class (at least 2)`);
  classIndices(fn, goldIdx, k);
  finite(fn, 'probs', probs);
  let sum = 0;
  for (let c = 0; c < k; c++)
    sum += auc(
      fn,
      goldIdx.map((g) => g === c),
      probs.map((row) => row[c] as number),
      `class ${c}`,
    );
  return sum / k;
}

/** (sum of positive ranks − P(P+1)/2) / (P·N), with tied scores sharing their average rank. */
function auc(fn: string, gold: readonly boolean[], score: readonly number[], what: string): number {
  const n = gold.length;
  const pos = gold.filter(Boolean).length;
  const neg = n - pos;
  if (pos === 0 || neg === 0)
    throw new EvaluationError(
      'EVAL_UNDEFINED',
      `${fn}: ${what} has no ${pos === 0 ? 'positive' : 'negative'} examples, so ROC AUC is undefined; evaluate on data with both`,
    );
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (score[a] as number) - (score[b] as number));
  let posRanks = 0;
  for (let start = 0; start < n; ) {
    let end = start;
    while (end + 1 < n && score[order[end + 1] as number] === score[order[start] as number]) end++;
    const rank = (start + end) / 2 + 1;
    for (let i = start; i <= end; i++) if (gold[order[i] as number]) posRanks += rank;
    start = end + 1;
  }
  return (posRanks - (pos * (pos + 1)) / 2) / (pos * neg);
}
