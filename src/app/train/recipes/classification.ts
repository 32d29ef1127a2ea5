// The classification recipe: a standard sequence-classification head over the encoder (the baseline).
import { type Recipe, classificationRecipe } from '../../../core/train/index.js';
import type { RecipePolicy } from './policy.js';

/** A classification head, all weights (or LoRA) trained by the loop. */
export const classificationPolicy: RecipePolicy = {
  head: 'sequence-classification',
  async build(project) {
    const multiLabel = project.loaded.task.type === 'multi-label';
    return { recipe: classificationRecipe as Recipe<unknown>, prompts: [], multiLabel, labelOffsets: () => undefined };
  },
  loopConfig: (spec) => spec,
};
