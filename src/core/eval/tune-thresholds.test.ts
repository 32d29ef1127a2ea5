// Per-label thresholds against a brute-force search scored like scikit-learn's f1_score
// (scripts/fixtures/gen_eval_extras.py), and the edge cases by hand.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tuneThresholds } from './index.js';

interface Fixture {
  thresholds: { gold: boolean[][]; probs: number[][]; thresholds: number[] };
}
const ref = JSON.parse(readFileSync(new URL('./__fixtures__/extras.json', import.meta.url), 'utf8')) as Fixture;

describe('tuneThresholds', () => {
  it('matches a brute-force search (a rare label, one never positive, one always positive)', () => {
    expect(tuneThresholds(ref.thresholds.gold, ref.thresholds.probs)).toEqual(ref.thresholds.thresholds);
  });

  it('splits separable scores at the midpoint, predicts an ever-present label everywhere, defaults to 0.5', () => {
    const gold = [
      [true, true, false],
      [false, true, false],
      [true, true, false],
    ];
    const probs = [
      [0.8, 0.3, 0.9],
      [0.2, 0.3, 0.1],
      [0.6, 0.4, 0.2],
    ];
    expect(tuneThresholds(gold, probs)).toEqual([0.4, 0.3, 0.5]);
  });

  it('names the mismatched shape', () => {
    expect(() => tuneThresholds([[true, false]], [[0.5]])).toThrow(/probs row 0 has 1 columns but 2 were expected/);
    expect(() => tuneThresholds([], [])).toThrow(/gold is empty/);
  });
});
