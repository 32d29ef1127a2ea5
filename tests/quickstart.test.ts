// The quickstart (README's first command) on a reduced budget: the whole loop with the real default model, its
// artefacts, a fine-tuned model that clearly beats always answering the majority label, and a second run that
// reuses what the first one made.
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSummary } from '../src/core/index.js';
import { runAsync } from './run-async.js';

const root = new URL('../', import.meta.url).pathname;

/** Runs the quickstart in a child process (asynchronously: see run-async.ts). */
async function quickstart(dir: string): Promise<{ status: number | null; out: string }> {
  const r = await runAsync(
    process.execPath,
    [
      join(root, 'node_modules/tsx/dist/cli.mjs'),
      join(root, 'examples/quickstart.ts'),
      '--dir',
      dir,
      '--fast',
      '--zero-shot',
      '60',
    ],
    { env: { ...process.env, PROMPTUNE_STORE_URL: '', USER: 'quickstart' } },
  );
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('npm run quickstart', () => {
  it('runs define → data → prompts → fine-tune → eval → predict, beats the majority label, and reuses its work', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'pt-quickstart-')), 'project');
    const first = await quickstart(dir);
    expect(first.status, first.out).toBe(0);
    for (const f of [
      'promptune.yaml',
      'quickstart.json',
      'model/promptune.json',
      'model/model.safetensors',
      'report/report.html',
    ])
      expect(existsSync(join(dir, f)), f).toBe(true);
    const ab = JSON.parse(readFileSync(join(dir, 'quickstart.json'), 'utf8')).ab as { a: { name: string }; verdict: string };
    expect(ab.a.name).toBe('all-in-all');
    expect(first.out).toContain(ab.verdict);
    expect(first.out).toMatch(/Fine-tuning with "(all-in-all|stars)"/);
    expect(readFileSync(join(dir, 'report/report.html'), 'utf8')).toContain('<svg');

    const summary = readSummary(readFileSync(join(dir, 'report/summary.json'), 'utf8'));
    expect(summary.dataset.n).toBe(993);
    const majority = Math.max(...summary.perClass.map((c) => c.support)) / summary.dataset.n;
    expect(summary.metrics.accuracy).toBeGreaterThan(majority + 0.05);
    expect(summary.metrics.macroF1).toBeGreaterThan(0.6);

    const predictions = readFileSync(join(dir, 'predictions.csv'), 'utf8').trim().split('\n');
    expect(predictions[0]).toBe('text,prediction,confidence,p:great,p:other');
    expect(predictions).toHaveLength(6);

    const modelTime = statSync(join(dir, 'model/model.safetensors')).mtimeMs;
    const second = await quickstart(dir);
    expect(second.status, second.out).toBe(0);
    expect(second.out).toContain('(reusing');
    expect(second.out).not.toContain('promptune train');
    expect(second.out).not.toContain('promptune prompt ab');
    expect(statSync(join(dir, 'model/model.safetensors')).mtimeMs).toBe(modelTime);
  }, 1_200_000);
});
