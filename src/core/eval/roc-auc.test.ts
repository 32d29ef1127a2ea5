// ROC AUC against scikit-learn's roc_auc_score (binary and multi_class='ovr', average='macro'; fixtures from
// scripts/fixtures/gen_eval_extras.py), plus hand-counted pairs with ties.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EvaluationError, rocAuc, rocAucOvr } from './index.js';

interface Fixture {
  rocAuc: { gold: boolean[]; score: number[]; auc: number }[];
  rocAucOvr: { goldIdx: number[]; probs: number[][]; auc: number }[];
}
const ref = JSON.parse(readFileSync(new URL('./__fixtures__/extras.json', import.meta.url), 'utf8')) as Fixture;

describe('rocAuc', () => {
  it('matches scikit-learn, ties included', () => {
    for (const c of ref.rocAuc) expect(rocAuc(c.gold, c.score)).toBeCloseTo(c.auc, 12);
  });

  it('counts a tied positive/negative pair as half', () => {
    // Pairs (positive, negative): 0.9>0.4, 0.9>0.1, 0.4=0.4, 0.4>0.1 → 3.5 of 4.
    expect(rocAuc([true, false, true, false], [0.9, 0.4, 0.4, 0.1])).toBe(0.875);
    expect(rocAuc([true, false], [0.2, 0.8])).toBe(0);
  });

  it('says why it cannot be computed', () => {
    expect(() => rocAuc([true, true], [0.1, 0.2])).toThrow(/gold has no negative examples, so ROC AUC is undefined/);
    expect(() => rocAuc([true, false, true], [0.1, 0.2])).toThrow(/gold has 3 entries but score has 2/);
    expect(() => rocAuc([true, false], [0.1, Number.NaN])).toThrow(/rocAuc: score\[1\] is NaN; pass finite numbers/);
    const e = (() => {
      try {
        rocAuc([false], [1]);
      } catch (err) {
        return err;
      }
    })();
    expect(EvaluationError.isInstance(e) && e.code).toBe('EVAL_UNDEFINED');
  });
});

describe('rocAucOvr', () => {
  it('matches scikit-learn one-vs-rest macro', () => {
    for (const c of ref.rocAucOvr) expect(rocAucOvr(c.goldIdx, c.probs)).toBeCloseTo(c.auc, 12);
  });

  it('names the class without positives and bad indices', () => {
    const probs = [
      [0.5, 0.3, 0.2],
      [0.2, 0.7, 0.1],
    ];
    expect(() => rocAucOvr([0, 1], probs)).toThrow(/rocAucOvr: class 2 has no positive examples/);
    expect(() => rocAucOvr([0, 3], probs)).toThrow(/goldIdx\[1\] is 3; class indices must be integers in 0..2/);
    expect(() => rocAucOvr([0, 1], [[0.5, 0.5], [1]])).toThrow(/probs row 1 has 1 columns but 2 were expected/);
  });
});
