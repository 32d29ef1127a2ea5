// Zero-shot scoring: label scores match a direct computation and carry gradients; masked-LM prompting is
// batch-invariant with probabilities that sum to one; calibration divides out the content-free distribution;
// similarity zero-shot with the real all-MiniLM-L6-v2 beats the majority class on real reviews.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manualSeed, randn, tidy } from '../../engine/index.js';
import { type Pretrained, createModel, loadPretrainedDir, saveModel } from '../../transformers/index.js';
import { classificationMetrics } from '../eval/index.js';
import {
  abTest,
  checkPrompt,
  labelLogScores,
  searchLabelWords,
  searchTemplates,
  zeroShotMlm,
  zeroShotSimilarity,
} from './index.js';

const root = new URL('../../../', import.meta.url).pathname;
const minilm = join(root, '.cache', 'reference', 'all-minilm-l6-v2');

/** A small random BERT masked-LM with the real uncased vocabulary and tokenizer. */
function tinyMlm(): Pretrained {
  manualSeed(0);
  const dir = mkdtempSync(join(tmpdir(), 'pt-zs-'));
  const config = JSON.parse(readFileSync(join(root, 'src/transformers/models/__fixtures__/bert-mlm/config.json'), 'utf8'));
  const model = createModel({ ...config, vocab_size: 30522, max_position_embeddings: 128 });
  saveModel(model, dir);
  model.dispose();
  const tok = join(root, 'src/transformers/tokenizers/__fixtures__/bert-uncased');
  for (const f of readdirSync(tok)) copyFileSync(join(tok, f), join(dir, f));
  return loadPretrainedDir(dir);
}

const task = { inputs: [{ name: 'text' }], labels: [{ name: 'great' }, { name: 'other' }] };
const prompt = checkPrompt(
  {
    template: '{text} All in all, it was {mask}.',
    verbalizer: { great: ['great', 'wonderful'], other: ['bad', 'disappointing'] },
  },
  task,
);
const texts = ['Fresh and tasty.', 'Arrived broken, never again.', 'Ok I guess.', 'The best tea I have had!', 'Meh.'].map(
  (text) => ({ text }),
);

describe('labelLogScores', () => {
  it('equals the log of the mean word probability, word = mean token log-prob over successive masks', () => {
    manualSeed(3);
    const words = [[[5], [7, 2]], [[1, 3, 4]]];
    tidy(() => {
      const lp = randn([2, 3, 10]).requiresGrad_(true);
      const logp = lp.logSoftmax(-1);
      const scores = labelLogScores(logp, words);
      const v = logp.tolist() as number[][][];
      const expected = [0, 1].map((n) =>
        words.map((label) => {
          const ws = label.map((w) => w.reduce((s, id, j) => s + (v[n]?.[j]?.[id] as number), 0) / w.length);
          return Math.log(ws.reduce((s, x) => s + Math.exp(x), 0) / ws.length);
        }),
      );
      const got = scores.tolist() as number[][];
      got.flat().forEach((x, i) => expect(x).toBeCloseTo(expected.flat()[i] as number, 5));
      scores.sum().backward();
      expect(lp.grad?.abs().sum().item()).toBeGreaterThan(0);
    });
  });
});

describe('zeroShotMlm', () => {
  it('gives distributions that sum to one, independent of batch size', () => {
    const p = tinyMlm();
    const a = zeroShotMlm(p, prompt, texts, ['great', 'other'], { batchSize: 1 });
    const b = zeroShotMlm(p, prompt, texts, ['great', 'other'], { batchSize: 4 });
    for (const row of a.probs) expect(row.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 6);
    a.probs.flat().forEach((x, i) => expect(x).toBeCloseTo(b.probs.flat()[i] as number, 5));
    expect(a.predictions).toEqual(b.predictions);
    p.model.dispose();
  });

  it('calibration divides out the distribution on content-free inputs', () => {
    const p = tinyMlm();
    const plain = zeroShotMlm(p, prompt, texts, ['great', 'other']);
    const cal = zeroShotMlm(p, prompt, texts, ['great', 'other'], { calibrate: true });
    const cf = zeroShotMlm(
      p,
      prompt,
      ['N/A', '', '[MASK]'].map((text) => ({ text })),
      ['great', 'other'],
    );
    const mean = [0, 1].map((l) => cf.probs.reduce((s, r) => s + (r[l] as number), 0) / 3);
    cal.calibration?.forEach((x, l) => expect(x).toBeCloseTo(mean[l] as number, 6));
    plain.probs.forEach((row, i) => {
      const w = row.map((x, l) => x / (mean[l] as number));
      const s = w[0]! + w[1]!;
      expect(cal.probs[i]?.[0]).toBeCloseTo((w[0] as number) / s, 6);
    });
    p.model.dispose();
  });
});

describe('A/B comparison and prompt search', () => {
  const labelled = texts.map((t, i) => ({ inputs: t, label: i % 2 ? 'other' : 'great' }));

  it('A/B: metrics per prompt agree with their zero-shot predictions; a prompt against itself is no difference', () => {
    const p = tinyMlm();
    const other = checkPrompt({ template: 'Review: {text} It was {mask}.', verbalizer: { great: 'good', other: 'bad' } }, task);
    const r = abTest(p, [prompt, other], labelled, ['great', 'other'], { names: ['v1', 'v2'], resamples: 200 });
    const direct = zeroShotMlm(p, other, texts, ['great', 'other']);
    expect(r.predictions.b.predictions).toEqual(direct.predictions);
    expect(r.b.n).toBe(5);
    expect(r.verdict).toMatch(/^(No reliable difference between v1 and v2|v[12] is better than v[12])/);
    const same = abTest(p, [prompt, prompt], labelled, ['great', 'other'], { resamples: 200 });
    expect(same.bootstrap.diff).toBe(0);
    expect(same.mcnemar.pValue).toBe(1);
    expect(same.verdict).toMatch(/^No reliable difference/);
    p.model.dispose();
  });

  it('label-word search: distinct whole words per label, dev scores that zero-shot reproduces', () => {
    const p = tinyMlm();
    const found = searchLabelWords(p, prompt, labelled, labelled, ['great', 'other'], { perLabel: 4, keep: 5 });
    expect(found.length).toBe(5);
    const scores = found.map((c) => c.devScore);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    for (const c of found.slice(0, 2)) {
      const words = Object.values(c.value).flat() as string[];
      expect(new Set(words).size).toBe(2);
      for (const w of words) expect(w).toMatch(/^\p{L}{2,}$/u);
      const r = zeroShotMlm(p, checkPrompt({ template: prompt.spec.template, verbalizer: c.value }, task), texts, [
        'great',
        'other',
      ]);
      const m = classificationMetrics(
        labelled.map((e) => e.label),
        r.predictions,
        ['great', 'other'],
      );
      expect(m.macroF1).toBeCloseTo(c.devScore, 10);
    }
    const templates = searchTemplates(
      p,
      ['{text} It was {mask}.', 'Review: {text} Overall {mask}!'],
      { great: 'good', other: 'bad' },
      labelled,
      task,
    );
    expect(templates.map((t) => t.value).sort()).toEqual(['Review: {text} Overall {mask}!', '{text} It was {mask}.']);
    expect(templates[0]?.devScore).toBeGreaterThanOrEqual(templates[1]?.devScore as number);
    p.model.dispose();
  });
});

describe.skipIf(!existsSync(join(minilm, 'model.safetensors')))('zeroShotSimilarity with all-MiniLM-L6-v2', () => {
  it('beats the majority class on real reviews without training', () => {
    const rows = readFileSync(join(root, 'data/reviews-fine-foods/test.csv'), 'utf8')
      .split('\n')
      .slice(1, 101)
      .map((l) => {
        const i = l.lastIndexOf(',');
        const t = l.slice(0, i);
        return { text: t.startsWith('"') ? t.slice(1, -1).replaceAll('""', '"') : t, label: l.slice(i + 1) };
      });
    const p = loadPretrainedDir(minilm);
    const labels = [
      { name: 'great', description: 'I love it, excellent, the best, five stars' },
      { name: 'other', description: 'disappointing, bad, not good, problems' },
    ];
    const r = zeroShotSimilarity(
      p,
      rows.map((x) => ({ text: x.text })),
      labels,
      { maxLength: 128 },
    );
    const m = classificationMetrics(
      rows.map((x) => x.label),
      r.predictions,
      ['great', 'other'],
    );
    const majority = classificationMetrics(
      rows.map((x) => x.label),
      rows.map(() => 'great'),
      ['great', 'other'],
    );
    expect(m.macroF1).toBeGreaterThan(majority.macroF1 + 0.15);
    p.model.dispose();
  });
});
