// Which fine-tuned model a command means: --model <dir>, --run <id>, or the task's newest completed run.
import { type Project, resolveModelDir as resolveIn } from '../../app/index.js';
import type { CliIO } from '../command.js';

/** The model directory named by --model / --run (relative to the working directory), else the newest completed run's. */
export function resolveModelDir(project: Project, values: { model?: string; run?: string }, io: CliIO): Promise<string> {
  return resolveIn(project, values, io.cwd);
}
