// Every recipe's policy, by the name a run spec gives.
import type { RunSpec } from '../spec.js';
import { classificationPolicy } from './classification.js';
import type { RecipePolicy } from './policy.js';
import { promptMlmPolicy } from './prompt-mlm.js';
import { setfitPolicy } from './setfit.js';

export type { ModelHead, RecipePolicy, RunRecipe } from './policy.js';

/** The policy of each recipe. */
export const RECIPE_POLICIES: Readonly<Record<RunSpec['recipe'], RecipePolicy>> = {
  'prompt-mlm': promptMlmPolicy,
  classification: classificationPolicy,
  setfit: setfitPolicy,
};
