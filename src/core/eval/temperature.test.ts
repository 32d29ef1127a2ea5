// The fitted temperature against scipy's bounded minimisation of the same NLL over log T
// (scripts/fixtures/gen_eval_extras.py), and what applying a temperature may and may not change.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TEMPERATURE_RANGE, applyTemperature, fitTemperature } from './index.js';

interface Fixture {
  temperature: { goldIdx: number[]; logits: number[][]; temperature: number; nll: number }[];
}
const ref = JSON.parse(readFileSync(new URL('./__fixtures__/extras.json', import.meta.url), 'utf8')) as Fixture;

function nll(goldIdx: number[], logits: number[][], t: number): number {
  const p = applyTemperature(logits, t);
  return -goldIdx.reduce((s, g, i) => s + Math.log((p[i] as number[])[g] as number), 0) / goldIdx.length;
}

describe('temperature scaling', () => {
  it('finds the NLL minimum scipy finds', () => {
    for (const c of ref.temperature) {
      const t = fitTemperature(c.goldIdx, c.logits);
      expect(Math.abs(t - c.temperature)).toBeLessThan(1e-6);
      expect(nll(c.goldIdx, c.logits, t)).toBeLessThanOrEqual(c.nll + 1e-12);
      expect(fitTemperature(c.goldIdx, c.logits)).toBe(t);
    }
  });

  it('stops at the ends of its range when the data has no interior optimum', () => {
    // Always right: sharper is always better. Always wrong: flatter is always better.
    const logits = [
      [2, 0],
      [0, 3],
    ];
    expect(fitTemperature([0, 1], logits)).toBe(TEMPERATURE_RANGE[0]);
    expect(fitTemperature([1, 0], logits)).toBe(TEMPERATURE_RANGE[1]);
  });

  it('softens or sharpens probabilities without changing the prediction', () => {
    const logits = [
      [1000, 998, -5],
      [0.1, 0.3, 0.2],
    ];
    for (const t of [0.3, 1, 4]) {
      for (const row of applyTemperature(logits, t)) {
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
        expect(row.every(Number.isFinite)).toBe(true);
      }
    }
    expect(applyTemperature(logits, 1)[0]?.[0]).toBeCloseTo(1 / (1 + Math.exp(-2) + Math.exp(-1005)), 12);
    expect(applyTemperature(logits, 2)[0]?.[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
    const soft = applyTemperature(logits, 4)[1] as number[];
    expect(soft.indexOf(Math.max(...soft))).toBe(1);
  });

  it('rejects bad temperatures and shapes', () => {
    expect(() => applyTemperature([[1, 2]], 0)).toThrow(/temperature is 0; pass a finite number > 0/);
    expect(() =>
      fitTemperature(
        [0],
        [
          [1, 2],
          [3, 4],
        ],
      ),
    ).toThrow(/goldIdx has 1 entries but logits has 2/);
    expect(() => fitTemperature([0], [[1]])).toThrow(/logits has 1 columns; pass one logit per class/);
    expect(() => fitTemperature([0], [[1, Number.POSITIVE_INFINITY]])).toThrow(/logits\[0\]\[1\] is Infinity/);
  });
});
