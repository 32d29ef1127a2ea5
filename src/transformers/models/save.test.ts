// Saving: the same files transformers writes, reloaded here unchanged, and loaded by Python transformers with no
// missing/unexpected weights and the same outputs (also after growing the vocabulary and when sharded).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Tensor, loadSafetensors, readSafetensorsHeader, saveSafetensors, tidy } from '../../engine/index.js';
import { assertClose } from '../../engine/testing.js';
import { type ModelInputs, type TransformerModel, loadModel, saveModel } from './index.js';

const fixtures = new URL('./__fixtures__/', import.meta.url).pathname;
const root = new URL('../../../', import.meta.url).pathname;
const python = join(root, '.venv-ref', 'bin', 'python');
const CHECKPOINTS = [
  'bert-mlm',
  'bert-cls',
  'bert-base',
  'roberta-mlm',
  'roberta-cls',
  'xlm-roberta-mlm',
  'xlm-roberta-cls',
  'distilbert-mlm',
  'distilbert-cls',
  'distilbert-base',
];

function goldenInputs(name: string): { inputs: ModelInputs; dispose(): void } {
  const { tensors } = loadSafetensors(join(fixtures, name, 'golden.safetensors'), [
    'input_ids',
    'attention_mask',
    'token_type_ids',
  ]);
  const inputs: ModelInputs = {
    inputIds: tensors.get('input_ids') as Tensor,
    attentionMask: tensors.get('attention_mask') as Tensor,
  };
  if (tensors.has('token_type_ids')) inputs.tokenTypeIds = tensors.get('token_type_ids') as Tensor;
  return { inputs, dispose: () => tensors.forEach((t) => t.dispose()) };
}

/** The output Python compares: logits for heads, last hidden state for the bare encoder. */
function output(model: TransformerModel, inputs: ModelInputs): Tensor {
  const out = model.forward(inputs);
  return out.logits ?? out.lastHiddenState;
}

describe('saveModel', () => {
  it('writes the keys transformers writes (tied weights left out) and reloads to identical outputs', () => {
    for (const name of CHECKPOINTS) {
      const { model } = loadModel(join(fixtures, name));
      const dir = mkdtempSync(join(tmpdir(), 'pt-save-'));
      expect(saveModel(model, dir)).toEqual(['model.safetensors', 'config.json']);
      const ours = [...readSafetensorsHeader(join(dir, 'model.safetensors')).entries.keys()].sort();
      const theirs = [...readSafetensorsHeader(join(fixtures, name, 'model.safetensors')).entries.keys()].sort();
      expect(ours, name).toEqual(theirs);
      const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
      const reference = JSON.parse(readFileSync(join(fixtures, name, 'config.json'), 'utf8'));
      expect(config.architectures).toEqual(reference.architectures);
      if (name.endsWith('-cls')) expect(config.id2label).toEqual(reference.id2label);
      const again = loadModel(dir).model;
      const g = goldenInputs(name);
      tidy(() => assertClose(output(again, g.inputs), output(model, g.inputs), { atol: 0, rtol: 0, label: name }));
      g.dispose();
      model.dispose();
      again.dispose();
    }
  });

  it('shards above maxShardBytes with an index, and replaces stale files of an earlier save', () => {
    const { model } = loadModel(join(fixtures, 'bert-mlm'));
    const dir = mkdtempSync(join(tmpdir(), 'pt-save-'));
    saveModel(model, dir);
    const files = saveModel(model, dir, { maxShardBytes: 30_000 });
    expect(files).toContain('model.safetensors.index.json');
    expect(readdirSync(dir)).not.toContain('model.safetensors');
    const index = JSON.parse(readFileSync(join(dir, 'model.safetensors.index.json'), 'utf8'));
    const shards = new Set(Object.values(index.weight_map as Record<string, string>));
    expect(shards.size).toBeGreaterThan(2);
    const total = [...shards]
      .flatMap((f) => [...readSafetensorsHeader(join(dir, f)).entries.values()])
      .reduce((n, e) => n + e.end - e.begin, 0);
    expect(index.metadata.total_size).toBe(total);
    const again = loadModel(dir).model;
    const g = goldenInputs('bert-mlm');
    tidy(() => assertClose(output(again, g.inputs), output(model, g.inputs), { atol: 0, rtol: 0 }));
    saveModel(model, dir);
    expect(readdirSync(dir).sort()).toEqual(['config.json', 'model.safetensors']);
    g.dispose();
    model.dispose();
    again.dispose();
  });

  it('grows the vocabulary for new prompt tokens: old logits unchanged, new rows at the mean embedding', () => {
    const { model } = loadModel(join(fixtures, 'roberta-mlm'));
    const g = goldenInputs('roberta-mlm');
    const before = tidy(() => output(model, g.inputs));
    const vocab = model.config.vocabSize;
    model.resizeTokenEmbeddings(vocab + 2);
    tidy(() => {
      const after = output(model, g.inputs);
      expect(after.shape).toEqual([3, 9, vocab + 2]);
      assertClose(after.slice(2, 0, vocab), before, { atol: 1e-6 });
      const table = model.body.wordEmbeddings.weight;
      assertClose(table.select(0, vocab + 1), table.slice(0, 0, vocab).mean([0]), { atol: 1e-6 });
    });
    expect(model.stateDict().get('lm_head.bias')?.shape).toEqual([vocab + 2]);
    before.dispose();
    g.dispose();
    model.dispose();
  });
});

describe.skipIf(!existsSync(python))('Python transformers loads what we save (reference venv)', () => {
  it('every family and head: no missing or unexpected weights, no warnings, same outputs', () => {
    const cases: { dir: string; name: string }[] = [];
    for (const name of [...CHECKPOINTS, 'roberta-mlm+resized', 'bert-cls+sharded']) {
      const [base, variant] = name.split('+') as [string, string | undefined];
      const { model } = loadModel(join(fixtures, base));
      if (variant === 'resized') model.resizeTokenEmbeddings(model.config.vocabSize + 3);
      const dir = mkdtempSync(join(tmpdir(), 'pt-py-'));
      saveModel(model, dir, variant === 'sharded' ? { maxShardBytes: 20_000 } : {});
      const g = goldenInputs(base);
      const feed: Record<string, Tensor> = { input_ids: g.inputs.inputIds, attention_mask: g.inputs.attentionMask };
      if (g.inputs.tokenTypeIds) feed.token_type_ids = g.inputs.tokenTypeIds;
      tidy(() => saveSafetensors(join(dir, 'check.safetensors'), { ...feed, expected: output(model, g.inputs).contiguous() }));
      g.dispose();
      model.dispose();
      cases.push({ dir, name });
    }
    const script = `
import io, json, logging, sys, torch, transformers
from safetensors.torch import load_file
from transformers import AutoConfig, AutoModel, AutoModelForMaskedLM, AutoModelForSequenceClassification
logs = io.StringIO()
transformers.logging.set_verbosity_warning()
handler = logging.StreamHandler(logs)
transformers.logging.add_handler(handler)
out = {}
for name, d in json.loads(sys.argv[1]).items():
    arch = AutoConfig.from_pretrained(d).architectures[0]
    cls = AutoModelForMaskedLM if arch.endswith('ForMaskedLM') else AutoModelForSequenceClassification if arch.endswith('ForSequenceClassification') else AutoModel
    model, info = cls.from_pretrained(d, output_loading_info=True)
    model.eval()
    t = load_file(d + '/check.safetensors')
    expected = t.pop('expected')
    with torch.no_grad():
        o = model(**t)
    got = o.logits if hasattr(o, 'logits') else o.last_hidden_state
    out[name] = {'info': {k: sorted(v) for k, v in info.items() if v}, 'arch': type(model).__name__,
                 'diff': float((got - expected).abs().max()), 'labels': model.config.id2label if 'cls' in name else None}
print(json.dumps({'results': out, 'log': logs.getvalue()}))
`;
    const r = spawnSync(python, ['-c', script, JSON.stringify(Object.fromEntries(cases.map((c) => [c.name, c.dir])))], {
      encoding: 'utf8',
      env: { ...process.env, TRANSFORMERS_VERBOSITY: 'warning', HF_HUB_OFFLINE: '1' },
    });
    expect(r.status, r.stderr).toBe(0);
    const { results, log } = JSON.parse(r.stdout.trim().split('\n').pop() as string) as {
      results: Record<
        string,
        { info: Record<string, string[]>; arch: string; diff: number; labels: Record<string, string> | null }
      >;
      log: string;
    };
    expect(log).not.toMatch(/newly initialized|were not used|not initialized/);
    for (const { name } of cases) {
      const res = results[name];
      expect(res?.info, name).toEqual({});
      expect(res?.diff, name).toBeLessThan(1e-5);
      if (name.includes('-cls')) expect(Object.values(res?.labels ?? {})).toEqual(['negative', 'neutral', 'positive']);
    }
  });
});
