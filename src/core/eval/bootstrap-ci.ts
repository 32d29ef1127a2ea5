// A percentile bootstrap confidence interval for any metric: the caller says how to score a resample (a list
// of example indices), this draws the resamples reproducibly from a seed.
import { seededRandom } from '../../shared/index.js';
import { EvaluationError } from './errors.js';
import { percentileInterval, resampleIndices } from './resample.js';

/** A metric with its bootstrap interval. */
export interface BootstrapCi {
  /** The metric on all examples, in order. */
  estimate: number;
  ci: [number, number];
  level: number;
  samples: number;
}

/** Options of bootstrapCi. */
export interface BootstrapCiOptions {
  /** Resamples drawn (default 1000). */
  samples?: number;
  /** Central coverage of the interval (default 0.95). */
  level?: number;
  /** Seed of seededRandom (default 0): the same seed gives the same interval. */
  seed?: number;
}

/** Percentile bootstrap interval of `metricOf` over resamples of n examples drawn with replacement. */
export function bootstrapCi(n: number, metricOf: (indices: number[]) => number, opts: BootstrapCiOptions = {}): BootstrapCi {
  const samples = opts.samples ?? 1000;
  const level = opts.level ?? 0.95;
  if (!Number.isInteger(n) || n < 1)
    throw new EvaluationError('EVAL_VALUE', `bootstrapCi: n is ${n}; pass the number of examples (≥ 1)`);
  if (!Number.isInteger(samples) || samples < 1)
    throw new EvaluationError('EVAL_VALUE', `bootstrapCi: samples is ${samples}; pass a positive integer such as 1000`);
  if (!(level > 0 && level < 1))
    throw new EvaluationError('EVAL_VALUE', `bootstrapCi: level is ${level}; pass a number in (0, 1) such as 0.95`);
  const rand = seededRandom(opts.seed ?? 0);
  const values: number[] = [];
  for (let s = 0; s < samples; s++) values.push(metricOf(resampleIndices(n, rand)));
  const estimate = metricOf(Array.from({ length: n }, (_, i) => i));
  return { estimate, ci: percentileInterval(values, level), level, samples };
}
