// TPE: seeded and reproducible from its history, starts like random search, avoids repeats, learns from failures,
// and — the point of it — finds better configurations than random search on a synthetic objective, over seeds.
import { describe, expect, it } from 'vitest';
import { randomSearch } from './samplers.js';
import { type Assignment, parseSearchSpace } from './space.js';
import { type Observation, tpeSuggest } from './tpe.js';

const space = parseSearchSpace({
  lr: { min: 1e-6, max: 1e-2, log: true },
  warmup: { min: 0, max: 0.5 },
  epochs: { min: 1, max: 10, int: true },
  schedule: ['linear', 'cosine', 'constant'],
  'batch-size': [8, 16, 32, 64],
});

// A fine-tuning-like landscape: a narrow log-lr optimum near 3e-5, mild preferences elsewhere; maximum 0.5.
const objective = (a: Assignment): number => {
  const lr = Math.log10(a.lr as number) + 4.5;
  return (
    -lr * lr -
    4 * ((a.warmup as number) - 0.1) ** 2 -
    0.05 * ((a.epochs as number) - 6) ** 2 +
    (a.schedule === 'cosine' ? 0.3 : 0) +
    (a['batch-size'] === 16 ? 0.2 : 0)
  );
};

function runTpe(n: number, seed: number, f = objective): Observation[] {
  const history: Observation[] = [];
  for (let i = 0; i < n; i++) {
    const params = tpeSuggest(space, history, { seed });
    history.push({ params, value: f(params) });
  }
  return history;
}

describe('tpeSuggest', () => {
  it('starts with the random sampler’s draws, then is reproducible from seed and history', () => {
    const h = runTpe(12, 9);
    expect(h.slice(0, 5).map((o) => o.params)).toEqual(randomSearch(space, 5, 9));
    expect(runTpe(12, 9)).toEqual(h);
    expect(runTpe(12, 10)).not.toEqual(h);
    for (const { params } of h) {
      expect(params.epochs).toSatisfy(Number.isInteger);
      expect(params.lr).toBeGreaterThanOrEqual(1e-6);
      expect(params.lr).toBeLessThanOrEqual(1e-2);
    }
  });

  it('never repeats a configuration while unseen ones remain', () => {
    const small = parseSearchSpace({ a: [1, 2, 3], b: ['x', 'y'] });
    const history: Observation[] = [];
    for (let i = 0; i < 6; i++) {
      const params = tpeSuggest(small, history, { seed: 1, startup: 2 });
      history.push({ params, value: params.a === 3 ? 1 : 0 });
    }
    expect(new Set(history.map((o) => JSON.stringify(o.params))).size).toBe(6);
  });

  it('moves away from a region where trials failed (no value counts as bad)', () => {
    // Every lr above 1e-4 diverged; the rest score equally.
    const f = (a: Assignment): number => ((a.lr as number) > 1e-4 ? Number.NaN : 0);
    const later = runTpe(40, 2, f).slice(10);
    // Random search would land there half the time.
    expect(later.filter((o) => Number.isNaN(o.value)).length).toBeLessThan(later.length / 5);
  });

  it('beats random search on average over 20 seeds, at 15 and at 30 trials', () => {
    for (const n of [15, 30]) {
      let tpe = 0;
      let rnd = 0;
      let wins = 0;
      for (let seed = 0; seed < 20; seed++) {
        const t = Math.max(...runTpe(n, seed).map((o) => o.value as number));
        const r = Math.max(...randomSearch(space, n, seed).map(objective));
        tpe += t / 20;
        rnd += r / 20;
        if (t > r) wins++;
      }
      expect(tpe).toBeGreaterThan(rnd + 0.1);
      expect(wins).toBeGreaterThanOrEqual(12);
    }
  });
});
