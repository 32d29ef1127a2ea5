// The recipe a run trains with, from its spec and the task: a classification head, or prompt-based with one
// prompt or several (ensemble), optionally with demonstrations, single- or multi-label; and the metadata that
// lets a saved model be scored the same way later (promptune.json).
import type { Dataset } from '../../core/data/index.js';
import { type CheckedPrompt, checkPrompt } from '../../core/prompts/index.js';
import type { Task } from '../../core/task/index.js';
import {
  type ClassifierMeta,
  type Recipe,
  type TrainExample,
  classificationRecipe,
  ensembleRecipe,
  promptMlmRecipe,
  setfitRecipe,
} from '../../core/train/index.js';
import type { Linear } from '../../engine/index.js';
import { seededRandom, shuffled } from '../../shared/index.js';
import { AppError } from '../errors.js';
import type { Project } from '../project.js';
import type { RunSpec } from './spec.js';

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

/** The most demonstrations kept per label: the pool is saved with the model and read at every prediction. */
const POOL_PER_LABEL = 16;

/** Builds the run's recipe. */
export async function recipeForRun(
  project: Project,
  spec: RunSpec,
  train: readonly TrainExample[],
  labels: readonly string[],
  hiddenSize: number,
): Promise<RunRecipe> {
  const task = project.loaded.task;
  const multiLabel = task.type === 'multi-label';
  if (spec.recipe === 'setfit') {
    const recipe = setfitRecipe(hiddenSize, labels, spec.template ? { template: spec.template } : {});
    return { recipe: recipe as Recipe<unknown>, setfitHead: recipe.head, prompts: [], multiLabel, labelOffsets: () => undefined };
  }
  if (spec.recipe === 'classification')
    return { recipe: classificationRecipe as Recipe<unknown>, prompts: [], multiLabel, labelOffsets: () => undefined };
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
}

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

/** promptune.json for a trained run. */
export function metaForRun(
  task: Task,
  spec: RunSpec,
  r: RunRecipe,
  extra: { runId: string; temperature: number; thresholds?: number[] },
): ClassifierMeta {
  const [first, ...more] = r.prompts;
  const offsets = r.labelOffsets();
  return {
    format: 'promptune-classifier/1',
    task: task.name,
    recipe: spec.recipe,
    ...(spec.recipe === 'setfit' && spec.template ? { template: spec.template } : {}),
    inputs: task.inputs.map((i) => i.name),
    labels: task.labels.map((l) => l.name),
    ...(first ? { prompt: first.spec } : {}),
    ...(more.length ? { morePrompts: more.map((p) => p.spec) } : {}),
    ...(r.demonstrations
      ? {
          demonstrations: {
            seed: r.demonstrations.seed,
            pool: r.demonstrations.pool.map((e) => ({ inputs: { ...e.inputs }, label: e.label })),
          },
        }
      : {}),
    multiLabel: r.multiLabel,
    ...(extra.thresholds ? { thresholds: extra.thresholds } : {}),
    ...(offsets ? { labelOffsets: offsets } : {}),
    maxLength: spec.maxLength,
    runId: extra.runId,
    baseModel: spec.model ?? task.model,
    temperature: extra.temperature,
  };
}

/** Examples as training sees them, in the task's label order; multi-label tasks get one target per label. */
export function asTrainExamples(ds: Dataset, labels: readonly string[], multiLabel = false): TrainExample[] {
  return ds.examples
    .map((e) => ({
      inputs: e.inputs,
      label: labels.indexOf(e.labels[0] as string),
      ...(multiLabel ? { targets: labels.map((l) => (e.labels.includes(l) ? 1 : 0)) } : {}),
    }))
    .filter((e) => e.label >= 0);
}
