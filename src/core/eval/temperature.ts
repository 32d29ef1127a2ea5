// Temperature scaling (Guo et al. 2017): one scalar T > 0 that makes softmax(logits / T) minimise the dev-set
// negative log-likelihood; it changes confidences, never the predicted class.
import { classIndices, finite, matrixWidth, nonEmpty, sameLength } from './check.js';
import { EvaluationError } from './errors.js';

/** The range T is searched in; the optimum of data the model gets all right (or all wrong) lies at an end. */
export const TEMPERATURE_RANGE: readonly [number, number] = [0.01, 100];

/** The temperature minimising the mean NLL of softmax(logits / T) on gold classes, within TEMPERATURE_RANGE. */
export function fitTemperature(goldIdx: readonly number[], logits: readonly (readonly number[])[]): number {
  const fn = 'fitTemperature';
  sameLength(fn, 'goldIdx', goldIdx, 'logits', logits);
  nonEmpty(fn, 'goldIdx', goldIdx);
  const k = matrixWidth(fn, 'logits', logits);
  if (k < 2) throw new EvaluationError('EVAL_SHAPE', `${fn}: logits has ${k} columns; pass one logit per class (at least 2)`);
  classIndices(fn, goldIdx, k);
  finite(fn, 'logits', logits);
  // In β = 1/T the NLL is convex (log-sum-exp of a linear function minus a linear one), so its derivative is
  // monotone: bracket the root of the derivative and take Newton steps, falling back to bisection.
  let lo = 1 / TEMPERATURE_RANGE[1];
  let hi = 1 / TEMPERATURE_RANGE[0];
  if (derivatives(goldIdx, logits, lo).d1 >= 0) return TEMPERATURE_RANGE[1];
  if (derivatives(goldIdx, logits, hi).d1 <= 0) return TEMPERATURE_RANGE[0];
  let beta = 1;
  for (let iter = 0; iter < 200 && hi - lo > 1e-13 * hi; iter++) {
    const { d1, d2 } = derivatives(goldIdx, logits, beta);
    if (d1 === 0) break;
    if (d1 < 0) lo = beta;
    else hi = beta;
    const step = beta - d1 / d2;
    beta = d2 > 0 && step > lo && step < hi ? step : (lo + hi) / 2;
  }
  return 1 / beta;
}

/** softmax(logits / T) per row. */
export function applyTemperature(logits: readonly (readonly number[])[], temperature: number): number[][] {
  if (!(temperature > 0 && Number.isFinite(temperature)))
    throw new EvaluationError('EVAL_VALUE', `applyTemperature: temperature is ${temperature}; pass a finite number > 0`);
  matrixWidth('applyTemperature', 'logits', logits);
  finite('applyTemperature', 'logits', logits);
  return logits.map((row) => softmax(row, 1 / temperature));
}

/** softmax(β·z), shifted by the maximum so large logits do not overflow. */
function softmax(z: readonly number[], beta: number): number[] {
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp(beta * (v - max)));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** First and second derivative in β of the mean NLL: mean(E_p[z] − z_gold) and mean(Var_p[z]). */
function derivatives(
  goldIdx: readonly number[],
  logits: readonly (readonly number[])[],
  beta: number,
): { d1: number; d2: number } {
  let d1 = 0;
  let d2 = 0;
  logits.forEach((z, i) => {
    const p = softmax(z, beta);
    let mean = 0;
    for (let j = 0; j < z.length; j++) mean += (p[j] as number) * (z[j] as number);
    let variance = 0;
    for (let j = 0; j < z.length; j++) variance += (p[j] as number) * ((z[j] as number) - mean) ** 2;
    d1 += mean - (z[goldIdx[i] as number] as number);
    d2 += variance;
  });
  return { d1: d1 / logits.length, d2: d2 / logits.length };
}
