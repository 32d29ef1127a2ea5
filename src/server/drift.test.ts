// Drift monitoring in the server: live traffic unlike the model's reference profile shows up in GET /v1/drift,
// in /metrics, in a warning log line and through the alert callback (webhooks).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDriftProfile } from '../core/drift/index.js';
import { seededRandom } from '../shared/index.js';
import { type ModelDrift, modelDrift } from './monitoring/drift-monitor.js';
import { testServer, tinyClassifierDir } from './testing.js';

const english = (i: number) =>
  `The ${['tea', 'bread', 'rice'][i % 3]} was ${['lovely', 'stale', 'fresh', 'bland'][i % 4]} and came on time.`;
const french = (i: number) => `Le colis est arrivé très en retard et la boîte était complètement abîmée, commande numéro ${i}.`;

describe('drift monitoring', () => {
  it('flags traffic that moved away from the reference profile, and says why when it cannot judge', async () => {
    const dir = tinyClassifierDir('classification', 7);
    const alerts: ModelDrift[] = [];
    const server = await testServer([{ name: 'live', dir }], {
      authDisabled: true,
      drift: { windowSeconds: 3600, intervalSeconds: 0, threshold: 0.2, minExamples: 20 },
      onDriftAlert: (d) => alerts.push(d),
    });
    try {
      const post = (texts: string[]) =>
        fetch(`${server.url}/v1/predict`, {
          method: 'POST',
          body: JSON.stringify({ instances: texts.map((text) => ({ text })) }),
        });
      const drift = async () => (await (await fetch(`${server.url}/v1/drift`)).json()) as { models: ModelDrift[] };

      expect((await drift()).models[0]?.skipped).toMatch(/no drift-profile\.json next to the model: run promptune drift profile/);
      const reference = Array.from({ length: 200 }, (_, i) => ({
        text: english(i),
        label: i % 2 ? 'great' : 'other',
        confidence: 0.6,
      }));
      // The tiny model's real outputs on the reference texts, so only the inputs can move.
      const answers: { predictions: { label: string; confidence: number }[] } = { predictions: [] };
      for (let i = 0; i < reference.length; i += 50) {
        const part = (await (await post(reference.slice(i, i + 50).map((r) => r.text))).json()) as typeof answers;
        answers.predictions.push(...part.predictions);
      }
      const profile = await buildDriftProfile(
        reference.map((r, i) => ({
          text: r.text,
          label: answers.predictions[i]?.label ?? null,
          confidence: answers.predictions[i]?.confidence ?? 0,
        })),
      );
      writeFileSync(join(dir, 'drift-profile.json'), JSON.stringify(profile));

      // The 200 reference-like predictions above are in the window: no drift.
      const calm = (await drift()).models[0];
      expect(calm?.report?.drifted).toEqual([]);

      await post(Array.from({ length: 60 }, (_, i) => french(i)));
      await post(Array.from({ length: 60 }, (_, i) => french(i + 60)));
      const now = (await drift()).models[0];
      expect(now?.report?.drifted).toEqual(expect.arrayContaining(['language', 'oovRate']));
      expect(now?.report?.examples).toBe(320);

      await server.context.drift.checkAll();
      expect(alerts.map((a) => a.model)).toEqual(['live']);
      // Still drifted at the next check: logged again, but no second alert.
      await server.context.drift.checkAll();
      expect(alerts).toHaveLength(1);
      expect(server.logger.lines.filter((l) => l.msg === 'drift')).toHaveLength(2);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toMatch(/promptune_drift_psi\{model="live",feature="language"\} [0-9.]+/);
      expect(server.logger.lines.some((l) => l.msg === 'drift' && (l.drifted as string[]).includes('language'))).toBe(true);

      const few = await modelDrift(server.store, server.context.models.get('live'), {
        windowSeconds: 3600,
        threshold: 0.2,
        minExamples: 1000,
      });
      expect(few.skipped).toBe('320 predictions in the window, fewer than the 1000 needed for a verdict');
      expect((await fetch(`${server.url}/v1/drift?window=abc`)).status).toBe(400);
    } finally {
      await server.close();
      await server.store.close();
    }
  });
});
