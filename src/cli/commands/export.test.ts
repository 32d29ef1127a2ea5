// promptune export on a model trained by the real train command: the ONNX layout, its probabilities against
// predict's, the Hugging Face directory without a project, and usage errors that name the flag and the fix.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OnnxExportNote } from '../../core/export/index.js';
import { loadClassifier } from '../../core/train/index.js';
import { Tokenizer } from '../../transformers/index.js';
import { reviewProject, runCli } from '../testing.js';

let cwd = '';
let model = '';
const promptune = (...args: string[]) => runCli(cwd, args);

describe('promptune export', () => {
  beforeAll(async () => {
    cwd = await reviewProject('pt-export-cli-', { prompt: true });
    const r = await promptune('train', '--prompt', 'cloze', '--k', '8', '--epochs', '1', '--max-length', '32', '--lr', '1e-3');
    expect(r.status, r.stderr).toBe(0);
    model = /model saved to (\S+)/.exec(r.stdout)?.[1] as string;
  });

  it('exports the newest run as ONNX that gives predict’s probabilities', async () => {
    const r = await promptune('export', '--format', 'onnx', '--out', 'web');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('as onnx to web/');
    for (const f of [
      'onnx/model.onnx',
      'config.json',
      'tokenizer.json',
      'tokenizer_config.json',
      'promptune.json',
      'export.json',
    ])
      expect(existsSync(join(cwd, 'web', f)), f).toBe(true);
    const note = JSON.parse(readFileSync(join(cwd, 'web', 'export.json'), 'utf8')) as OnnxExportNote;
    expect(note).toMatchObject({ recipe: 'prompt-mlm', text: '{text} It was <mask>.', output: 'logits' });
    const text = 'Lovely fresh tea, would buy again.';
    const ids = Tokenizer.fromDirectory(join(cwd, 'web')).encode(note.text.toString().replace('{text}', text)).ids;
    const session = await ort.InferenceSession.create(join(cwd, 'web', 'onnx', 'model.onnx'));
    const feed = (xs: number[]) => new ort.Tensor('int64', BigInt64Array.from(xs, BigInt), [1, xs.length]);
    const out = await session.run({ input_ids: feed(ids), attention_mask: feed(ids.map(() => 1)) });
    await session.release();
    const [a, b] = Array.from(out.logits?.data as Float32Array) as [number, number];
    const pGreat = 1 / (1 + Math.exp(b - a));
    const c = loadClassifier(join(cwd, model));
    const expected = c.predict([{ text }])[0]?.probs.great as number;
    c.dispose();
    expect(Math.abs(pGreat - expected)).toBeLessThanOrEqual(1e-4);
  });

  it('exports a model directory as a Hugging Face directory, without a project', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'pt-export-hf-'));
    const r = await runCli(elsewhere, ['export', '--model', join(cwd, model), '--format', 'hf', '--out', 'hf']);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(elsewhere, 'hf', 'model.safetensors'))).toBe(true);
    expect(existsSync(join(elsewhere, 'hf', 'promptune.json'))).toBe(false);
  });

  it('says which flag is wrong and how to fix it', async () => {
    const bad = await promptune('export', '--format', 'tflite', '--out', 'x');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--format tflite: unknown format; use onnx (onnxruntime, transformers.js) or hf');
    const noOut = await promptune('export', '--format', 'onnx');
    expect(noOut.status).toBe(2);
    expect(noOut.stderr).toContain('--out is required');
    const over = await promptune('export', '--model', model, '--format', 'onnx', '--out', model);
    expect(over.status).toBe(1);
    expect(over.stderr).toContain('is the model directory itself: choose another directory');
  });
});
