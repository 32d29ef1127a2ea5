// promptune pretrain on the tiny XLM-R: head-only training on cached encoder outputs raises masked-token
// accuracy and leaves the encoder as it was; full continued pre-training resumes from its checkpoints.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toyReviews } from '../../core/train/testing/toy-task.js';
import type { Tensor } from '../../engine/index.js';
import { loadPretrainedDir } from '../../transformers/index.js';
import { runCli } from '../testing.js';

const root = new URL('../../../', import.meta.url).pathname;
const model = join(root, 'src/transformers/models/__fixtures__/tiny-xlmr-with-tokenizer');

function corpus(): string {
  const cwd = mkdtempSync(join(tmpdir(), 'pt-pretrain-'));
  // Paragraphs of a few reviews each, as a plain-text file.
  const reviews = toyReviews(1200, 3).map((e) => e.inputs.text);
  const paras = Array.from({ length: 300 }, (_, i) => reviews.slice(4 * i, 4 * i + 4).join(' '));
  writeFileSync(join(cwd, 'corpus.txt'), paras.join('\n\n'));
  return cwd;
}

const accuracy = (out: string): [number, number] => {
  const m = /masked-token accuracy on \d+ held-out passages: (\d\.\d+) → (\d\.\d+)/.exec(out);
  return [Number(m?.[1]), Number(m?.[2])];
};

describe('promptune pretrain', () => {
  it('--head-only trains the MLM head on cached encoder outputs; the encoder is unchanged', async () => {
    const cwd = corpus();
    const r = await runCli(cwd, [
      'pretrain',
      '--model',
      model,
      '--text',
      'corpus.txt',
      '--out',
      'head',
      '--head-only',
      '--lr',
      '3e-2',
      '--epochs',
      '20',
      '--max-length',
      '64',
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('encoding 300 passages once (the encoder is frozen)');
    const [before, after] = accuracy(r.stdout);
    expect(after).toBeGreaterThan(before + 0.1);
    const a = loadPretrainedDir(model, { head: 'masked-lm' });
    const b = loadPretrainedDir(join(cwd, 'head'), { head: 'masked-lm' });
    const key = 'roberta.encoder.layer.1.output.dense.weight';
    const diff = (a.model.stateDict().get(key) as Tensor)
      .sub(b.model.stateDict().get(key) as Tensor)
      .abs()
      .sum()
      .item();
    expect(diff).toBe(0);
    const headKey = 'lm_head.dense.weight';
    expect(
      (a.model.stateDict().get(headKey) as Tensor)
        .sub(b.model.stateDict().get(headKey) as Tensor)
        .abs()
        .sum()
        .item(),
    ).toBeGreaterThan(0);
    a.model.dispose();
    b.model.dispose();
  });

  it('continued pre-training checkpoints and resumes; bad input gets one clear message', async () => {
    const cwd = corpus();
    const args = [
      'pretrain',
      '--model',
      model,
      '--text',
      'corpus.txt',
      '--out',
      'dapt',
      '--lr',
      '1e-3',
      '--max-length',
      '64',
      '--checkpoint-every',
      '5',
      '--max-steps',
      '10',
    ];
    const r = await runCli(cwd, args);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\(10 steps, max-steps\)/);
    const again = await runCli(cwd, [...args, '--resume']);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/\(10 steps, max-steps\)/);
    expect((await runCli(cwd, ['pretrain', '--model', model, '--text', 'nope.txt', '--out', 'x'])).stderr).toContain(
      'nope.txt not found',
    );
    expect((await runCli(cwd, ['pretrain', '--model', model, '--out', 'x'])).stderr).toContain('--text <file|dir> is required');
    expect(
      (await runCli(cwd, ['pretrain', '--model', model, '--text', 'corpus.txt', '--out', 'y', '--resume'])).stderr,
    ).toContain('has no checkpoints to continue from');
  });
});
