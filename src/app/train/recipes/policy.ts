// What a recipe decides for a run, all in one place: the head the model is loaded with, the training recipe and
// what it needs (prompts, demonstrations), any phase before the training loop (SetFit's contrastive pairs), the
// loop's settings, what is saved beside the model and what goes into its promptune.json. The run itself only asks
// the policy, so it never compares recipe names.
import type { CheckedPrompt } from '../../../core/prompts/index.js';
import type { ClassifierMeta, Recipe, TrainConfig, TrainExample } from '../../../core/train/index.js';
import type { Linear, Tensor } from '../../../engine/index.js';
import type { Pretrained } from '../../../transformers/index.js';
import type { OnProgress } from '../../progress.js';
import type { Project } from '../../project.js';
import type { RunSpec } from '../spec.js';

/** What training needs besides the data: the recipe, the prompts, the demonstration pool. */
export interface RunRecipe {
  recipe: Recipe<unknown>;
  /** SetFit: the linear head trained on the embeddings (saved beside the model). */
  setfitHead?: Linear;
  prompts: CheckedPrompt[];
  demonstrations?: { seed: number; pool: TrainExample[] };
  multiLabel: boolean;
  /** Learned per-label offsets of a multi-label prompt model (read after training). */
  labelOffsets(): number[] | undefined;
}

/** The head a recipe loads the model with. */
export type ModelHead = 'masked-lm' | 'base' | 'sequence-classification';

/** One recipe's whole policy. */
export interface RecipePolicy {
  /** The head the model is loaded with. */
  head: ModelHead;
  /** Builds the training recipe for the run. */
  build(
    project: Project,
    spec: RunSpec,
    train: readonly TrainExample[],
    labels: readonly string[],
    hiddenSize: number,
  ): Promise<RunRecipe>;
  /**
   * Work before the training loop; returns the parameters the loop trains instead of the default (all weights, or
   * the LoRA matrices).
   */
  beforeLoop?(p: Pretrained, train: readonly TrainExample[], spec: RunSpec, emit: OnProgress): Tensor[] | undefined;
  /** The loop's settings for this recipe. */
  loopConfig(spec: RunSpec): TrainConfig;
  /** Writes what the recipe keeps beside the saved model. */
  save?(modelDir: string, r: RunRecipe): void;
  /** The recipe's own fields of promptune.json. */
  meta?(spec: RunSpec): Partial<ClassifierMeta>;
}
