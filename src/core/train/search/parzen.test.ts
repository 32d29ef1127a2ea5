// The Parzen estimator against scipy (truncated normals, logsumexp) and math.erfc; sampling stays in range and
// follows the density.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../shared/index.js';
import { erfc, fitParzen, parzenLogPdf, sampleParzen } from './parzen.js';

interface Case {
  points: number[];
  low: number;
  high: number;
  sigmas: number[];
  xs: number[];
  logpdf: number[];
}
const ref = JSON.parse(readFileSync(new URL('./__fixtures__/parzen.json', import.meta.url), 'utf8')) as {
  parzen: Case[];
  erfc: { x: number; erfc: number }[];
};

describe('Parzen estimator', () => {
  it('erfc matches math.erfc to 1.2e-7 relative', () => {
    for (const { x, erfc: want } of ref.erfc) expect(Math.abs(erfc(x) - want) / want).toBeLessThan(1.2e-7);
  });

  it('widths and log density match scipy', () => {
    for (const c of ref.parzen) {
      const p = fitParzen(c.points, c.low, c.high);
      c.sigmas.forEach((s, i) => expect(p.sigmas[i]).toBeCloseTo(s, 12));
      c.xs.forEach((x, i) => expect(parzenLogPdf(p, x)).toBeCloseTo(c.logpdf[i] as number, 6));
    }
  });

  it('draws stay in range and gather where the points are', () => {
    const p = fitParzen([0.1, 0.12, 0.15, 0.11], 0, 1);
    const rng = seededRandom(7);
    const xs = Array.from({ length: 2000 }, () => sampleParzen(p, rng));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThanOrEqual(1);
    // The share of draws below 0.3 is the density's mass there (trapezoid rule over 300 intervals).
    const h = 0.3 / 300;
    const ys = Array.from({ length: 301 }, (_, i) => Math.exp(parzenLogPdf(p, i * h)));
    const mass = h * (ys.reduce((a, b) => a + b, 0) - ((ys[0] as number) + (ys[300] as number)) / 2);
    expect(mass).toBeGreaterThan(0.6);
    expect(Math.abs(xs.filter((x) => x < 0.3).length / xs.length - mass)).toBeLessThan(0.03);
  });
});
