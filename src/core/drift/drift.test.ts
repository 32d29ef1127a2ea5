import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../shared/index.js';
import { type ObservedPrediction, buildDriftProfile, compareWithProfile, driftProfileSchema } from './profile.js';
import { binProportions, categoryProportions, psi, quantileEdges } from './psi.js';

describe('psi', () => {
  it('is zero for equal distributions and matches the formula by hand', () => {
    expect(psi([0.5, 0.5], [0.5, 0.5])).toBe(0);
    // (0.7 − 0.5)·ln(0.7/0.5) + (0.3 − 0.5)·ln(0.3/0.5)
    expect(psi([0.5, 0.5], [0.7, 0.3])).toBeCloseTo(0.2 * Math.log(1.4) - 0.2 * Math.log(0.6), 12);
    expect(Number.isFinite(psi([0.5, 0.5, 0], [0.4, 0.4, 0.2]))).toBe(true);
    expect(() => psi([1], [0.5, 0.5])).toThrow('1 reference bins but 2 live bins');
  });

  it('bins by reference quantiles and counts categories with an "(other)" bucket', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i);
    const edges = quantileEdges(xs);
    expect(edges).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(binProportions(xs, edges)).toEqual(new Array(10).fill(0.1));
    expect(quantileEdges([1, 1, 1, 1])).toEqual([1]);
    expect(categoryProportions(['a', 'b', 'a', 'z'], ['a', 'b'])).toEqual([0.5, 0.25, 0.25]);
  });
});

const GOOD = ['lovely', 'fresh', 'tasty', 'perfect'];
const BAD = ['stale', 'bland', 'awful', 'soggy'];
const THINGS = ['tea', 'coffee', 'bread', 'honey', 'rice'];

function english(n: number, seed: number): ObservedPrediction[] {
  const r = seededRandom(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)] as T;
  return Array.from({ length: n }, () => {
    const good = r() < 0.6;
    const extra = r() < 0.5 ? ' We will order it again for the whole family.' : '';
    return {
      text: `The ${pick(THINGS)} was ${pick(good ? GOOD : BAD)} and arrived quickly.${extra}`,
      label: good ? 'great' : 'other',
      confidence: 0.7 + 0.3 * r(),
    };
  });
}

describe('drift profile', () => {
  it('sees no drift in traffic like the reference, and flags language, vocabulary, length, labels and confidence when it moves', async () => {
    const profile = driftProfileSchema.parse(JSON.parse(JSON.stringify(await buildDriftProfile(english(400, 1)))));
    expect(profile.examples).toBe(400);
    expect(profile.vocabulary).toContain('lovely');

    const same = await compareWithProfile(profile, english(300, 2));
    expect(same.drifted).toEqual([]);
    for (const f of same.features) expect(f.psi, f.feature).toBeLessThan(0.1);

    const r = seededRandom(3);
    const moved: ObservedPrediction[] = Array.from({ length: 300 }, (_, i) => ({
      text: `Le colis est arrivé en retard, la boîte était abîmée et le service client ne répond jamais aux messages ${i}.`,
      label: r() < 0.9 ? 'other' : null,
      confidence: 0.5 + 0.1 * r(),
    }));
    const report = await compareWithProfile(profile, moved);
    expect(report.drifted).toEqual(['length', 'oovRate', 'confidence', 'language', 'label']);
    const language = report.features.find((f) => f.feature === 'language');
    expect(language?.bins.find((b) => b.bin === '(other)')?.live).toBeGreaterThan(0.9);
    expect(report.threshold).toBe(0.2);
  });
});
