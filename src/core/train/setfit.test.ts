// SetFit: pair generation, contrastive encoder training then a head on frozen embeddings learns the toy task
// from 8 examples per label, the encoder stays fixed in phase 2, and a saved model predicts the same after loading.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Tensor, tensor } from '../../engine/index.js';
import { savePretrained } from '../../transformers/index.js';
import {
  cosineSimilarityLoss,
  loadClassifier,
  predictProbs,
  saveSetFitHead,
  setfitPairs,
  setfitRecipe,
  setfitText,
  trainConfig,
  trainModel,
  trainSetFitEncoder,
  writeClassifierMeta,
} from './index.js';
import { TOY_LABELS, toyModel, toyReviews } from './testing/toy-task.js';

describe('SetFit', () => {
  it('pairs every example with one same-label and one other-label partner per round, seeded', async () => {
    const ex = [0, 0, 0, 1, 1, 2].map((label, i) => ({ inputs: { text: `t${i}` }, label }));
    const pairs = setfitPairs(ex, 3, 7);
    expect(pairs).toHaveLength(2 * 3 * ex.length);
    expect(pairs.filter((p) => p.target === 1)).toHaveLength(18);
    for (const p of pairs) expect(ex[p.a]?.label === ex[p.b]?.label).toBe(p.target === 1);
    // The only example of label 2 is its own positive partner.
    expect(pairs.filter((p) => p.a === 5 && p.target === 1).every((p) => p.b === 5)).toBe(true);
    expect(setfitPairs(ex, 3, 7)).toEqual(pairs);
    expect(setfitPairs(ex, 3, 8)).not.toEqual(pairs);
    expect(setfitText({ text: 'nice' }, 'Review: {text}')).toBe('Review: nice');
  });

  it('learns from 8 examples per label: contrastive encoder, then a head on frozen embeddings', async () => {
    const p = toyModel('base');
    const few = [
      ...toyReviews(200, 21)
        .filter((e) => e.label === 0)
        .slice(0, 8),
      ...toyReviews(200, 22)
        .filter((e) => e.label === 1)
        .slice(0, 8),
    ];
    const test = toyReviews(80, 23);
    const losses = trainSetFitEncoder(p, few, { iterations: 20, learningRate: 2e-3, batchSize: 16, maxLength: 32, seed: 1 });
    const head = (n: number): number => losses.slice(0, n).reduce((a, b) => a + b, 0) / n;
    expect(losses.slice(-5).reduce((a, b) => a + b, 0) / 5).toBeLessThan(head(5));
    for (const t of p.model.parameters()) t.requiresGrad_(false);
    const frozen = (p.model.stateDict().get('encoder.layer.0.attention.self.query.weight') as Tensor).clone();
    const recipe = setfitRecipe(p.model.config.hiddenSize, TOY_LABELS);
    const cfg = trainConfig({ recipe: 'setfit', epochs: 30, batchSize: 16, learningRate: 5e-2, maxLength: 32, warmupRatio: 0 });
    await trainModel(p, recipe, few, few, TOY_LABELS, cfg, { parameters: [] });
    const probs = predictProbs(p, recipe, test, cfg);
    const acc = probs.filter((r, i) => r.indexOf(Math.max(...r)) === test[i]?.label).length / test.length;
    expect(acc).toBeGreaterThan(0.8);
    const after = p.model.stateDict().get('encoder.layer.0.attention.self.query.weight') as Tensor;
    expect(after.sub(frozen).abs().sum().item()).toBe(0);

    // Saved (model + head + promptune.json) and loaded back: the same probabilities.
    const dir = mkdtempSync(join(tmpdir(), 'pt-setfit-'));
    savePretrained(p, dir);
    saveSetFitHead(dir, recipe.head);
    writeClassifierMeta(dir, {
      format: 'promptune-classifier/1',
      task: 't',
      recipe: 'setfit',
      inputs: ['text'],
      labels: TOY_LABELS,
      maxLength: 32,
    });
    const c = loadClassifier(dir);
    const again = c.predict(test.slice(0, 5).map((e) => e.inputs));
    again.forEach((x, i) => expect(x.probs.great).toBeCloseTo(probs[i]?.[0] as number, 5));
    c.dispose();
    p.model.dispose();
  });

  it('the contrastive loss is the mean squared error between cosine similarity and the pair target', async () => {
    const u = [
      [0.6, 0.8],
      [1, 0],
    ];
    const v = [
      [0.8, 0.6],
      [0, 1],
    ];
    // cos = 0.96 (target 1) and 0 (target 0): ((0.96 - 1)² + 0²) / 2.
    expect(cosineSimilarityLoss(tensor(u), tensor(v), [1, 0]).item()).toBeCloseTo(0.0008, 6);
  });
});
