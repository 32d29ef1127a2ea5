// LoRA: the adapted model starts equal to the base, only adapters and head train, adapters round-trip with
// Python peft in both directions with the same outputs, and merging changes nothing but the weights' layout.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AdamW, F, type Tensor, loadSafetensors, manualSeed, noGrad, saveSafetensors, tensor, tidy } from '../../engine/index.js';
import { assertClose } from '../../engine/testing.js';
import { type ModelInputs, loadModel } from '../models/index.js';
import { AdapterError, applyLora, loadLoraAdapter, mergeLora, saveLoraAdapter, trainableParameters } from './index.js';

const fixtures = new URL('../models/__fixtures__/', import.meta.url).pathname;
const root = new URL('../../../', import.meta.url).pathname;
const python = join(root, '.venv-ref', 'bin', 'python');
const LORA = { r: 4, alpha: 8, dropout: 0, targetModules: ['query', 'value'] };

function inputs(): { feed: ModelInputs; all: Map<string, Tensor> } {
  const { tensors } = loadSafetensors(join(fixtures, 'bert-cls', 'golden.safetensors'), [
    'input_ids',
    'attention_mask',
    'token_type_ids',
  ]);
  return {
    feed: {
      inputIds: tensors.get('input_ids') as Tensor,
      attentionMask: tensors.get('attention_mask') as Tensor,
      tokenTypeIds: tensors.get('token_type_ids') as Tensor,
    },
    all: tensors,
  };
}

/** bert-cls with LoRA whose B matrices are random, so the adapter changes the outputs. */
function adapted() {
  manualSeed(5);
  const { model } = loadModel(join(fixtures, 'bert-cls'));
  applyLora(model, LORA);
  noGrad(() => {
    for (const [k, p] of model.namedParameters()) if (k.endsWith('lora_B.weight')) p.normal_(0, 0.5);
  });
  return model;
}

describe('LoRA', () => {
  it('starts equal to the base model and trains only the adapters and the head', () => {
    const { model: base } = loadModel(join(fixtures, 'bert-cls'));
    const { model } = loadModel(join(fixtures, 'bert-cls'));
    applyLora(model, LORA);
    const { feed, all } = inputs();
    tidy(() => assertClose(model.forward(feed).logits as Tensor, base.forward(feed).logits as Tensor, { atol: 0, rtol: 0 }));
    const names = model
      .namedParameters()
      .filter(([, p]) => p.requiresGrad)
      .map(([k]) => k);
    expect(names.filter((k) => !k.includes('lora_')).sort()).toEqual(['classifier.bias', 'classifier.weight']);
    expect(names.filter((k) => k.includes('lora_')).length).toBe(2 * 2 * 2);
    const frozen = (model.stateDict().get('bert.encoder.layer.0.attention.self.query.weight') as Tensor).clone();
    const opt = new AdamW(trainableParameters(model), { lr: 1e-2 });
    model.train();
    for (let i = 0; i < 3; i++) {
      tidy(() => {
        const loss = F.crossEntropy(model.forward(feed).logits as Tensor, tensor([0, 1, 2], { dtype: 'int64' }));
        opt.zeroGrad();
        loss.backward();
        opt.step();
      });
    }
    assertClose(model.stateDict().get('bert.encoder.layer.0.attention.self.query.weight') as Tensor, frozen, {
      atol: 0,
      rtol: 0,
    });
    expect(
      (model.stateDict().get('bert.encoder.layer.0.attention.self.query.lora_B.weight') as Tensor).abs().sum().item(),
    ).toBeGreaterThan(0);
    opt.dispose();
    for (const t of all.values()) t.dispose();
    model.dispose();
    base.dispose();
  });

  it('merging folds the update into the weights without changing outputs', () => {
    const model = adapted();
    const { feed } = inputs();
    const before = tidy(() => model.forward(feed).logits as Tensor);
    expect(mergeLora(model)).toBe(4);
    expect(model.namedParameters().some(([k]) => k.includes('lora_'))).toBe(false);
    tidy(() => assertClose(model.forward(feed).logits as Tensor, before, { atol: 1e-5 }));
  });

  it('names the fix for a wrong target', () => {
    const { model } = loadModel(join(fixtures, 'distilbert-cls'));
    expect(() => applyLora(model, { ...LORA })).toThrow(AdapterError);
    expect(() => applyLora(model, { ...LORA })).toThrow(
      /no linear layer is called query or value: this distilbert model has q_lin, k_lin, v_lin, out_lin/,
    );
  });
});

describe.skipIf(!existsSync(python))('LoRA with Python peft (reference venv)', () => {
  it('peft loads our adapter with the same logits; merge_and_unload agrees; we load peft-saved adapters', () => {
    const model = adapted();
    const ours = mkdtempSync(join(tmpdir(), 'pt-lora-'));
    saveLoraAdapter(model, ours, LORA, join(fixtures, 'bert-cls'));
    const { feed } = inputs();
    const expected = tidy(() => model.forward(feed).logits as Tensor);
    const check = join(ours, 'check.safetensors');
    saveSafetensors(check, { expected });
    const pySaved = mkdtempSync(join(tmpdir(), 'pt-lora-py-'));
    const script = `
import json, sys, torch
from safetensors.torch import load_file, save_file
from transformers import BertForSequenceClassification
from peft import PeftModel, LoraConfig, get_peft_model
base_dir, ours, golden, py_out = sys.argv[1:5]
t = load_file(golden)
feed = {k: t[k] for k in ['input_ids', 'attention_mask', 'token_type_ids']}
expected = load_file(ours + '/check.safetensors')['expected']
m = PeftModel.from_pretrained(BertForSequenceClassification.from_pretrained(base_dir), ours).eval()
with torch.no_grad():
    got = m(**feed).logits
    merged = m.merge_and_unload()(**feed).logits
# A peft-made adapter with random B for the other direction.
torch.manual_seed(0)
p = get_peft_model(BertForSequenceClassification.from_pretrained(base_dir), LoraConfig(task_type='SEQ_CLS', r=2, lora_alpha=6, target_modules=['key']))
with torch.no_grad():
    for n, w in p.named_parameters():
        if 'lora_B' in n: w.normal_(0, 0.5)
p.save_pretrained(py_out)
p.eval()
with torch.no_grad():
    save_file({'logits': p(**feed).logits.contiguous()}, py_out + '/logits.safetensors')
print(json.dumps({'diff': float((got - expected).abs().max()), 'merged': float((merged - expected).abs().max())}))`;
    const r = spawnSync(
      python,
      ['-c', script, join(fixtures, 'bert-cls'), ours, join(fixtures, 'bert-cls', 'golden.safetensors'), pySaved],
      {
        encoding: 'utf8',
        env: { ...process.env, HF_HUB_OFFLINE: '1' },
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout.trim().split('\n').pop() as string);
    expect(res.diff).toBeLessThan(1e-5);
    expect(res.merged).toBeLessThan(1e-5);
    const { model: fresh } = loadModel(join(fixtures, 'bert-cls'));
    expect(loadLoraAdapter(fresh, pySaved)).toMatchObject({ r: 2, alpha: 6, targetModules: ['key'] });
    const pyLogits = loadSafetensors(join(pySaved, 'logits.safetensors')).tensors.get('logits') as Tensor;
    tidy(() => assertClose(fresh.forward(feed).logits as Tensor, pyLogits, { atol: 1e-5 }));
    model.dispose();
    fresh.dispose();
  });
});
