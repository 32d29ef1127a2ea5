// ONNX export of every recipe on every family, run in onnxruntime-node: the probabilities of texts tokenized
// from the export alone (export.json's text, the exported tokenizer) match loadClassifier(dir).predict within
// 1e-4 on a padded batch; the layout transformers.js expects; clear refusals; the plain HF directory.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { Linear, manualSeed } from '../../engine/index.js';
import { Tokenizer, createModel, initWeights, loadPretrainedDir, savePretrained } from '../../transformers/index.js';
import { type ClassifierMeta, loadClassifier, saveSetFitHead, writeClassifierMeta } from '../train/index.js';
import { ExportError, type OnnxExportNote, exportClassifierHf, exportClassifierOnnx } from './index.js';

const root = new URL('../../../', import.meta.url).pathname;
const modelFixtures = join(root, 'src/transformers/models/__fixtures__');
const tokenizerFixtures = join(root, 'src/transformers/tokenizers/__fixtures__');
const FAMILIES = { bert: 'bert-uncased', roberta: 'roberta-bpe', 'xlm-roberta': 'xlmr-unigram', distilbert: 'bert-uncased' };
const LABELS = ['great', 'other'];
const TEXTS = ['The tea was lovely.', 'Stale cookies, bland soup and the bread was awful; never again.', 'ok'];
type Recipe = ClassifierMeta['recipe'];

/** A tiny classifier directory: the family's fixture config with the tokenizer's vocabulary, random weights. */
function tinyClassifier(family: keyof typeof FAMILIES, recipe: Recipe, meta: Partial<ClassifierMeta> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), `pt-export-${family}-${recipe}-`));
  const tokenizer = Tokenizer.fromDirectory(join(tokenizerFixtures, FAMILIES[family]));
  tokenizer.padding = null;
  tokenizer.truncation = null;
  const raw = JSON.parse(readFileSync(join(modelFixtures, `${family}-mlm`, 'config.json'), 'utf8')) as Record<string, unknown>;
  raw.vocab_size = tokenizer.vocabSize;
  const head = recipe === 'classification' ? 'sequence-classification' : recipe === 'setfit' ? 'base' : 'masked-lm';
  manualSeed(3);
  const model = createModel(raw, { head, labels: LABELS });
  // Larger than transformers' 0.02 so that a wrong weight or op moves the probabilities visibly.
  initWeights(model, 0.2, model.config.padTokenId);
  savePretrained({ dir, model, tokenizer, report: { missing: [], initialised: [], unexpected: [] } }, dir);
  if (recipe === 'setfit') {
    const headLayer = new Linear(model.config.hiddenSize, LABELS.length);
    saveSetFitHead(dir, headLayer);
    headLayer.dispose();
  }
  model.dispose();
  writeClassifierMeta(dir, {
    format: 'promptune-classifier/1',
    task: 'reviews',
    recipe,
    inputs: ['text'],
    labels: LABELS,
    maxLength: 32,
    temperature: 1.7,
    ...(recipe === 'prompt-mlm'
      ? { prompt: { template: '{text} All in all, it was {mask}.', verbalizer: { great: ['good', 'great'], other: 'bad' } } }
      : {}),
    ...(recipe === 'setfit' ? { template: 'Review: {text}' } : {}),
    ...meta,
  });
  return dir;
}

/** Tokenizes texts as a transformers.js user would from the export alone, runs the graph, softmaxes. */
async function onnxProbs(out: string, texts: readonly string[]): Promise<number[][]> {
  const note = JSON.parse(readFileSync(join(out, 'export.json'), 'utf8')) as OnnxExportNote;
  const tokenizer = Tokenizer.fromDirectory(out);
  const rendered = texts.map((t) => (note.text as string).replace('{text}', t));
  const enc = tokenizer.encodeBatch(rendered, { truncation: { maxLength: note.maxLength }, padding: { strategy: 'longest' } });
  const width = enc[0]?.ids.length as number;
  const int64 = (pick: (e: (typeof enc)[number]) => number[]): ort.Tensor =>
    new ort.Tensor('int64', BigInt64Array.from(enc.flatMap(pick), BigInt), [enc.length, width]);
  const session = await ort.InferenceSession.create(join(out, 'onnx', 'model.onnx'));
  const feed: Record<string, ort.Tensor> = { input_ids: int64((e) => e.ids), attention_mask: int64((e) => e.attentionMask) };
  if (session.inputNames.includes('token_type_ids')) feed.token_type_ids = int64((e) => e.typeIds);
  const logits = (await session.run(feed)).logits as ort.Tensor;
  await session.release();
  const n = logits.dims[1] as number;
  const data = logits.data as Float32Array;
  return enc.map((_, b) => {
    const row = Array.from(data.subarray(b * n, (b + 1) * n));
    const max = Math.max(...row);
    const exps = row.map((v) => Math.exp(v - max));
    const sum = exps.reduce((a, c) => a + c, 0);
    return exps.map((v) => v / sum);
  });
}

describe('ONNX export of classifiers, run in onnxruntime-node', () => {
  for (const family of Object.keys(FAMILIES) as (keyof typeof FAMILIES)[]) {
    for (const recipe of ['classification', 'prompt-mlm', 'setfit'] as const) {
      it(`${family} ${recipe}: probabilities within 1e-4 of predict on a padded batch`, async () => {
        const dir = tinyClassifier(family, recipe);
        const out = mkdtempSync(join(tmpdir(), 'pt-export-out-'));
        const result = exportClassifierOnnx(dir, out);
        for (const f of result.files) expect(existsSync(join(out, f)), f).toBe(true);
        const classifier = loadClassifier(dir);
        const ours = classifier.predict(TEXTS.map((text) => ({ text })));
        classifier.dispose();
        const theirs = await onnxProbs(out, TEXTS);
        let diff = 0;
        ours.forEach((p, b) => {
          LABELS.forEach((l, j) => {
            diff = Math.max(diff, Math.abs((p.probs[l] as number) - (theirs[b]?.[j] as number)));
          });
        });
        if (process.env.PROMPTUNE_REPORT_DIFFS) console.log(`${family} ${recipe}: max abs diff of probabilities ${diff}`);
        expect(diff).toBeLessThanOrEqual(1e-4);
        // Not a degenerate model: the texts get different probabilities.
        expect(Math.abs((ours[0]?.probs.great as number) - (ours[1]?.probs.great as number))).toBeGreaterThan(1e-3);
        const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
        expect(config.architectures[0]).toMatch(/ForSequenceClassification$/);
        expect(config.id2label).toEqual({ 0: 'great', 1: 'other' });
        expect(result.note).toMatchObject({ recipe, labels: LABELS, temperature: 1.7, temperatureApplied: true });
        expect(result.note.inputs).toEqual(
          family === 'bert' ? ['input_ids', 'attention_mask', 'token_type_ids'] : ['input_ids', 'attention_mask'],
        );
      });
    }
  }

  it('writes the rendered prompt with {field} placeholders and the mask token into export.json', () => {
    const out = mkdtempSync(join(tmpdir(), 'pt-export-out-'));
    const { note } = exportClassifierOnnx(tinyClassifier('roberta', 'prompt-mlm'), out);
    expect(note.text).toBe('{text} All in all, it was <mask>.');
  });

  it('refuses multi-token label words, ensembles, demonstrations and multi-label models with a coded error', () => {
    const refuse = (dir: string, pattern: RegExp): void => {
      const out = mkdtempSync(join(tmpdir(), 'pt-export-out-'));
      try {
        exportClassifierOnnx(dir, out);
      } catch (e) {
        expect(ExportError.isInstance(e)).toBe(true);
        expect((e as ExportError).code).toBe('EXPORT_UNSUPPORTED');
        expect((e as Error).message).toMatch(pattern);
        expect((e as Error).message).toContain('supported: single-label');
        expect(existsSync(join(out, 'onnx', 'model.onnx'))).toBe(false);
        return;
      }
      throw new Error('expected an ExportError');
    };
    const prompt = { template: '{text} It was {mask}.', verbalizer: { great: 'great', other: 'terrible' } };
    refuse(tinyClassifier('roberta', 'prompt-mlm', { prompt }), /"terrible" \(other, 2 tokens\)/);
    const more = [{ template: '{text} Overall {mask}.', verbalizer: { great: 'good', other: 'bad' } }];
    refuse(tinyClassifier('bert', 'prompt-mlm', { morePrompts: more }), /template ensembles \(2 prompts\)/);
    const demonstrations = { seed: 1, pool: [{ inputs: { text: 'Nice tea.' }, label: 0 }] };
    refuse(tinyClassifier('bert', 'prompt-mlm', { demonstrations }), /demonstrations/);
    refuse(tinyClassifier('bert', 'classification', { multiLabel: true, thresholds: [0.5, 0.5] }), /multi-label/);
  });

  it('refuses to write over the model directory', () => {
    const dir = tinyClassifier('bert', 'classification');
    expect(() => exportClassifierOnnx(dir, dir)).toThrow(/is the model directory itself/);
  });

  it('exports the plain Hugging Face directory, without Promptune files, that loads back alike', () => {
    const dir = tinyClassifier('distilbert', 'classification');
    const out = mkdtempSync(join(tmpdir(), 'pt-export-hf-'));
    const { files } = exportClassifierHf(dir, out);
    expect(files).toEqual(expect.arrayContaining(['model.safetensors', 'config.json', 'tokenizer.json']));
    expect(existsSync(join(out, 'promptune.json'))).toBe(false);
    const a = loadPretrainedDir(dir, { head: 'sequence-classification' });
    const b = loadPretrainedDir(out, { head: 'sequence-classification' });
    expect(b.report).toEqual({ missing: [], initialised: [], unexpected: [] });
    const wa = a.model.stateDict();
    for (const [k, t] of b.model.stateDict())
      expect(
        t
          .sub(wa.get(k) as never)
          .abs()
          .max()
          .item(),
        k,
      ).toBe(0);
    a.model.dispose();
    b.model.dispose();
  });
});
