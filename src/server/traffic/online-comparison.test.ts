// The online comparison end to end: a 50/50 split, feedback on what each version answered, and the verdict of
// the sequential test from GET /v1/traffic/comparison.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../shared/index.js';
import { testServer, tinyClassifierDir } from '../testing.js';
import { type OnlineComparison, outcome } from './online-comparison.js';

describe('online comparison of two versions', () => {
  it('reads judged predictions as successes and failures', () => {
    expect(outcome({ prediction: 'great', correctLabel: 'great', rating: null })).toBe(true);
    expect(outcome({ prediction: 'great', correctLabel: 'other', rating: 1 })).toBe(false);
    expect(outcome({ prediction: 'great', correctLabel: null, rating: -1 })).toBe(false);
    expect(outcome({ prediction: 'great', correctLabel: null, rating: 0 })).toBeUndefined();
  });

  it('says when one version is reliably better, and not before', async () => {
    const server = await testServer(
      [
        { name: 'live', dir: tinyClassifierDir('classification', 11) },
        { name: 'canary', dir: tinyClassifierDir('classification', 12) },
      ],
      { authDisabled: true, split: { live: 50, canary: 50 } },
    );
    try {
      const r = seededRandom(5);
      const rightRate: Record<string, number> = { live: 0.85, canary: 0.6 };
      const comparison = async () => (await (await fetch(`${server.url}/v1/traffic/comparison`)).json()) as OnlineComparison;
      const judge = async (from: number, to: number) => {
        for (let i = from; i < to; i++) {
          const answer = (await (
            await fetch(`${server.url}/v1/predict`, {
              method: 'POST',
              body: JSON.stringify({ text: `review ${i}`, routingKey: `customer-${i}` }),
            })
          ).json()) as { model: { name: string }; prediction: { id: string } };
          const right = r() < (rightRate[answer.model.name] as number);
          await fetch(`${server.url}/v1/feedback`, {
            method: 'POST',
            body: JSON.stringify({ predictionId: answer.prediction.id, rating: right ? 1 : -1 }),
          });
        }
      };
      await judge(0, 20);
      const early = await comparison();
      expect(early.significant).toBe(false);
      expect(early.verdict).toMatch(/^no reliable difference yet: live/);
      await judge(20, 400);
      const later = await comparison();
      expect(later.a.trials + later.b.trials).toBe(400);
      expect(later.significant).toBe(true);
      expect(later.diff).toBeLessThan(0);
      expect(later.verdict).toMatch(/^live is better: \d+\.\d % vs \d+\.\d % right \(always-valid p = /);
      expect((await fetch(`${server.url}/v1/traffic/comparison?a=live&b=live`)).status).toBe(400);
    } finally {
      await server.close();
      await server.store.close();
    }
  }, 120_000);
});
