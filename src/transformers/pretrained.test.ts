// Model and tokenizer together: text in, the reference's ids and embeddings out; prompt tokens added to both;
// saved directories that Python transformers reopens with the same tokens.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Tensor, loadSafetensors, tidy } from '../engine/index.js';
import { assertClose } from '../engine/testing.js';
import { FakeHub } from './hub/testing/fake-hub.js';
import {
  addPromptTokens,
  createModel,
  loadPretrained,
  loadPretrainedDir,
  saveModel,
  savePretrained,
  toModelInputs,
} from './index.js';

const root = new URL('../../', import.meta.url).pathname;
const bertTokenizer = join(root, 'src/transformers/tokenizers/__fixtures__/bert-uncased');
const python = join(root, '.venv-ref', 'bin', 'python');
const minilm = join(root, '.cache', 'reference', 'all-minilm-l6-v2');

/** A tiny BERT with the real uncased vocabulary, saved with the real tokenizer files. */
function tinyCheckpoint(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pt-pretrained-'));
  const config = JSON.parse(readFileSync(join(root, 'src/transformers/models/__fixtures__/bert-mlm/config.json'), 'utf8'));
  const model = createModel({ ...config, vocab_size: 30522 });
  saveModel(model, dir);
  model.dispose();
  for (const f of readdirSync(bertTokenizer)) copyFileSync(join(bertTokenizer, f), join(dir, f));
  return dir;
}

describe('pretrained model + tokenizer', () => {
  it('adds prompt tokens to tokenizer and embeddings, and saves both', () => {
    const p = loadPretrainedDir(tinyCheckpoint());
    const ids = addPromptTokens(p, ['[P0]', '[P1]']);
    expect(ids).toEqual([30522, 30523]);
    expect(p.model.config.vocabSize).toBe(30524);
    expect(p.tokenizer.encode('[P0] great [P1]').ids).toEqual([101, 30522, 2307, 30523, 102]);
    const out = mkdtempSync(join(tmpdir(), 'pt-pretrained-'));
    savePretrained(p, out);
    const again = loadPretrainedDir(out);
    expect(again.model.config.vocabSize).toBe(30524);
    expect(again.tokenizer.tokenToId('[P1]')).toBe(30523);
    p.model.dispose();
    again.model.dispose();
  });

  it('loads hf:org/name@revision through the hub cache, then offline from the cache alone', async () => {
    const dir = tinyCheckpoint();
    const hub = await FakeHub.start();
    try {
      hub.createRepo('acme/tiny-bert');
      const files = Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f))]));
      const commit = hub.commit('acme/tiny-bert', files, { lfs: (path) => path.endsWith('.safetensors') });
      const cacheDir = mkdtempSync(join(tmpdir(), 'pt-hub-cache-'));
      const p = await loadPretrained('hf:acme/tiny-bert@main', { endpoint: hub.endpoint, cacheDir, token: false, env: {} });
      expect(p.source?.commit).toBe(commit);
      expect(p.tokenizer.encode('great').ids).toEqual([101, 2307, 102]);
      p.model.dispose();
      await hub.close();
      const offline = await loadPretrained('hf:acme/tiny-bert', { cacheDir, offline: true, env: {} });
      expect(offline.source?.source).toBe('cache');
      expect(offline.model.config.vocabSize).toBe(30522);
      offline.model.dispose();
    } finally {
      await hub.close().catch(() => undefined);
    }
  });

  it('text to logits on a complete XLM-R checkpoint matches transformers (ids exactly, logits within 1e-4)', () => {
    const dir = join(root, 'src/transformers/models/__fixtures__/tiny-xlmr-with-tokenizer');
    const p = loadPretrainedDir(dir);
    const golden = loadSafetensors(join(dir, 'golden.safetensors'));
    const texts = JSON.parse(golden.metadata.texts as string) as string[];
    const enc = p.tokenizer.encodeBatch(texts, { padding: { strategy: 'longest' } });
    expect(enc.map((e) => e.ids)).toEqual((golden.tensors.get('input_ids') as Tensor).tolist());
    tidy(() => {
      assertClose(p.model.forward(toModelInputs(enc)).logits as Tensor, golden.tensors.get('logits') as Tensor, {
        atol: 1e-4,
        rtol: 1e-4,
      });
    });
    for (const t of golden.tensors.values()) t.dispose();
    p.model.dispose();
  });

  it('refuses a tokenizer bigger than the embedding matrix', () => {
    const dir = tinyCheckpoint();
    const config = JSON.parse(readFileSync(join(root, 'src/transformers/models/__fixtures__/bert-mlm/config.json'), 'utf8'));
    const small = createModel(config);
    saveModel(small, dir);
    small.dispose();
    expect(() => loadPretrainedDir(dir)).toThrow(/tokenizer has 30522 tokens but the model only 96 embeddings/);
  });

  it.skipIf(!existsSync(python))('Python transformers reopens the saved directory with the same prompt-token ids', () => {
    const p = loadPretrainedDir(tinyCheckpoint());
    addPromptTokens(p, ['[P0]', '[P1]']);
    const out = mkdtempSync(join(tmpdir(), 'pt-pretrained-'));
    savePretrained(p, out);
    const text = 'It was [P0] really [MASK] [P1].';
    const script = `
import json, sys
from transformers import AutoTokenizer, AutoModelForMaskedLM
tok = AutoTokenizer.from_pretrained(sys.argv[1])
model, info = AutoModelForMaskedLM.from_pretrained(sys.argv[1], output_loading_info=True)
print(json.dumps({'ids': tok(sys.argv[2])['input_ids'], 'vocab': model.config.vocab_size, 'missing': info['missing_keys']}))`;
    const r = spawnSync(python, ['-c', script, out, text], { encoding: 'utf8', env: { ...process.env, HF_HUB_OFFLINE: '1' } });
    expect(r.status, r.stderr).toBe(0);
    const py = JSON.parse(r.stdout.trim().split('\n').pop() as string);
    expect(py).toEqual({ ids: p.tokenizer.encode(text).ids, vocab: 30524, missing: [] });
    p.model.dispose();
  });

  it.skipIf(!existsSync(join(minilm, 'model.safetensors')))(
    'all-MiniLM-L6-v2 from text: the reference ids and embeddings',
    () => {
      const p = loadPretrainedDir(minilm);
      const golden = loadSafetensors(join(root, 'src/transformers/models/__fixtures__/all-minilm-l6-v2.golden.safetensors'));
      const sentences = JSON.parse(golden.metadata.sentences as string) as string[];
      const enc = p.tokenizer.encodeBatch(sentences, { padding: { strategy: 'longest' } });
      const expectedIds = (golden.tensors.get('input_ids') as Tensor).tolist();
      expect(enc.map((e) => e.ids)).toEqual(expectedIds);
      tidy(() => {
        const emb = p.model.embed(toModelInputs(enc), { normalize: true });
        assertClose(emb, golden.tensors.get('embedding.mean_normalized') as Tensor, { atol: 1e-4, rtol: 1e-4 });
      });
      for (const t of golden.tensors.values()) t.dispose();
      p.model.dispose();
    },
  );
});
