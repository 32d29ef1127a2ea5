// Multi-label metrics against scikit-learn with zero_division=0 (scripts/fixtures/gen_eval_extras.py: a label
// that is never gold and one that is never predicted), and a hand-counted case.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { multiLabelMetrics } from './index.js';

interface Case {
  gold: boolean[][];
  pred: boolean[][];
  precision: number[];
  recall: number[];
  f1: number[];
  support: number[];
  microPrecision: number;
  microRecall: number;
  microF1: number;
  macroPrecision: number;
  macroRecall: number;
  macroF1: number;
  subsetAccuracy: number;
  hammingLoss: number;
}
interface Fixture {
  multiLabel: { labels: string[]; cases: Case[] };
}
const ref = JSON.parse(readFileSync(new URL('./__fixtures__/extras.json', import.meta.url), 'utf8')) as Fixture;

describe('multiLabelMetrics', () => {
  it('matches scikit-learn', () => {
    const { labels, cases } = ref.multiLabel;
    for (const c of cases) {
      const m = multiLabelMetrics(c.gold, c.pred, labels);
      m.perLabel.forEach((s, i) => {
        expect(s.label).toBe(labels[i]);
        expect(s.precision).toBeCloseTo(c.precision[i] as number, 12);
        expect(s.recall).toBeCloseTo(c.recall[i] as number, 12);
        expect(s.f1).toBeCloseTo(c.f1[i] as number, 12);
        expect(s.support).toBe(c.support[i]);
      });
      for (const key of [
        'microPrecision',
        'microRecall',
        'microF1',
        'macroPrecision',
        'macroRecall',
        'macroF1',
        'subsetAccuracy',
        'hammingLoss',
      ] as const)
        expect(m[key]).toBeCloseTo(c[key], 12);
    }
  });

  it('counts by hand', () => {
    const m = multiLabelMetrics(
      [
        [true, false],
        [true, true],
      ],
      [
        [true, true],
        [false, true],
      ],
      ['a', 'b'],
    );
    // a: tp 1, fn 1; b: tp 1, fp 1. Micro: tp 2, fp 1, fn 1.
    expect(m.perLabel).toEqual([
      { label: 'a', precision: 1, recall: 0.5, f1: 2 / 3, support: 2 },
      { label: 'b', precision: 0.5, recall: 1, f1: 2 / 3, support: 1 },
    ]);
    expect([m.microPrecision, m.microRecall, m.subsetAccuracy, m.hammingLoss]).toEqual([2 / 3, 2 / 3, 0, 0.5]);
  });

  it('names the mismatched shape', () => {
    expect(() => multiLabelMetrics([[true]], [[true]], ['a', 'b'])).toThrow(/gold row 0 has 1 columns but 2 were expected/);
    expect(() => multiLabelMetrics([[true]], [[true], [false]], ['a'])).toThrow(/gold has 1 entries but predicted has 2/);
    expect(() => multiLabelMetrics([[]], [[]], [])).toThrow(/labels is empty/);
  });
});
