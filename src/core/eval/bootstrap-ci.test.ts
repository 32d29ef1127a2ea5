// The bootstrap interval against numpy.percentile over the same resamples (the generator is ported bit for bit
// to scripts/fixtures/gen_eval_extras.py, metric from scikit-learn), and its statistical properties: it holds the
// estimate, narrows with more data, repeats by seed and covers the truth about as often as it claims.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../shared/index.js';
import { bootstrapCi, classificationMetrics, metricValue } from './index.js';

interface Fixture {
  random: { seed: number; values: number[] };
  bootstrap: {
    labels: string[];
    gold: string[];
    pred: string[];
    cases: { seed: number; samples: number; level: number; ci: [number, number]; estimate: number }[];
  };
}
const ref = JSON.parse(readFileSync(new URL('./__fixtures__/extras.json', import.meta.url), 'utf8')) as Fixture;

/** Mean of 0/1 outcomes over the resampled indices. */
const meanOf =
  (xs: number[]) =>
  (idx: number[]): number =>
    idx.reduce((s, i) => s + (xs[i] as number), 0) / idx.length;

/** n outcomes that are 1 with probability p. */
function bernoulli(n: number, p: number, seed: number): number[] {
  const rand = seededRandom(seed);
  return Array.from({ length: n }, () => (rand() < p ? 1 : 0));
}

describe('bootstrapCi', () => {
  it('matches a numpy percentile bootstrap of scikit-learn macro-F1 over the same resamples', () => {
    const rand = seededRandom(ref.random.seed);
    expect(ref.random.values.map(() => rand())).toEqual(ref.random.values);
    const { labels, gold, pred } = ref.bootstrap;
    const macroF1 = (idx: number[]): number =>
      metricValue(
        classificationMetrics(
          idx.map((i) => gold[i] as string),
          idx.map((i) => pred[i] as string),
          labels,
        ),
        'macro-f1',
      );
    for (const c of ref.bootstrap.cases) {
      const b = bootstrapCi(gold.length, macroF1, { samples: c.samples, level: c.level, seed: c.seed });
      expect(b.estimate).toBeCloseTo(c.estimate, 12);
      expect(b.ci[0]).toBeCloseTo(c.ci[0], 12);
      expect(b.ci[1]).toBeCloseTo(c.ci[1], 12);
    }
  });

  it('holds the estimate, narrows with n and repeats by seed', () => {
    const small = bernoulli(50, 0.7, 1);
    const large = bernoulli(2000, 0.7, 2);
    const a = bootstrapCi(small.length, meanOf(small), { seed: 3 });
    const b = bootstrapCi(large.length, meanOf(large), { seed: 3 });
    expect(a.ci[0]).toBeLessThan(a.estimate);
    expect(a.ci[1]).toBeGreaterThan(a.estimate);
    // The width shrinks as 1/√n: √(2000/50) ≈ 6.3.
    expect(b.ci[1] - b.ci[0]).toBeLessThan((a.ci[1] - a.ci[0]) / 4);
    expect(bootstrapCi(small.length, meanOf(small), { seed: 3 })).toEqual(a);
    expect(bootstrapCi(small.length, meanOf(small), { seed: 4 }).ci).not.toEqual(a.ci);
    expect(a).toMatchObject({ level: 0.95, samples: 1000 });
  });

  it('covers the true mean about as often as its level says', () => {
    const trials = 300;
    let covered = 0;
    for (let t = 0; t < trials; t++) {
      const xs = bernoulli(80, 0.3, 1000 + t);
      const { ci } = bootstrapCi(xs.length, meanOf(xs), { samples: 400, level: 0.9, seed: t });
      if (ci[0] <= 0.3 && 0.3 <= ci[1]) covered++;
    }
    // Binomial(300, 0.9) has sd ≈ 0.017; the percentile bootstrap runs slightly under its level at n = 80.
    expect(covered / trials).toBeGreaterThan(0.83);
    expect(covered / trials).toBeLessThan(0.96);
  });

  it('rejects bad sizes and levels', () => {
    expect(() => bootstrapCi(0, () => 0)).toThrow(/n is 0; pass the number of examples/);
    expect(() => bootstrapCi(5, () => 0, { level: 95 })).toThrow(/level is 95; pass a number in \(0, 1\)/);
    expect(() => bootstrapCi(5, () => 0, { samples: 0 })).toThrow(/samples is 0; pass a positive integer/);
  });
});
