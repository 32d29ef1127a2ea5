// Error analysis on hand-built predictions with exact expected lists.
import { describe, expect, it } from 'vitest';
import { errorAnalysis } from './index.js';

describe('errorAnalysis', () => {
  const goldIdx = [0, 1, 2, 0, 1, 2];
  const probs = [
    [0.9, 0.05, 0.05], // right, sure
    [0.7, 0.2, 0.1], // wrong at 0.7
    [0.1, 0.3, 0.6], // right, 0.6
    [0.2, 0.2, 0.6], // wrong at 0.6
    [0.45, 0.55, 0], // right, unsure
    [0.1, 0.7, 0.2], // wrong at 0.7, after row 1
  ];

  it('lists the surest mistakes and the least sure right answers, ties in row order', () => {
    const a = errorAnalysis(goldIdx, probs, 2);
    expect(a.confidentMistakes).toEqual([
      { index: 1, gold: 1, predicted: 0, confidence: 0.7 },
      { index: 5, gold: 2, predicted: 1, confidence: 0.7 },
    ]);
    expect(a.unsureCorrect).toEqual([
      { index: 4, gold: 1, predicted: 1, confidence: 0.55 },
      { index: 2, gold: 2, predicted: 2, confidence: 0.6 },
    ]);
    const all = errorAnalysis(goldIdx, probs, 10);
    expect(all.confidentMistakes.map((c) => c.index)).toEqual([1, 5, 3]);
    expect(all.unsureCorrect.map((c) => c.index)).toEqual([4, 2, 0]);
    expect(errorAnalysis(goldIdx, probs, 0)).toEqual({ confidentMistakes: [], unsureCorrect: [] });
  });

  it('rejects a bad k and mismatched inputs', () => {
    expect(() => errorAnalysis(goldIdx, probs, -1)).toThrow(/k is -1; pass a count ≥ 0/);
    expect(() => errorAnalysis([0], probs, 1)).toThrow(/goldIdx has 1 entries but probs has 6/);
  });
});
