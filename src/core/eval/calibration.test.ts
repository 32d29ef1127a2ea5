// Reliability bins and ECE against a numpy implementation (scripts/fixtures/gen_eval_extras.py), and bin edges
// and perfect calibration on hand-built cases.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type CalibrationBin, expectedCalibrationError, reliability } from './index.js';

interface Fixture {
  calibration: { goldIdx: number[]; probs: number[][]; bins: number; ece: number; reliability: CalibrationBin[] }[];
}
const ref = JSON.parse(readFileSync(new URL('./__fixtures__/extras.json', import.meta.url), 'utf8')) as Fixture;

/** Two-class rows with top-class confidence c, right (gold 0) or wrong (gold 1). */
function rows(cases: [number, boolean][]): { goldIdx: number[]; probs: number[][] } {
  return { goldIdx: cases.map(([, right]) => (right ? 0 : 1)), probs: cases.map(([c]) => [c, 1 - c]) };
}

describe('calibration', () => {
  it('matches numpy', () => {
    for (const c of ref.calibration) {
      const bins = reliability(c.goldIdx, c.probs, c.bins);
      expect(bins.map((b) => b.count)).toEqual(c.reliability.map((b) => b.count));
      bins.forEach((b, i) => {
        const r = c.reliability[i] as CalibrationBin;
        expect(b.lower).toBe(r.lower);
        expect(b.upper).toBe(r.upper);
        expect(b.meanConfidence).toBeCloseTo(r.meanConfidence, 12);
        expect(b.accuracy).toBeCloseTo(r.accuracy, 12);
      });
      expect(expectedCalibrationError(c.goldIdx, c.probs, c.bins)).toBeCloseTo(c.ece, 12);
    }
  });

  it('puts a confidence on an edge in the bin it closes, one just above in the next', () => {
    const { goldIdx, probs } = rows([
      [0.5, true],
      [0.6, false],
      [0.6000000000000001, true],
      [1, true],
    ]);
    const bins = reliability(goldIdx, probs, 10);
    expect(bins.map((b) => b.count)).toEqual([0, 0, 0, 0, 1, 1, 1, 0, 0, 1]);
    expect(bins[5]).toEqual({ lower: 0.5, upper: 0.6, count: 1, meanConfidence: 0.6, accuracy: 0 });
  });

  it('is 0 when confidence equals accuracy and grows with overconfidence', () => {
    const calibrated = rows([...Array<[number, boolean]>(3).fill([0.75, true]), [0.75, false]]);
    expect(expectedCalibrationError(calibrated.goldIdx, calibrated.probs)).toBe(0);
    const over = rows([
      [0.9, true],
      [0.9, false],
    ]);
    expect(expectedCalibrationError(over.goldIdx, over.probs)).toBeCloseTo(0.4, 12);
  });

  it('rejects bad bins and non-probabilities', () => {
    expect(() => reliability([0], [[1, 0]], 0)).toThrow(/bins is 0; pass a positive integer/);
    expect(() => reliability([0], [[2, -1]])).toThrow(/probs\[0\]\[0\] is 2; pass probabilities in \[0, 1\]/);
    expect(() => reliability([0], [[0.5, 0.2]])).toThrow(/probs row 0 sums to 0.7/);
    expect(() => expectedCalibrationError([], [])).toThrow(/goldIdx is empty/);
  });
});
