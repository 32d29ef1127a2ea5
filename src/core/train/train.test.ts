// Training learns: both recipes reach high held-out accuracy on a small learnable task, only the best dev
// weights are kept, memory stays flat, divergence stops the run with the way out, and LoRA trains through the
// same loop. The model is the complete small XLM-R checkpoint, re-initialised as transformers would.
import { describe, expect, it } from 'vitest';
import { type Tensor, autocastDtype } from '../../engine/index.js';
import { type Pretrained, applyLora, trainableParameters } from '../../transformers/index.js';
import { checkPrompt } from '../prompts/index.js';
import {
  DivergedError,
  type TrainExample,
  classificationRecipe,
  ensembleRecipe,
  predictProbs,
  promptMlmRecipe,
  trainConfig,
  trainModel,
} from './index.js';
import {
  TOY_LABELS,
  TOY_MULTI_LABELS,
  toyModel,
  toyModelWithLabels,
  toyMultiLabel,
  toyPrompt,
  toyReviews,
} from './testing/toy-task.js';

const labels = TOY_LABELS;
const reviews = toyReviews;
const fresh = toyModel;

const accuracy = (p: Pretrained, recipe: Parameters<typeof predictProbs>[1], data: TrainExample[]): number => {
  const probs = predictProbs(p, recipe, data, trainConfig({ batchSize: 32 }));
  return probs.filter((row, i) => row.indexOf(Math.max(...row)) === data[i]?.label).length / data.length;
};

describe('training', () => {
  const train = reviews(160, 1);
  const dev = reviews(40, 2);
  const test = reviews(60, 3);
  const prompt = toyPrompt();

  it('prompt-based fine-tuning (PET loss on the verbalizer) learns and keeps memory flat', async () => {
    const p = fresh('masked-lm');
    const recipe = promptMlmRecipe(prompt, labels);
    const result = await trainModel(
      p,
      recipe,
      train,
      dev,
      labels,
      trainConfig({ epochs: 12, batchSize: 16, learningRate: 3e-3, evalEvery: 10, maxLength: 32 }),
    );
    expect(result.history[0]?.loss).toBeGreaterThan(result.history.at(-1)?.loss as number);
    expect(result.best?.accuracy).toBeGreaterThan(0.9);
    expect(accuracy(p, recipe, test)).toBeGreaterThan(0.9);
    expect(result.liveTensorsGrowth).toBeLessThanOrEqual(0);
    p.model.dispose();
  });

  it('the classification-head baseline learns through the same loop, with class weights', async () => {
    const p = fresh('sequence-classification');
    const cfg = trainConfig({
      recipe: 'classification',
      epochs: 10,
      batchSize: 16,
      learningRate: 1e-3,
      classWeights: 'balanced',
      maxLength: 32,
    });
    const result = await trainModel(p, classificationRecipe, train, dev, labels, cfg);
    expect(result.stoppedBy).toBe('completed');
    expect(result.evals.length).toBe(10);
    expect(accuracy(p, classificationRecipe, test)).toBeGreaterThan(0.9);
    p.model.dispose();
  });

  it('bf16 mixed precision learns the same task with fp32 weights kept, and leaves no autocast behind', async () => {
    const p = fresh('masked-lm');
    const recipe = promptMlmRecipe(prompt, labels);
    const cfg = trainConfig({ epochs: 12, batchSize: 16, learningRate: 3e-3, evalEvery: 10, maxLength: 32, precision: 'bf16' });
    const result = await trainModel(p, recipe, train, dev, labels, cfg);
    expect(result.history[0]?.loss).toBeGreaterThan(result.history.at(-1)?.loss as number);
    expect(result.best?.accuracy).toBeGreaterThan(0.9);
    expect(accuracy(p, recipe, test)).toBeGreaterThan(0.9);
    expect(p.model.parameters().every((w) => w.dtype === 'float32')).toBe(true);
    expect(autocastDtype()).toBeNull();
    expect(result.liveTensorsGrowth).toBeLessThanOrEqual(0);
    // Predictions under bf16 are floats the caller can read, close to the fp32 ones of the same weights.
    const [bf16] = predictProbs(p, recipe, test.slice(0, 4), cfg);
    const [fp32] = predictProbs(p, recipe, test.slice(0, 4), { ...cfg, precision: 'fp32' });
    for (const [i, v] of (fp32 as number[]).entries()) expect(Math.abs((bf16 as number[])[i]! - v)).toBeLessThan(0.05);
    p.model.dispose();
  });

  it('early stopping keeps the best dev weights; LoRA trains only its adapters', async () => {
    const p = fresh('masked-lm');
    applyLora(p.model, { r: 4, alpha: 8, dropout: 0, targetModules: ['query', 'value'] });
    const recipe = promptMlmRecipe(prompt, labels);
    const frozen = (p.model.stateDict().get('roberta.encoder.layer.0.attention.self.key.weight') as Tensor).clone();
    const result = await trainModel(
      p,
      recipe,
      train,
      dev,
      labels,
      trainConfig({ epochs: 20, learningRate: 5e-3, evalEvery: 5, earlyStoppingPatience: 2, maxLength: 32 }),
      {
        parameters: trainableParameters(p.model),
      },
    );
    expect(['early-stopping', 'completed']).toContain(result.stoppedBy);
    const last = predictProbs(p, recipe, dev, trainConfig());
    const devAcc = last.filter((row, i) => row.indexOf(Math.max(...row)) === dev[i]?.label).length / dev.length;
    expect(devAcc).toBeCloseTo(result.best?.accuracy as number, 10);
    expect(
      (p.model.stateDict().get('roberta.encoder.layer.0.attention.self.key.weight') as Tensor).sub(frozen).abs().sum().item(),
    ).toBe(0);
    p.model.dispose();
  });

  it('learns with LM-BFF demonstrations in context and with a two-template ensemble', async () => {
    const second = checkPrompt(
      { template: 'Review: {text} Verdict: {mask}', verbalizer: { great: 'good', other: 'bad' } },
      { inputs: [{ name: 'text' }], labels: [{ name: 'great' }, { name: 'other' }] },
    );
    const cfg = trainConfig({ epochs: 10, batchSize: 16, learningRate: 3e-3, maxLength: 64 });
    const few = train.slice(0, 96);
    const p = fresh('masked-lm');
    const withDemos = promptMlmRecipe(prompt, labels, undefined, { demonstrations: { pool: few, seed: 1 } });
    await trainModel(p, withDemos, few, dev, labels, cfg);
    expect(accuracy(p, withDemos, test)).toBeGreaterThan(0.85);
    p.model.dispose();
    const q = fresh('masked-lm');
    const both = ensembleRecipe([promptMlmRecipe(prompt, labels), promptMlmRecipe(second, labels)]);
    await trainModel(q, both, few, dev, labels, cfg);
    expect(accuracy(q, both, test)).toBeGreaterThan(0.85);
    q.model.dispose();
  });

  it('multi-label: one sigmoid per label in both recipes; several labels predicted at once on held-out texts', async () => {
    const trainMl = toyMultiLabel(200, 11);
    const devMl = toyMultiLabel(40, 12);
    const test2 = toyMultiLabel(60, 13, (t) => t.filter((v) => v === 1).length >= 2);
    const multi = checkPrompt(
      { template: '{text} In short: {mask}.', verbalizer: { positive: 'great', drink: 'drink', cheap: 'cheap' } },
      { inputs: [{ name: 'text' }], labels: TOY_MULTI_LABELS.map((name) => ({ name })) },
    );
    const cases = [
      {
        head: 'sequence-classification' as const,
        recipe: classificationRecipe,
        lr: 1e-3,
        epochs: 30,
        batch: 8,
        several: 0.6,
        exact: 0.3,
      },
      {
        head: 'masked-lm' as const,
        recipe: promptMlmRecipe(multi, TOY_MULTI_LABELS, undefined, { multiLabel: true }),
        lr: 3e-3,
        epochs: 30,
        several: 0.9,
        exact: 0.8,
      },
    ];
    for (const c of cases) {
      const p = c.head === 'masked-lm' ? fresh('masked-lm') : toyModelWithLabels(TOY_MULTI_LABELS);
      const recipe = c.recipe as Parameters<typeof predictProbs>[1];
      const cfg = trainConfig({ epochs: c.epochs, batchSize: c.batch ?? 16, learningRate: c.lr, maxLength: 32 });
      const result = await trainModel(p, recipe, trainMl, devMl, TOY_MULTI_LABELS, cfg, { multiLabel: true });
      expect(result.best?.macroF1, c.head).toBeGreaterThan(0.85);
      // Every held-out example carries two or three labels: most get two or more predicted, and the
      // prompt-based model gets the exact set right. (The tiny model's classification head learns the adjective
      // and price labels perfectly but the noun label only at chance in the multi-label setting — it learns it
      // alone; a known optimisation difficulty of small heads, left visible here rather than tuned away.)
      const probs = predictProbs(p, recipe, test2, cfg, true);
      const several = probs.filter((row) => row.filter((v) => v >= 0.5).length >= 2).length;
      expect(several / test2.length, c.head).toBeGreaterThan(c.several);
      const exact = probs.filter((row, i) => row.every((v, k) => v >= 0.5 === (test2[i]?.targets?.[k] === 1))).length;
      expect(exact / test2.length, c.head).toBeGreaterThan(c.exact);
      p.model.dispose();
    }
  });

  it('stops on a diverging loss with the way out', async () => {
    const p = fresh('masked-lm');
    await expect(
      trainModel(
        p,
        promptMlmRecipe(prompt, labels),
        train,
        [],
        labels,
        trainConfig({ epochs: 1, learningRate: 1e12, warmupRatio: 0, maxGradNorm: 1e30, maxLength: 32 }),
      ),
    ).rejects.toThrow(DivergedError);
    p.model.dispose();
  });
});
