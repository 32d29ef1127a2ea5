// The recipe a run trains with (its policy builds it: recipes/), the examples as training sees them, and the
// metadata that lets a saved model be scored the same way later (promptune.json).
import type { Dataset } from '../../core/data/index.js';
import type { Task } from '../../core/task/index.js';
import type { ClassifierMeta, TrainExample } from '../../core/train/index.js';
import type { Project } from '../project.js';
import { RECIPE_POLICIES, type RunRecipe } from './recipes/index.js';
import type { RunSpec } from './spec.js';

export type { RunRecipe } from './recipes/index.js';

/** Builds the run's recipe: its policy decides. */
export function recipeForRun(
  project: Project,
  spec: RunSpec,
  train: readonly TrainExample[],
  labels: readonly string[],
  hiddenSize: number,
): Promise<RunRecipe> {
  return RECIPE_POLICIES[spec.recipe].build(project, spec, train, labels, hiddenSize);
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
    ...RECIPE_POLICIES[spec.recipe].meta?.(spec),
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
