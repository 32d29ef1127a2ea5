// Which fine-tuned model a command means: --model <dir>, --run <id>, or the task's newest completed run.
import { resolve } from 'node:path';
import { type CliIO, UsageError } from '../command.js';
import type { Project } from '../context.js';

/** The model directory named by --model / --run, else the newest completed run's. */
export async function resolveModelDir(project: Project, values: { model?: string; run?: string }, io: CliIO): Promise<string> {
  if (values.model && values.run) throw new UsageError('give --model <dir> or --run <id>, not both');
  if (values.model) return resolve(io.cwd, values.model);
  const task = project.loaded.task.name;
  const run = values.run
    ? await project.store.runs.get(values.run)
    : (await project.store.runs.list({ taskId: task, status: 'completed', limit: 1 }))[0];
  if (!run)
    throw new UsageError(`task "${task}" has no completed training run yet: run promptune train first, or pass --model <dir>`);
  if (run.status !== 'completed' || !run.checkpointPath)
    throw new UsageError(`run ${run.id} is ${run.status} and saved no model: resume it with promptune train --resume ${run.id}`);
  return run.checkpointPath;
}
