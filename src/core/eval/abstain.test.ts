// The abstain threshold on hand-built predictions with exact answers: precision that is not monotone in the
// threshold, ties, and a target no threshold reaches.
import { describe, expect, it } from 'vitest';
import { abstainThreshold } from './index.js';

/** Two-class rows with top-class confidence c, right (gold 0) or wrong (gold 1). */
function rows(cases: [number, boolean][]): { goldIdx: number[]; probs: number[][] } {
  return { goldIdx: cases.map(([, right]) => (right ? 0 : 1)), probs: cases.map(([c]) => [c, 1 - c]) };
}

describe('abstainThreshold', () => {
  // Most confident first, precision of what is kept: 1/1, 2/2, 2/3, 3/4, 4/5, 4/6.
  const { goldIdx, probs } = rows([
    [0.7, true],
    [0.95, true],
    [0.55, false],
    [0.9, true],
    [0.6, true],
    [0.8, false],
  ]);

  it('takes the lowest threshold that is precise enough, even past a dip', () => {
    expect(abstainThreshold(goldIdx, probs, 0.8)).toEqual({ threshold: 0.6, precision: 0.8, coverage: 5 / 6, kept: 5 });
    expect(abstainThreshold(goldIdx, probs, 0.9)).toEqual({ threshold: 0.9, precision: 1, coverage: 2 / 6, kept: 2 });
    expect(abstainThreshold(goldIdx, probs, 1)).toEqual({ threshold: 0.9, precision: 1, coverage: 2 / 6, kept: 2 });
    expect(abstainThreshold(goldIdx, probs, 0.5)).toEqual({ threshold: 0.55, precision: 4 / 6, coverage: 1, kept: 6 });
  });

  it('keeps or drops tied confidences together', () => {
    const tied = rows([
      [0.9, true],
      [0.8, true],
      [0.8, false],
    ]);
    expect(abstainThreshold(tied.goldIdx, tied.probs, 0.7)).toEqual({ threshold: 0.9, precision: 1, coverage: 1 / 3, kept: 1 });
  });

  it('returns undefined when no threshold reaches the target', () => {
    const bad = rows([
      [0.9, false],
      [0.8, true],
    ]);
    expect(abstainThreshold(bad.goldIdx, bad.probs, 0.6)).toBeUndefined();
  });

  it('rejects a target outside [0, 1]', () => {
    expect(() => abstainThreshold(goldIdx, probs, 1.5)).toThrow(/targetPrecision is 1.5; pass a number in \[0, 1\]/);
  });
});
