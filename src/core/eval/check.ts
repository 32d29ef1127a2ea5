// Input checks shared by the evaluation functions, so every one fails the same way: naming the function, the
// argument, the row and what was expected.
import { EvaluationError } from './errors.js';

/** Throws unless the two arrays have the same length. */
export function sameLength(fn: string, nameA: string, a: readonly unknown[], nameB: string, b: readonly unknown[]): void {
  if (a.length !== b.length)
    throw new EvaluationError(
      'EVAL_SHAPE',
      `${fn}: ${nameA} has ${a.length} entries but ${nameB} has ${b.length}; pass one per example`,
    );
}

/** Throws when there is nothing to evaluate. */
export function nonEmpty(fn: string, name: string, a: readonly unknown[]): void {
  if (a.length === 0) throw new EvaluationError('EVAL_SHAPE', `${fn}: ${name} is empty; pass at least one example`);
}

/** Checks that every row has `cols` entries (the first row's length when omitted) and returns that width. */
export function matrixWidth(fn: string, name: string, m: readonly (readonly unknown[])[], cols?: number): number {
  const width = cols ?? m[0]?.length ?? 0;
  m.forEach((row, i) => {
    if (row.length !== width)
      throw new EvaluationError('EVAL_SHAPE', `${fn}: ${name} row ${i} has ${row.length} columns but ${width} were expected`);
  });
  return width;
}

/** Throws unless every gold index is an integer in [0, k). */
export function classIndices(fn: string, goldIdx: readonly number[], k: number): void {
  goldIdx.forEach((g, i) => {
    if (!Number.isInteger(g) || g < 0 || g >= k)
      throw new EvaluationError('EVAL_VALUE', `${fn}: goldIdx[${i}] is ${g}; class indices must be integers in 0..${k - 1}`);
  });
}

/** Throws unless every value is a finite number. */
export function finiteValues(fn: string, name: string, v: readonly number[]): void {
  v.forEach((x, i) => {
    if (!Number.isFinite(x)) throw new EvaluationError('EVAL_VALUE', `${fn}: ${name}[${i}] is ${x}; pass finite numbers`);
  });
}

/** Throws unless every entry of a matrix is a finite number. */
export function finite(fn: string, name: string, m: readonly (readonly number[])[]): void {
  m.forEach((row, i) => {
    row.forEach((v, j) => {
      if (!Number.isFinite(v)) throw new EvaluationError('EVAL_VALUE', `${fn}: ${name}[${i}][${j}] is ${v}; pass finite numbers`);
    });
  });
}

/** Throws unless each row is a probability distribution (entries in [0, 1] summing to 1 within float32 rounding). */
export function probabilityRows(fn: string, probs: readonly (readonly number[])[]): void {
  probs.forEach((row, i) => {
    let sum = 0;
    row.forEach((v, j) => {
      if (!(v >= 0 && v <= 1))
        throw new EvaluationError(
          'EVAL_VALUE',
          `${fn}: probs[${i}][${j}] is ${v}; pass probabilities in [0, 1] (softmax of the logits)`,
        );
      sum += v;
    });
    if (Math.abs(sum - 1) > 1e-3)
      throw new EvaluationError(
        'EVAL_VALUE',
        `${fn}: probs row ${i} sums to ${sum}; pass probabilities (softmax of the logits), not scores`,
      );
  });
}

/** Checks gold indices against a probability matrix of one row per example; returns the number of classes. */
export function goldAndProbs(fn: string, goldIdx: readonly number[], probs: readonly (readonly number[])[]): number {
  sameLength(fn, 'goldIdx', goldIdx, 'probs', probs);
  nonEmpty(fn, 'goldIdx', goldIdx);
  const k = matrixWidth(fn, 'probs', probs);
  classIndices(fn, goldIdx, k);
  probabilityRows(fn, probs);
  return k;
}
