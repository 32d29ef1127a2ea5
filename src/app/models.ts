// Which fine-tuned model a workflow means: a directory, a run, or the task's newest completed run.
import { resolve } from 'node:path';
import { AppError } from './errors.js';
import type { Project } from './project.js';

/** The model directory named by `model` (relative to `cwd`) or `run`, else the newest completed run's. */
export async function resolveModelDir(project: Project, ref: { model?: string; run?: string }, cwd: string): Promise<string> {
  if (ref.model && ref.run)
    throw new AppError('INVALID_INPUT', [
      { code: 'MODEL_AND_RUN', path: '', message: 'give --model <dir> or --run <id>, not both' },
    ]);
  if (ref.model) return resolve(cwd, ref.model);
  const task = project.loaded.task.name;
  const run = ref.run
    ? await project.store.runs.get(ref.run)
    : (await project.store.runs.list({ taskId: task, status: 'completed', limit: 1 }))[0];
  if (!run)
    throw new AppError('PRECONDITION', [
      {
        code: 'NO_MODEL',
        path: '',
        message: `task "${task}" has no completed training run yet`,
        fix: 'run promptune train first, or pass --model <dir>',
      },
    ]);
  if (run.status !== 'completed' || !run.checkpointPath)
    throw new AppError('PRECONDITION', [
      {
        code: 'RUN_HAS_NO_MODEL',
        path: '',
        message: `run ${run.id} is ${run.status} and saved no model`,
        fix: `resume it with promptune train --resume ${run.id}`,
      },
    ]);
  return run.checkpointPath;
}
