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

/** Where in training a batch is made (recipes with random choices per epoch, such as MLM masking, use it). */
export interface BatchContext {
  epoch: number;
}

/** Dev-set scores a recipe reports instead of label metrics (e.g. masked-token accuracy). */
export interface RecipeScores {
  metric: number;
  accuracy: number;
  macroF1: number;
}

/** One recipe: builds batches and turns the model's output into a loss and into label scores. */
export interface Recipe<B> {
  readonly name: string;
  /** Encodes examples into one batch (tensors owned by the batch; dispose with disposeBatch). */
  batch(p: Pretrained, examples: readonly TrainExample[], cfg: TrainConfig, ctx?: BatchContext): B;
  /** Label logits [N, labels] for a batch. */
  logits(p: Pretrained, batch: B): Tensor;
  /** Frees the batch's tensors. */
  disposeBatch(batch: B): void;
  /** Trainable tensors the recipe owns besides the model's (a head, per-label thresholds), by name. */
  parameters?(): Map<string, Tensor>;
  /** The training loss of a batch when it is not cross-entropy on example labels (e.g. masked-LM pre-training). */
  loss?(p: Pretrained, batch: B): Tensor;
  /** Dev-set scores when they are not label metrics; higher is better. */
  score?(p: Pretrained, dev: readonly TrainExample[], cfg: TrainConfig): RecipeScores;
}
