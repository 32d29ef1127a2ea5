// Several prompts as one model (PET's and LM-BFF's template ensembles): each example goes through every
// recipe, and the label logits are averaged — for log-probability scores that is the geometric mean of the
// templates' probabilities. Training on the average teaches the model all templates at once.
import type { Tensor } from '../../../engine/index.js';
import type { Recipe } from '../recipe.js';

/** The average of `recipes` (all over the same labels). */
export function ensembleRecipe<B>(recipes: readonly Recipe<B>[]): Recipe<B[]> {
  if (recipes.length === 0) throw new Error('ensembleRecipe needs at least one recipe');
  return {
    name: recipes[0]?.name as string,
    batch: (p, examples, cfg) => recipes.map((r) => r.batch(p, examples, cfg)),
    logits(p, batches) {
      let sum: Tensor | undefined;
      recipes.forEach((r, i) => {
        const l = r.logits(p, batches[i] as B);
        sum = sum ? sum.add(l) : l;
      });
      return (sum as Tensor).div(recipes.length);
    },
    disposeBatch(batches) {
      recipes.forEach((r, i) => r.disposeBatch(batches[i] as B));
    },
  };
}
