// The recipe seam: how examples become a batch, a loss and label probabilities. The loop knows nothing else.
import type { Tensor } from '../../engine/index.js';
import type { Pretrained } from '../../transformers/index.js';
import type { TrainConfig } from './config.js';

/** A labelled example as training sees it. */
export interface TrainExample {
  inputs: Readonly<Record<string, string>>;
  /** Index into the label list (multi-label examples: their first label). */
  label: number;
  /** Multi-label tasks: 1 for each label the example carries, 0 otherwise (in label order). */
  targets?: readonly number[];
}

/** One recipe: builds batches and turns the model's output into a loss and into label scores. */
export interface Recipe<B> {
  readonly name: string;
  /** Encodes examples into one batch (tensors owned by the batch; dispose with disposeBatch). */
  batch(p: Pretrained, examples: readonly TrainExample[], cfg: TrainConfig): B;
  /** Label logits [N, labels] for a batch. */
  logits(p: Pretrained, batch: B): Tensor;
  /** Frees the batch's tensors. */
  disposeBatch(batch: B): void;
  /** Trainable tensors the recipe owns besides the model's (a head, per-label thresholds), by name. */
  parameters?(): Map<string, Tensor>;
}
