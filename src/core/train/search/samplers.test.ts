// Grid enumerates every combination and refuses ranges; random draws are seeded, in range, whole where asked and
// log-uniform on log scales.
import { describe, expect, it } from 'vitest';
import { gridSearch, randomSearch } from './samplers.js';
import { parseSearchSpace } from './space.js';

describe('gridSearch', () => {
  it('is the cartesian product, the last hyper-parameter varying fastest', () => {
    const space = parseSearchSpace({ lr: [1e-5, 3e-5], schedule: ['linear', 'cosine'], 'class-weights': [true] });
    expect(gridSearch(space)).toEqual([
      { lr: 1e-5, schedule: 'linear', 'class-weights': true },
      { lr: 1e-5, schedule: 'cosine', 'class-weights': true },
      { lr: 3e-5, schedule: 'linear', 'class-weights': true },
      { lr: 3e-5, schedule: 'cosine', 'class-weights': true },
    ]);
  });

  it('refuses a range, saying what to write instead', () => {
    const space = parseSearchSpace({ epochs: [1, 2], lr: { min: 1e-5, max: 1e-4, log: true } });
    expect(() => gridSearch(space)).toThrow(
      'lr is a range (0.00001 to 0.0001): a grid needs a list of values, e.g. lr: [0.00001, 0.0001], or use the random or tpe sampler.',
    );
  });
});

describe('randomSearch', () => {
  const space = parseSearchSpace({
    lr: { min: 1e-6, max: 1e-2, log: true },
    warmup: { min: 0, max: 0.5 },
    epochs: { min: 2, max: 8, int: true },
    schedule: ['linear', 'cosine', 'constant'],
  });

  it('is determined by the seed, and a shorter run is a prefix of a longer one', () => {
    expect(randomSearch(space, 5, 3)).toEqual(randomSearch(space, 5, 3));
    expect(randomSearch(space, 8, 3).slice(0, 5)).toEqual(randomSearch(space, 5, 3));
    expect(randomSearch(space, 5, 4)).not.toEqual(randomSearch(space, 5, 3));
  });

  it('stays in range, draws whole numbers for int ranges, covers every listed value and every whole number', () => {
    const draws = randomSearch(space, 2000, 11);
    const epochs = new Set(draws.map((d) => d.epochs));
    expect([...epochs].sort()).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(new Set(draws.map((d) => d.schedule))).toEqual(new Set(['linear', 'cosine', 'constant']));
    for (const d of draws) {
      expect(d.lr).toBeGreaterThanOrEqual(1e-6);
      expect(d.lr).toBeLessThanOrEqual(1e-2);
      expect(d.warmup).toBeGreaterThanOrEqual(0);
      expect(d.warmup).toBeLessThanOrEqual(0.5);
      // Reals keep 4 significant digits so they print and replay exactly.
      expect(Number((d.lr as number).toPrecision(4))).toBe(d.lr);
    }
    // Whole numbers are equally likely, ends included (each about 1/7 of the draws).
    for (const e of epochs) expect(draws.filter((d) => d.epochs === e).length / draws.length).toBeCloseTo(1 / 7, 1);
  });

  it('is log-uniform on a log scale: each decade gets about a quarter of the draws', () => {
    const lrs = randomSearch(space, 4000, 5).map((d) => Math.log10(d.lr as number));
    for (const decade of [-6, -5, -4, -3]) {
      const share = lrs.filter((x) => x >= decade && x < decade + 1).length / lrs.length;
      expect(Math.abs(share - 0.25)).toBeLessThan(0.03);
    }
  });

  it('needs a whole number of trials', () => {
    expect(() => randomSearch(space, 0, 1)).toThrow('trials is 0: random search needs a whole number of trials ≥ 1.');
  });
});
