// promptune drift: a profile from the task's training data next to the model, and a report on the predictions
// the server stored for that model version — stable for traffic like the training data, drifted (exit 1) when
// the traffic changes language.
import { existsSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelVersionOf } from '../../server/index.js';
import { tinyClassifierDir } from '../../server/testing.js';
import { openStore } from '../../store/index.js';
import { reviewProject, runCli } from '../testing.js';

describe('promptune drift', () => {
  it('profiles the training data and reports drift of stored predictions', async () => {
    const cwd = await reviewProject('pt-drift-');
    const dir = tinyClassifierDir('classification', 9);
    const profiled = await runCli(cwd, ['drift', 'profile', '--model', dir, '--limit', '150']);
    expect(profiled.status, profiled.stderr).toBe(0);
    expect(profiled.stdout).toContain('drift profile of 150 training examples written to');
    expect(existsSync(join(dir, 'drift-profile.json'))).toBe(true);

    const none = await runCli(cwd, ['drift', 'report', '--model', dir]);
    expect(none.stdout).toMatch(/^no predictions by model version sha-[0-9a-f]{12} since/);

    const train = readFileSync(join(cwd, 'train.csv'), 'utf8').trim().split('\n').slice(1, 101);
    const store = await openStore(`sqlite:${join(cwd, '.promptune', 'promptune.db')}`);
    const task = (await store.tasks.list())[0]?.id as string;
    const record = (texts: string[]) =>
      store.predictions.recordMany(
        texts.map((text) => ({
          taskId: task,
          modelVersion: `live@${modelVersionOf(dir, {})}`,
          input: { text },
          label: 'great',
          confidence: 0.9,
          probs: { great: 0.9, other: 0.1 },
        })),
      );
    // The CSV's text column, quotes and all: close enough to the imported texts for the statistics.
    await record(train.map((line) => line.replace(/,[^,]*$/, '')));
    await store.close();
    const calm = await runCli(cwd, ['drift', 'report', '--model', dir, '--window', '1h']);
    expect(calm.stdout).toMatch(/^100 predictions; PSI over 0.2 counts as drifted/);
    expect(calm.stdout).toMatch(/language\s+PSI 0\.\d{3}\s+stable/);

    const again = await openStore(`sqlite:${join(cwd, '.promptune', 'promptune.db')}`);
    await again.predictions.recordMany(
      Array.from({ length: 300 }, (_, i) => ({
        taskId: task,
        modelVersion: `live@${modelVersionOf(dir, {})}`,
        input: { text: `Die Lieferung kam viel zu spät und die Verpackung war beschädigt, Bestellung ${i}.` },
        label: 'other',
        confidence: 0.55,
        probs: { great: 0.45, other: 0.55 },
      })),
    );
    await again.close();
    const drifted = await runCli(cwd, ['drift', 'report', '--model', dir, '--json']);
    expect(drifted.status).toBe(3);
    expect(JSON.parse(drifted.stdout).drifted).toEqual(expect.arrayContaining(['language', 'oovRate']));
    expect((await runCli(cwd, ['drift', 'report', '--model', dir, '--window', 'yesterday'])).stderr).toContain(
      '--window yesterday: use a number and a unit, e.g. 90m, 24h or 7d',
    );
  }, 120_000);
});
