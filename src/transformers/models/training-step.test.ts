// Models train: gradients reach every parameter, loss falls on a learnable signal, and memory holds steady
// across steps (live tensors constant), for the two heads the recipes use. Models are built from the fixtures'
// config.json with transformers' initialisation (createModel), as pre-training from scratch would.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AdamW, F, type Tensor, manualSeed, memoryStats, randint, tensor, tidy } from '../../engine/index.js';
import { type ModelInputs, type TransformerModel, createModel } from './index.js';

const fixtures = new URL('./__fixtures__/', import.meta.url).pathname;
const fresh = (name: string): TransformerModel =>
  createModel(JSON.parse(readFileSync(join(fixtures, name, 'config.json'), 'utf8')) as Record<string, unknown>);

/** Random 8-token batches whose label is which of three marker tokens sits at position 1. */
function batch(): { inputs: ModelInputs; labels: Tensor } {
  const ids = randint(10, 90, [16, 8]);
  const labels = randint(0, 3, [16]);
  ids.select(1, 1).copy_(labels.add(4));
  return { inputs: { inputIds: ids, attentionMask: ids.ne(-1).long() }, labels };
}

describe('training a model', () => {
  it('classification head: every parameter gets a gradient, loss falls, live tensors constant', () => {
    manualSeed(1);
    const model = fresh('distilbert-cls');
    model.train();
    const opt = new AdamW(model.parameters(), { lr: 1e-3 });
    const losses: number[] = [];
    let live = 0;
    for (let step = 0; step < 150; step++) {
      const loss = tidy(() => {
        const { inputs, labels } = batch();
        const l = F.crossEntropy(model.forward(inputs).logits as Tensor, labels);
        opt.zeroGrad();
        l.backward();
        if (step === 0) {
          const without = model.namedParameters().filter(([, p]) => p.grad === undefined || p.grad === null);
          expect(without.map(([k]) => k)).toEqual([]);
        }
        opt.step();
        return l.item();
      });
      losses.push(loss);
      if (step === 20) live = memoryStats().liveTensors;
      if (step > 20) expect(memoryStats().liveTensors).toBe(live);
    }
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-20))).toBeLessThan(mean(losses.slice(0, 20)) * 0.5);
    opt.dispose();
    model.dispose();
  });

  it('masked-LM head through logitsAt: loss on [MASK] positions falls', () => {
    manualSeed(2);
    const model = fresh('bert-mlm');
    model.train();
    const opt = new AdamW(model.parameters(), { lr: 1e-3 });
    const losses: number[] = [];
    for (let step = 0; step < 150; step++) {
      losses.push(
        tidy(() => {
          const { inputs, labels } = batch();
          // Position 2 is the mask slot; its target word is the label's verbaliser token (50 + label).
          const at = tensor(
            Array.from({ length: 16 }, (_, b) => b * 8 + 2),
            { dtype: 'int64' },
          );
          const l = F.crossEntropy(model.forward(inputs, { logitsAt: at }).logits as Tensor, labels.add(50));
          opt.zeroGrad();
          l.backward();
          opt.step();
          return l.item();
        }),
      );
    }
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-10))).toBeLessThan(mean(losses.slice(0, 10)) * 0.4);
    opt.dispose();
    model.dispose();
  });
});
