// docs/walkthrough.md runs as written: its sh blocks, in order, in one empty directory, with `promptune`
// pointing at this checkout and its own store.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAsync } from './run-async.js';

const root = new URL('../', import.meta.url).pathname;

describe('docs/walkthrough.md', () => {
  it('every command runs and produces what the page says', async () => {
    const blocks = [...readFileSync(join(root, 'docs/walkthrough.md'), 'utf8').matchAll(/```sh\n([\s\S]*?)```/g)].map(
      (m) => m[1] as string,
    );
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    const cwd = mkdtempSync(join(tmpdir(), 'pt-walkthrough-'));
    const binDir = join(cwd, '.bin');
    mkdirSync(binDir);
    writeFileSync(
      join(binDir, 'promptune'),
      `#!/bin/sh\nexec "${process.execPath}" "${join(root, 'bin/promptune.mjs')}" "$@"\n`,
      { mode: 0o755 },
    );
    const script = ['set -eu', ...blocks].join('\n');
    const r = await runAsync('bash', ['-c', script], {
      cwd,
      env: { ...process.env, PATH: `${binDir}:${process.env.PATH}`, PROMPTUNE_REPO: root, PROMPTUNE_STORE_URL: '', USER: 'doc' },
    });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain('train: train.csv: 3979 of 3979 rows imported');
    expect(r.stdout).toMatch(/seed 13: train [0-9a-f]{12} \(32\), dev [0-9a-f]{12} \(32\)/);
    expect(r.stdout).toContain('Rendered:\n  Review: I absolutely LOVE this dried fruit.');
    expect(r.stdout).toMatch(/zero-shot \(test, calibrated\): macro-f1/);
    expect(r.stdout).toMatch(/(No reliable difference between|is better than) cloze@/);
    expect(r.stdout).toMatch(/version [0-9a-f]{10} of "cloze" with the best label words/);
    expect(r.stdout).toContain('Wrote 1 labelled example(s) to feedback.jsonl.');
    expect(r.stdout).toMatch(/run run_\S+ completed after \d+ steps; best dev macro-f1 \d\.\d{3}/);
    expect(r.stdout).toMatch(/test: macro-f1 \d\.\d{3}, accuracy \d\.\d{3} on 993 examples/);
    expect(r.stdout).toMatch(/macro-F1 \d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\]/);
    expect(r.stderr).toContain('2 predictions written to predictions.csv');
    for (const f of [
      'feedback.jsonl',
      'reviews-dataset/README.md',
      'reviews-dataset/train.jsonl',
      'chat.jsonl',
      'predictions.csv',
      '.promptune/promptune.db',
    ]) {
      expect(existsSync(join(cwd, f)), f).toBe(true);
    }
  });
});
