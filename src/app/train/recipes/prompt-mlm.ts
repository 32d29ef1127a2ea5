// The prompt-based recipe (PET / LM-BFF): the masked-LM head scores the label words in a prompt; several prompts
// train a template ensemble; demonstrations append one labelled example per label to each input.
import { checkPrompt } from '../../../core/prompts/index.js';
import { type Recipe, type TrainExample, ensembleRecipe, promptMlmRecipe } from '../../../core/train/index.js';
import { seededRandom, shuffled } from '../../../shared/index.js';
import { AppError } from '../../errors.js';
import type { RecipePolicy } from './policy.js';

/** The most demonstrations kept per label: the pool is saved with the model and read at every prediction. */
const POOL_PER_LABEL = 16;

/** Prompt-based fine-tuning on the verbalizer's label words. */
export const promptMlmPolicy: RecipePolicy = {
  head: 'masked-lm',
  async build(project, spec, train, labels) {
    const task = project.loaded.task;
    const multiLabel = task.type === 'multi-label';
    const refs = [spec.prompt, ...(spec.ensemble ?? [])].filter((r): r is string => r !== undefined);
    const prompts = await Promise.all(refs.map(async (ref) => checkPrompt((await project.store.prompts.get(ref)).spec, task)));
    if (multiLabel && prompts.length > 1)
      throw new AppError('INVALID_INPUT', [
        {
          code: 'ENSEMBLE_MULTI_LABEL',
          path: 'ensemble',
          message: 'a template ensemble is for single-label tasks',
          fix: 'give one --prompt for a multi-label task',
        },
      ]);
    const demonstrations = spec.demonstrations
      ? { seed: spec.seed, pool: demonstrationPool(train, labels.length, spec.seed) }
      : undefined;
    const recipes = prompts.map((prompt) =>
      promptMlmRecipe(prompt, labels, undefined, { ...(demonstrations ? { demonstrations } : {}), multiLabel }),
    );
    return {
      recipe: (recipes.length === 1 ? recipes[0] : ensembleRecipe(recipes)) as Recipe<unknown>,
      prompts,
      ...(demonstrations ? { demonstrations } : {}),
      multiLabel,
      labelOffsets: () => (multiLabel ? recipes[0]?.labelOffsets() : undefined),
    };
  },
  loopConfig: (spec) => spec,
};

/** Up to POOL_PER_LABEL training examples per label (seeded), the demonstrations drawn from. */
function demonstrationPool(train: readonly TrainExample[], labelCount: number, seed: number): TrainExample[] {
  const rand = seededRandom(seed + 17);
  const out: TrainExample[] = [];
  for (let label = 0; label < labelCount; label++) {
    const mine = shuffled(
      train.filter((e) => e.label === label),
      rand,
    );
    out.push(...mine.slice(0, POOL_PER_LABEL));
  }
  return out;
}
