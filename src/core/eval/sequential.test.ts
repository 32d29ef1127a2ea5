import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../shared/index.js';
import { sequentialComparison } from './sequential.js';

function stream(n: number, pa: number, pb: number, seed: number) {
  const r = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const side = i % 2 === 0 ? ('a' as const) : ('b' as const);
    return { side, success: r() < (side === 'a' ? pa : pb) };
  });
}

describe('sequentialComparison (mSPRT)', () => {
  it('finds a real difference, with an interval around it', () => {
    const res = sequentialComparison(stream(800, 0.6, 0.8, 1));
    expect(res.significant).toBe(true);
    expect(res.pValue).toBeLessThan(0.01);
    expect(res.diff).toBeGreaterThan(0.1);
    expect(res.ci[0]).toBeGreaterThan(0);
    expect(res.ci[1]).toBeGreaterThan(res.diff);
    expect(res.a.trials + res.b.trials).toBe(800);
  });

  it('keeps false positives under alpha although it is checked after every observation', () => {
    let falsePositives = 0;
    let naiveFalsePositives = 0;
    const runs = 300;
    for (let seed = 1; seed <= runs; seed++) {
      const s = stream(1000, 0.7, 0.7, seed);
      if (sequentialComparison(s).significant) falsePositives++;
      if (peekedZTest(s)) naiveFalsePositives++;
    }
    expect(falsePositives / runs).toBeLessThanOrEqual(0.05);
    // The fixed-sample z-test, peeked at after every observation, is fooled far more often.
    expect(naiveFalsePositives / runs).toBeGreaterThan(0.2);
  });

  it('has no opinion before both sides have data', () => {
    expect(sequentialComparison([{ side: 'a', success: true }])).toMatchObject({ pValue: 1, significant: false, ci: [-1, 1] });
  });
});

/** A two-proportion z-test at 5 %, checked after every observation from 20 per side on: true if it ever fires. */
function peekedZTest(outcomes: { side: 'a' | 'b'; success: boolean }[]): boolean {
  const n = { a: 0, b: 0 };
  const k = { a: 0, b: 0 };
  for (const o of outcomes) {
    n[o.side]++;
    if (o.success) k[o.side]++;
    if (n.a < 20 || n.b < 20) continue;
    const pa = k.a / n.a;
    const pb = k.b / n.b;
    const se = Math.sqrt((pa * (1 - pa)) / n.a + (pb * (1 - pb)) / n.b);
    if (se > 0 && Math.abs(pb - pa) / se > 1.96) return true;
  }
  return false;
}
