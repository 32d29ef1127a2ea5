// Training learns: both recipes reach high held-out accuracy on a small learnable task, only the best dev
// weights are kept, memory stays flat, divergence stops the run with the way out, and LoRA trains through the
// same loop. The model is the complete small XLM-R checkpoint, re-initialised as transformers would.
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../../engine/index.js';
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
import { TOY_LABELS, toyModel, toyPrompt, toyReviews } from './testing/toy-task.js';

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

  it('prompt-based fine-tuning (PET loss on the verbalizer) learns and keeps memory flat', () => {
    const p = fresh('masked-lm');
    const recipe = promptMlmRecipe(prompt, labels);
    const result = trainModel(
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

  it('the classification-head baseline learns through the same loop, with class weights', () => {
    const p = fresh('sequence-classification');
    const cfg = trainConfig({
      recipe: 'classification',
      epochs: 10,
      batchSize: 16,
      learningRate: 1e-3,
      classWeights: 'balanced',
      maxLength: 32,
    });
    const result = trainModel(p, classificationRecipe, train, dev, labels, cfg);
    expect(result.stoppedBy).toBe('completed');
    expect(result.evals.length).toBe(10);
    expect(accuracy(p, classificationRecipe, test)).toBeGreaterThan(0.9);
    p.model.dispose();
  });

  it('early stopping keeps the best dev weights; LoRA trains only its adapters', () => {
    const p = fresh('masked-lm');
    applyLora(p.model, { r: 4, alpha: 8, dropout: 0, targetModules: ['query', 'value'] });
    const recipe = promptMlmRecipe(prompt, labels);
    const frozen = (p.model.stateDict().get('roberta.encoder.layer.0.attention.self.key.weight') as Tensor).clone();
    const result = trainModel(
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

  it('learns with LM-BFF demonstrations in context and with a two-template ensemble', () => {
    const second = checkPrompt(
      { template: 'Review: {text} Verdict: {mask}', verbalizer: { great: 'good', other: 'bad' } },
      { inputs: [{ name: 'text' }], labels: [{ name: 'great' }, { name: 'other' }] },
    );
    const cfg = trainConfig({ epochs: 10, batchSize: 16, learningRate: 3e-3, maxLength: 64 });
    const few = train.slice(0, 96);
    const p = fresh('masked-lm');
    const withDemos = promptMlmRecipe(prompt, labels, undefined, { pool: few, seed: 1 });
    trainModel(p, withDemos, few, dev, labels, cfg);
    expect(accuracy(p, withDemos, test)).toBeGreaterThan(0.85);
    p.model.dispose();
    const q = fresh('masked-lm');
    const both = ensembleRecipe([promptMlmRecipe(prompt, labels), promptMlmRecipe(second, labels)]);
    trainModel(q, both, few, dev, labels, cfg);
    expect(accuracy(q, both, test)).toBeGreaterThan(0.85);
    q.model.dispose();
  });

  it('stops on a diverging loss with the way out', () => {
    const p = fresh('masked-lm');
    expect(() =>
      trainModel(
        p,
        promptMlmRecipe(prompt, labels),
        train,
        [],
        labels,
        trainConfig({ epochs: 1, learningRate: 1e12, warmupRatio: 0, maxGradNorm: 1e30, maxLength: 32 }),
      ),
    ).toThrow(DivergedError);
    p.model.dispose();
  });
});
