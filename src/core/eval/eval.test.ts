// Metrics against scikit-learn, McNemar p-values and erfc against scipy/math (fixtures/reference.json), and the
// bootstrap interval and verdict on constructed cases with a known answer.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bootstrapDiff, classificationMetrics, erfc, mcnemar, metricValue, verdict } from './index.js';

interface Reference {
  labels: string[];
  metrics: {
    gold: string[];
    pred: string[];
    accuracy: number;
    macroF1: number;
    weightedF1: number;
    precision: number[];
    recall: number[];
    f1: number[];
  }[];
  mcnemar: { aOnly: number; bOnly: number; p: number }[];
  erfc: { x: number; erfc: number }[];
}
const ref = JSON.parse(readFileSync(new URL('./__fixtures__/reference.json', import.meta.url), 'utf8')) as Reference;

/** gold/pred pairs with exactly the given discordant counts. */
function pairs(aOnly: number, bOnly: number, both: number): { gold: string[]; a: string[]; b: string[] } {
  const gold: string[] = [];
  const a: string[] = [];
  const b: string[] = [];
  const add = (ra: boolean, rb: boolean, n: number): void => {
    for (let i = 0; i < n; i++) {
      gold.push('x');
      a.push(ra ? 'x' : 'y');
      b.push(rb ? 'x' : 'y');
    }
  };
  add(true, false, aOnly);
  add(false, true, bOnly);
  add(true, true, both);
  return { gold, a, b };
}

describe('metrics', () => {
  it('match scikit-learn', () => {
    for (const c of ref.metrics) {
      const m = classificationMetrics(c.gold, c.pred, ref.labels);
      expect(m.accuracy).toBeCloseTo(c.accuracy, 12);
      expect(m.macroF1).toBeCloseTo(c.macroF1, 12);
      expect(m.weightedF1).toBeCloseTo(c.weightedF1, 12);
      m.perClass.forEach((pc, i) => {
        expect(pc.precision).toBeCloseTo(c.precision[i] as number, 12);
        expect(pc.recall).toBeCloseTo(c.recall[i] as number, 12);
        expect(pc.f1).toBeCloseTo(c.f1[i] as number, 12);
      });
      expect(m.confusion.flat().reduce((a, b) => a + b, 0)).toBe(c.gold.length);
    }
  });

  it('reads the task metric by name and rejects unknown labels', () => {
    const m = classificationMetrics(['a', 'b', 'b'], ['a', 'a', 'b'], ['a', 'b']);
    expect(metricValue(m, 'accuracy')).toBeCloseTo(2 / 3);
    expect(metricValue(m, 'f1:b')).toBeCloseTo(2 / 3);
    expect(() => metricValue(m, 'auc')).toThrow(/unknown metric "auc"/);
    expect(() => classificationMetrics(['a'], ['c'], ['a', 'b'])).toThrow(/label "c" is not one of a, b/);
  });
});

describe('significance', () => {
  it('McNemar p-values match scipy (exact and chi-square)', () => {
    for (const c of ref.mcnemar) {
      const { gold, a, b } = pairs(c.aOnly, c.bOnly, 50);
      const t = mcnemar(gold, a, b);
      expect([t.aOnly, t.bOnly]).toEqual([c.aOnly, c.bOnly]);
      expect(t.pValue).toBeCloseTo(c.p, 9);
    }
  });

  it('erfc matches math.erfc', () => {
    for (const c of ref.erfc) expect(Math.abs(erfc(c.x) - c.erfc)).toBeLessThan(1e-12 + 1e-9 * c.erfc);
  });

  it('bootstrap: a clear win is called, a tie is not; reproducible by seed', () => {
    const win = pairs(2, 30, 100);
    const labels = ['x', 'y'];
    const boot = bootstrapDiff(win.gold, win.a, win.b, labels, { metric: 'accuracy', seed: 1 });
    expect(boot.diff).toBeCloseTo(28 / 132);
    expect(boot.ci[0]).toBeGreaterThan(0);
    expect(boot.ci[0]).toBeLessThan(boot.diff);
    expect(boot.ci[1]).toBeGreaterThan(boot.diff);
    expect(bootstrapDiff(win.gold, win.a, win.b, labels, { metric: 'accuracy', seed: 1 })).toEqual(boot);
    expect(verdict(['A', 'B'], boot, mcnemar(win.gold, win.a, win.b))).toMatch(
      /^B is better than A: accuracy \+21\.2 points \(95% CI \+\d+\.\d to \+\d+\.\d points; McNemar p < 0\.001\)/,
    );
    // A wins when the systems swap places: the interval is then A's gain, positive like the headline number.
    const flipped = bootstrapDiff(win.gold, win.b, win.a, labels, { metric: 'accuracy', seed: 1 });
    expect(verdict(['A', 'B'], flipped, mcnemar(win.gold, win.b, win.a))).toMatch(
      /^A is better than B: accuracy \+21\.2 points \(95% CI \+\d+\.\d to \+\d+\.\d points; McNemar p < 0\.001\)/,
    );
    const tie = pairs(10, 11, 100);
    const bt = bootstrapDiff(tie.gold, tie.a, tie.b, labels, { metric: 'accuracy' });
    expect(bt.ci[0]).toBeLessThan(0);
    expect(bt.ci[1]).toBeGreaterThan(0);
    expect(verdict(['A', 'B'], bt, mcnemar(tie.gold, tie.a, tie.b))).toMatch(/^No reliable difference between A and B/);
  });
});
