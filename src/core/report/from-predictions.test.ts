import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../shared/index.js';
import { reportFromPredictions } from './from-predictions.js';
import { checkReport } from './html.js';
import { runReportSchema } from './types.js';

/** n examples, three labels, logits that favour the gold label most of the time. */
function sample(n: number) {
  const r = seededRandom(4);
  const gold = Array.from({ length: n }, () => Math.floor(r() * 3));
  const logits = gold.map((g) => [0, 1, 2].map((k) => (k === g ? 1.5 : 0) + 2 * r()));
  return { gold, logits, texts: gold.map((g, i) => `example ${i} <b>${g}</b>`) };
}

describe('report from predictions', () => {
  const { gold, logits, texts } = sample(300);
  const base = {
    title: 'Test',
    model: 'm',
    createdAt: '2026-11-25T00:00:00Z',
    dataset: { name: 'test.csv', n: 300 },
    labels: ['neg', 'neu', 'pos'],
    gold,
    logits,
    texts,
  };

  it('fills metrics, intervals around them, AUC, calibration and error tables', () => {
    const r = reportFromPredictions({ ...base, bootstrap: { samples: 200 } });
    expect(() => checkReport(r)).not.toThrow();
    expect(runReportSchema.safeParse(JSON.parse(JSON.stringify(r))).success).toBe(true);
    const [lo, hi] = r.intervals?.macroF1 as [number, number];
    expect(lo).toBeLessThan(r.metrics.macroF1);
    expect(hi).toBeGreaterThan(r.metrics.macroF1);
    expect(r.metrics.rocAuc).toBeGreaterThan(0.6);
    expect(r.reliability?.reduce((a, b) => a + b.count, 0)).toBe(300);
    expect(r.confusion.flat().reduce((a, b) => a + b, 0)).toBe(300);
    expect(r.errors?.confidentMistakes.length).toBe(10);
    const worst = r.errors?.confidentMistakes[0];
    expect(worst?.gold).not.toBe(worst?.predicted);
    expect(r.byGroup).toBeUndefined();
  });

  it('temperature changes confidence and calibration, never the predictions', () => {
    const t1 = reportFromPredictions({ ...base, bootstrap: { samples: 50 } });
    const t3 = reportFromPredictions({ ...base, temperature: 3, bootstrap: { samples: 50 } });
    expect(t3.confusion).toEqual(t1.confusion);
    expect(t3.metrics.ece).not.toBeCloseTo(t1.metrics.ece as number, 5);
    expect(t3.metrics.temperature).toBe(3);
  });

  it('reports the abstain point for a target precision and a per-group breakdown', () => {
    const groups = gold.map((_, i) => (i % 3 === 0 ? 'fr' : 'en'));
    const r = reportFromPredictions({ ...base, groups, targetPrecision: 0.95, bootstrap: { samples: 50 } });
    expect(r.metrics.abstain?.precision).toBeGreaterThanOrEqual(0.95);
    expect(r.metrics.abstain?.coverage).toBeLessThan(1);
    expect(r.byGroup?.map((g) => [g.group, g.n])).toEqual([
      ['en', 200],
      ['fr', 100],
    ]);
  });
});
