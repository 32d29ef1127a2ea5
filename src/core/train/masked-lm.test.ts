// Masked-LM training through the loop: BERT's masking rule, masks fixed per text and epoch (so resume is exact
// and dev accuracy comparable), and head-only training that raises masked-token accuracy with the encoder frozen.
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../../engine/index.js';
import { freezeAllButMlmHead, maskedLmRecipe, trainConfig, trainModel } from './index.js';
import { toyModel, toyReviews } from './testing/toy-task.js';

describe('masked-LM recipe', () => {
  it('chooses about 15 % of non-special tokens, 80/10/10 mask/random/keep, the same per text and epoch', async () => {
    const p = toyModel('masked-lm');
    const recipe = maskedLmRecipe({ seed: 3 });
    // Four reviews per text, so the one-token minimum for short texts does not skew the rate.
    const short = toyReviews(1600, 5);
    const texts = Array.from({ length: 400 }, (_, i) => ({
      inputs: {
        text: short
          .slice(4 * i, 4 * i + 4)
          .map((e) => e.inputs.text)
          .join(' '),
      },
      label: 0,
    }));
    const cfg = trainConfig({ maxLength: 64 });
    const b = recipe.batch(p, texts, cfg, { epoch: 0 });
    const ids = b.inputs.inputIds.tolist() as number[][];
    const width = ids[0]?.length as number;
    const maskId = p.tokenizer.tokenToId('<mask>');
    const at = b.at.tolist() as number[];
    const masked = at.filter((f) => ids[Math.floor(f / width)]?.[f % width] === maskId).length;
    const kept = at.filter((f, j) => ids[Math.floor(f / width)]?.[f % width] === b.gold[j]).length;
    const tokens = (b.inputs.attentionMask.sum().item() as number) - 2 * texts.length;
    expect(at.length / tokens).toBeGreaterThan(0.12);
    expect(at.length / tokens).toBeLessThan(0.2);
    expect(masked / at.length).toBeGreaterThan(0.72);
    expect(masked / at.length).toBeLessThan(0.88);
    expect(kept / at.length).toBeGreaterThan(0.05);
    const again = recipe.batch(p, texts, cfg, { epoch: 0 });
    const next = recipe.batch(p, texts, cfg, { epoch: 1 });
    expect(again.at.tolist()).toEqual(at);
    expect(next.at.tolist()).not.toEqual(at);
    for (const x of [b, again, next]) recipe.disposeBatch(x);
    p.model.dispose();
  });

  it('head-only training raises masked-token accuracy and leaves the encoder untouched', async () => {
    const p = toyModel('masked-lm');
    const params = freezeAllButMlmHead(p);
    expect(params.length).toBeGreaterThan(0);
    const frozen = (p.model.stateDict().get('roberta.encoder.layer.0.attention.self.query.weight') as Tensor).clone();
    const recipe = maskedLmRecipe({ seed: 1 });
    const dev = toyReviews(64, 9);
    const cfg = trainConfig({ epochs: 6, batchSize: 16, learningRate: 5e-3, maxLength: 32, warmupRatio: 0 });
    const before = recipe.score?.(p, dev, cfg).accuracy as number;
    const result = await trainModel(p, recipe, toyReviews(256, 8), dev, [], cfg, { parameters: params });
    expect(result.history[0]?.loss).toBeGreaterThan(result.history.at(-1)?.loss as number);
    expect(result.best?.accuracy).toBeGreaterThan(before + 0.2);
    const enc = p.model.stateDict().get('roberta.encoder.layer.0.attention.self.query.weight') as Tensor;
    expect(enc.sub(frozen).abs().sum().item()).toBe(0);
    p.model.dispose();
  });
});
