// Worker-side handlers of the engine demo: load the saved classifier and score batches off the main thread.
import { loadSafetensors, noGrad, tensor, tidy } from '../src/engine/index.js';
import { BagClassifier, type BagConfig } from './bag-classifier.js';

let model: BagClassifier | undefined;

/** Loads weights written by the demo's training step. */
export function load(path: string, config: BagConfig): number {
  model?.dispose();
  model = new BagClassifier(config).eval();
  const { tensors } = loadSafetensors(path);
  model.loadStateDict(tensors);
  for (const t of tensors.values()) t.dispose();
  return model.parameterCount();
}

/** Class probabilities for a batch of hashed token ids ([n, len], 0 = padding). */
export function predict(ids: BigInt64Array, n: number, len: number): Float32Array {
  const m = model;
  if (!m) throw new Error('call load() first');
  return noGrad(() =>
    tidy(() =>
      m
        .forward(tensor(ids, { shape: [n, len] }))
        .softmax(-1)
        .toTypedArray<'float32'>(),
    ),
  );
}
