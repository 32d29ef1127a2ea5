// Every family and head exported to ONNX and run in onnxruntime-node: the same outputs as our own forward pass
// within 1e-4, on the fixtures' inputs and on a padded batch of different lengths.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { type Tensor, loadSafetensors, memoryStats, tensor, tidy } from '../../engine/index.js';
import { type ModelInputs, type TransformerModel, loadModel } from '../models/index.js';
import { encoderGraph, meanPool, modelToOnnx } from './index.js';
import { DataType } from './onnx-proto.js';

const fixtures = new URL('../models/__fixtures__/', import.meta.url).pathname;
const FAMILIES = ['bert', 'bert-gelu-new', 'roberta', 'xlm-roberta', 'distilbert'];

/** The fixture's golden inputs plus a second batch padded from rows of different lengths. */
function batches(dir: string, model: TransformerModel): ModelInputs[] {
  const { tensors } = loadSafetensors(join(fixtures, dir, 'golden.safetensors'));
  const get = (k: string): Tensor => tensors.get(k) as Tensor;
  const golden: ModelInputs = { inputIds: get('input_ids'), attentionMask: get('attention_mask') };
  if (tensors.has('token_type_ids')) golden.tokenTypeIds = get('token_type_ids');
  const pad = model.config.padTokenId;
  const rows = [
    [5, 17, 23, 42, 8, 61, 9],
    [5, 30, 9],
    [5, 11, 12, 13, 9],
  ].map((r) => r.map((id) => (id === pad ? id + 1 : id)));
  const width = Math.max(...rows.map((r) => r.length));
  const ids = rows.flatMap((r) => [...r, ...new Array<number>(width - r.length).fill(pad)]);
  const mask = rows.flatMap((r) => [...r.map(() => 1), ...new Array<number>(width - r.length).fill(0)]);
  const types = rows.flatMap((r) => [...r.map((_, i) => (i > 2 ? 1 : 0)), ...new Array<number>(width - r.length).fill(0)]);
  const padded: ModelInputs = {
    inputIds: tensor(new BigInt64Array(ids.map(BigInt)), { shape: [3, width] }),
    attentionMask: tensor(new BigInt64Array(mask.map(BigInt)), { shape: [3, width] }),
  };
  if (model.family === 'bert') padded.tokenTypeIds = tensor(new BigInt64Array(types.map(BigInt)), { shape: [3, width] });
  return [golden, padded];
}

/** Runs an ONNX model on our inputs (only those the graph declares). */
async function runOnnx(bytes: Uint8Array, inputs: ModelInputs): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(bytes);
  const feed: Record<string, ort.Tensor> = {};
  const as = (t: Tensor): ort.Tensor => new ort.Tensor('int64', t.toTypedArray<'int64'>() as BigInt64Array, [...t.shape]);
  for (const name of session.inputNames) {
    if (name === 'input_ids') feed[name] = as(inputs.inputIds);
    else if (name === 'attention_mask') feed[name] = as(inputs.attentionMask);
    else if (name === 'token_type_ids' && inputs.tokenTypeIds) feed[name] = as(inputs.tokenTypeIds);
    else if (name === 'token_type_ids')
      feed[name] = new ort.Tensor('int64', new BigInt64Array(inputs.inputIds.numel), [...inputs.inputIds.shape]);
  }
  const out = await session.run(feed);
  await session.release();
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

describe('ONNX export of the model families, run in onnxruntime-node (1e-4)', () => {
  for (const family of FAMILIES) {
    for (const head of ['cls', 'mlm', 'base'] as const) {
      const dir = `${family}-${head}`;
      if (!existsSync(join(fixtures, dir))) continue;
      it(`${dir}: ${head === 'base' ? 'last hidden state' : 'logits'}`, async () => {
        const { model } = loadModel(join(fixtures, dir));
        const bytes = modelToOnnx(model);
        for (const inputs of batches(dir, model)) {
          const out = await runOnnx(bytes, inputs);
          const ours = tidy(() => {
            const o = model.forward(inputs);
            return (head === 'base' ? o.lastHiddenState : (o.logits as Tensor)).toTypedArray<'float32'>() as Float32Array;
          });
          const name = head === 'base' ? 'last_hidden_state' : 'logits';
          const theirs = out[name]?.data as Float32Array;
          const diff = maxAbsDiff(theirs, ours);
          if (process.env.PROMPTUNE_REPORT_DIFFS) console.log(`${dir} [${inputs.inputIds.shape}] max abs diff ${diff}`);
          expect(diff).toBeLessThanOrEqual(1e-4);
        }
        model.dispose();
      });
    }
  }

  it('leaves no tensor behind', () => {
    const { model } = loadModel(join(fixtures, 'roberta-mlm'));
    const before = memoryStats().liveTensors;
    modelToOnnx(model);
    expect(memoryStats().liveTensors).toBe(before);
    model.dispose();
  });

  it('mean pooling with normalisation matches embed()', async () => {
    const { model } = loadModel(join(fixtures, 'bert-base'));
    const e = encoderGraph(model);
    e.g.output(meanPool(e, true), 'embedding', DataType.FLOAT, ['batch_size', model.config.hiddenSize]);
    const bytes = e.g.encode({ graphName: 'pool', producerName: 'test', producerVersion: '0' });
    const [, padded] = batches('bert-base', model);
    const inputs = padded as ModelInputs;
    const out = await runOnnx(bytes, inputs);
    const ours = tidy(() => model.embed(inputs, { normalize: true }).toTypedArray<'float32'>() as Float32Array);
    expect(maxAbsDiff(out.embedding?.data as Float32Array, ours)).toBeLessThanOrEqual(1e-4);
    model.dispose();
  });
});
