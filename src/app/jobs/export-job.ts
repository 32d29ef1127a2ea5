// The "export" job: a model exported to ONNX or a Hugging Face directory by a worker. Paths are as the workers see
// them; a run (rather than a model directory) is looked up in the task's project.
import { dirname, isAbsolute } from 'node:path';
import { z } from 'zod';
import { exportInputSchema, exportModel } from '../export/export.js';
import { openProject } from '../project.js';
import { jobTaskFileSchema, parsePayload } from './payload.js';
import type { JobHandler } from './worker.js';

const absolute = { message: 'expected an absolute path (workers may run elsewhere)' };

/** What an export job needs. */
export const exportJobSchema = z
  .object({
    task: jobTaskFileSchema.optional(),
    input: exportInputSchema.extend({
      out: z.string().min(1).refine(isAbsolute, absolute).describe('The directory to write, as the workers see it'),
      model: z.string().min(1).refine(isAbsolute, absolute).optional().describe('A model directory, as the workers see it'),
    }),
  })
  .strict()
  .refine((p) => p.input.model !== undefined || p.task !== undefined, {
    message: 'a run (or the newest run) is looked up in a project: give the task file, or input.model',
    path: ['task'],
  });

/** An export job's payload. */
export type ExportJob = z.input<typeof exportJobSchema>;

/** Exports the model; the result lists the files written. */
export const exportJobHandler: JobHandler = async (job, ctx) => {
  const { task, input } = parsePayload(exportJobSchema, job.payload);
  if (!task || (input.model && !input.run)) return exportModel(undefined, input, '/');
  const project = await openProject({ task, cwd: dirname(task), store: ctx.store, warn: (m) => ctx.log('warn', m) });
  try {
    return await exportModel(project, input, dirname(task));
  } finally {
    await project.close();
  }
};
