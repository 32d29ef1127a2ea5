// Loading rules: prefixes added/stripped like transformers, tied and legacy keys, head re-initialisation,
// and one clear error for each way a model directory can be wrong.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Tensor, full, loadSafetensors, saveSafetensors, tidy } from '../../engine/index.js';
import { assertClose } from '../../engine/testing.js';
import { ModelError, loadModel } from './index.js';

const fixtures = new URL('./__fixtures__/', import.meta.url).pathname;

/** A copy of a fixture directory whose config and tensors can be edited. */
function editable(
  name: string,
  edit: { config?: (c: Record<string, unknown>) => void; tensors?: (t: Map<string, Tensor>) => void } = {},
): string {
  const dir = mkdtempSync(join(tmpdir(), 'pt-model-'));
  const config = JSON.parse(readFileSync(join(fixtures, name, 'config.json'), 'utf8')) as Record<string, unknown>;
  edit.config?.(config);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  if (edit.tensors) {
    const { tensors } = loadSafetensors(join(fixtures, name, 'model.safetensors'));
    edit.tensors(tensors);
    saveSafetensors(join(dir, 'model.safetensors'), tensors, { format: 'pt' });
    for (const t of tensors.values()) t.dispose();
  } else {
    copyFileSync(join(fixtures, name, 'model.safetensors'), join(dir, 'model.safetensors'));
  }
  return dir;
}

function rename(tensors: Map<string, Tensor>, from: (k: string) => string): void {
  for (const [k, t] of [...tensors]) {
    tensors.delete(k);
    tensors.set(from(k), t);
  }
}

function expectModelError(fn: () => unknown, code: string, pattern: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(ModelError.isInstance(e)).toBe(true);
    expect((e as ModelError).code).toBe(code);
    expect((e as Error).message).toMatch(pattern);
    return;
  }
  throw new Error('expected a ModelError');
}

describe('loadModel', () => {
  it('loads a bare-encoder checkpoint under a head: prefix added, head freshly initialised and reported', () => {
    const { model, report } = loadModel(join(fixtures, 'bert-base'), { head: 'sequence-classification', labels: ['a', 'b'] });
    expect(report.missing).toEqual([]);
    expect(report.initialised.sort()).toEqual(['classifier.bias', 'classifier.weight']);
    expect(report.unexpected).toEqual([]);
    const base = loadModel(join(fixtures, 'bert-base')).model;
    tidy(() => {
      const a = model.stateDict().get('bert.encoder.layer.1.output.dense.weight') as Tensor;
      assertClose(a, base.stateDict().get('encoder.layer.1.output.dense.weight') as Tensor, { atol: 0 });
    });
    model.dispose();
    base.dispose();
  });

  it('loads the encoder out of a head checkpoint: prefix stripped, head tensors reported unexpected', () => {
    const { model, report } = loadModel(join(fixtures, 'roberta-mlm'), { head: 'base' });
    expect(model.head).toBe('base');
    expect(report.missing).toEqual([]);
    // RobertaModel has a pooler that RobertaForMaskedLM lacks: fresh, as transformers does.
    expect(report.initialised.sort()).toEqual(['pooler.dense.bias', 'pooler.dense.weight']);
    expect(report.unexpected.sort()).toEqual([
      'lm_head.bias',
      'lm_head.dense.bias',
      'lm_head.dense.weight',
      'lm_head.layer_norm.bias',
      'lm_head.layer_norm.weight',
    ]);
    model.dispose();
  });

  it('accepts legacy LayerNorm gamma/beta names, tied decoder copies and stale position_ids buffers', () => {
    const dir = editable('bert-mlm', {
      tensors: (t) => {
        rename(t, (k) => k.replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta'));
        t.set('cls.predictions.decoder.weight', (t.get('bert.embeddings.word_embeddings.weight') as Tensor).clone());
        t.set('bert.embeddings.position_ids', (t.get('cls.predictions.bias') as Tensor).clone());
      },
    });
    const { model, report } = loadModel(dir);
    expect(report).toEqual({ missing: [], initialised: [], unexpected: [] });
    const reference = loadModel(join(fixtures, 'bert-mlm')).model;
    const key = 'bert.encoder.layer.0.attention.output.LayerNorm.weight';
    assertClose(model.stateDict().get(key) as Tensor, reference.stateDict().get(key) as Tensor, { atol: 0 });
    model.dispose();
    reference.dispose();
  });

  it('replaces a classification head trained for another label set, and says so', () => {
    const { model, report } = loadModel(join(fixtures, 'bert-cls'), { labels: ['no', 'yes'] });
    expect(model.config.labels).toEqual(['no', 'yes']);
    expect(report.initialised).toEqual([
      'classifier.weight (checkpoint [3, 32], model [2, 32])',
      'classifier.bias (checkpoint [3], model [2])',
    ]);
    model.dispose();
  });

  it('rejects missing encoder weights unless strict is off', () => {
    const dir = editable('distilbert-mlm', { tensors: (t) => t.delete('distilbert.transformer.layer.1.ffn.lin2.weight') });
    expectModelError(
      () => loadModel(dir),
      'MODEL_WEIGHTS',
      /lacks 1 encoder weight\(s\) \(distilbert\.transformer\.layer\.1\.ffn\.lin2\.weight\)/,
    );
    const { model, report } = loadModel(dir, { strict: false });
    expect(report.missing).toEqual(['distilbert.transformer.layer.1.ffn.lin2.weight']);
    model.dispose();
  });

  it('names the field, the value and the fix for a bad config.json', () => {
    const bad = editable('bert-mlm', { config: (c) => Object.assign(c, { hidden_size: -4 }) });
    expectModelError(() => loadModel(bad), 'MODEL_CONFIG', /field "hidden_size" is -4: .*Fix the value in config.json/);
    const odd = editable('bert-mlm', { config: (c) => Object.assign(c, { num_attention_heads: 5 }) });
    expectModelError(() => loadModel(odd), 'MODEL_CONFIG', /hidden_size must be a multiple of num_attention_heads/);
    const gpt = editable('bert-mlm', { config: (c) => Object.assign(c, { model_type: 'gpt2' }) });
    expectModelError(
      () => loadModel(gpt),
      'MODEL_UNSUPPORTED',
      /model_type "gpt2" is not supported; supported: bert, roberta, xlm-roberta, distilbert/,
    );
    const act = editable('bert-mlm', { config: (c) => Object.assign(c, { hidden_act: 'mish' }) });
    expectModelError(() => loadModel(act), 'MODEL_UNSUPPORTED', /hidden_act "mish" is not supported/);
  });

  it('says when config.json and the weights disagree in shape', () => {
    const dir = editable('bert-mlm', { config: (c) => Object.assign(c, { intermediate_size: 64 }) });
    expectModelError(
      () => loadModel(dir),
      'MODEL_WEIGHTS',
      /has shape \[48(, 32)?\] but config.json implies \[64(, 32)?\]: the config does not belong to these weights/,
    );
  });

  it('explains missing files and non-safetensors weights', () => {
    const empty = mkdtempSync(join(tmpdir(), 'pt-model-'));
    expectModelError(() => loadModel(empty), 'MODEL_FILES', /config.json not found/);
    copyFileSync(join(fixtures, 'bert-mlm', 'config.json'), join(empty, 'config.json'));
    writeFileSync(join(empty, 'pytorch_model.bin'), 'x');
    expectModelError(
      () => loadModel(empty),
      'MODEL_FILES',
      /has no model.safetensors.*pytorch_model.bin: convert to safetensors/,
    );
    const needsLabels = editable('bert-base');
    expectModelError(() => loadModel(needsLabels, { head: 'sequence-classification' }), 'MODEL_CONFIG', /no labels were given/);
  });

  it('reports a missing shard by name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pt-model-'));
    mkdirSync(dir, { recursive: true });
    for (const f of ['config.json', 'model.safetensors.index.json', 'model-00001-of-00003.safetensors']) {
      copyFileSync(join(fixtures, 'bert-mlm-sharded', f), join(dir, f));
    }
    expectModelError(() => loadModel(dir), 'MODEL_FILES', /lists 2 shard\(s\) that are not in the directory/);
  });

  it('rejects inputs longer than the position table', () => {
    const { model } = loadModel(join(fixtures, 'roberta-cls'));
    tidy(() => {
      const ids = full([1, 40], 5, { dtype: 'int64' });
      expect(() => model.forward({ inputIds: ids, attentionMask: ids.ne(1).long() })).toThrow(
        /longer than the model's 38 positions/,
      );
    });
    model.dispose();
  });
});
