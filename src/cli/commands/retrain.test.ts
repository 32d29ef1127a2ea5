import { join } from 'node:path';
// promptune retrain: feedback becomes training data (a new dataset version with the training data as parent), a
// run trains on it with the live run's settings, and the new model is compared with the live one.
import { describe, expect, it } from 'vitest';
import { openStore } from '../../store/index.js';
import { reviewProject, runCli } from '../testing.js';

describe('promptune retrain', () => {
  it('trains on the task data plus reviewed feedback and compares the new model with the live one', async () => {
    const cwd = await reviewProject('pt-retrain-', { prompt: true });
    const first = await runCli(cwd, ['train', '--prompt', 'cloze', '--epochs', '1', '--max-length', '32', '--k', '16']);
    expect(first.status, first.stderr).toBe(0);
    const none = await runCli(cwd, ['retrain']);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain(
      'only 0 labelled feedback example(s), fewer than --min-feedback 1: review more predictions first',
    );

    const corrections = [
      ['The honey was divine, best I ever had.', 'great'],
      ['Arrived broken and tasted of cardboard.', 'other'],
      ['Perfect crunchy cookies, my kids love them.', 'great'],
    ];
    for (const [text, label] of corrections) {
      const r = await runCli(cwd, ['feedback', 'add', '--text', text as string, '--correct', label as string]);
      expect(r.status, r.stderr).toBe(0);
    }
    const r = await runCli(cwd, ['retrain']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^training set: 200 rows of train\.csv \+ 3 from feedback → 203 rows \(dataset [0-9a-f]{12}, \.promptune\/retrain\/\S+\/train\.csv\)/,
    );
    // The live run's settings: a K-shot prompt run (K=16 per label).
    expect(r.stderr).toMatch(/prompt-mlm on 32 examples \(dev 32\), 1 epochs/);
    expect(r.stdout).toMatch(/on 100 test examples: live macro-F1 \d\.\d{3}, retrained \d\.\d{3}/);
    expect(r.stdout).toMatch(/(No reliable difference between|is better than)/);
    expect(r.stdout).toMatch(/retrained model: \.promptune\/runs\/run_\S+\/model/);

    const store = await openStore(`sqlite:${join(cwd, '.promptune', 'promptune.db')}`);
    try {
      const taskId = (await store.tasks.list())[0]?.id as string;
      const retrain = (await store.datasets.list(taskId, { role: 'retrain' }))[0];
      const train = (await store.datasets.list(taskId, { role: 'train' }))[0];
      expect(retrain?.parentHash).toBe(train?.hash);
      expect(retrain?.rowCount).toBe(203);
      const runs = await store.runs.list({ status: 'completed' });
      expect(runs).toHaveLength(2);
      expect(runs[0]?.datasetHash).not.toBe(runs[1]?.datasetHash);
    } finally {
      await store.close();
    }
  }, 180_000);
});
