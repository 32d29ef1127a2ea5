// Exporting a fine-tuned model: as ONNX (onnxruntime, transformers.js in the browser) or as a plain Hugging Face
// directory for Python's transformers. The model is a directory, a run's model, or the task's newest run's.
import { resolve } from 'node:path';
import { z } from 'zod';
import { exportClassifierHf, exportClassifierOnnx } from '../../core/export/index.js';
import { problemsFromZod } from '../../shared/index.js';
import { AppError } from '../errors.js';
import { resolveModelDir } from '../models.js';
import type { Project } from '../project.js';

/** What a model can be exported as. */
export const EXPORT_FORMATS = ['onnx', 'hf'] as const;

/** What an export is given. */
export const exportInputSchema = z
  .object({
    format: z.enum(EXPORT_FORMATS).describe('onnx (onnxruntime, transformers.js) or hf (transformers from_pretrained)'),
    out: z.string().min(1).describe('The directory to write (created; files in it are replaced)'),
    model: z.string().min(1).optional().describe('A model directory saved by promptune train'),
    run: z.string().min(1).optional().describe("A run whose model to export (default: the task's newest completed run)"),
  })
  .strict();

/** An export's input. */
export type ExportInput = z.input<typeof exportInputSchema>;

/** What an export wrote. */
export interface ExportResult {
  format: (typeof EXPORT_FORMATS)[number];
  modelDir: string;
  out: string;
  /** The files written, relative to `out`. */
  files: string[];
}

/**
 * Exports a model. A model directory stands alone; a run (or the newest completed run) needs the project. Paths are
 * relative to `cwd`.
 */
export async function exportModel(project: Project | undefined, input: ExportInput, cwd: string): Promise<ExportResult> {
  const parsed = exportInputSchema.safeParse(input);
  if (!parsed.success) throw new AppError('INVALID_INPUT', problemsFromZod(parsed.error, input));
  const { format, out, model, run } = parsed.data;
  let modelDir: string;
  if (model && !run) modelDir = resolve(cwd, model);
  else if (project) modelDir = await resolveModelDir(project, { ...(model ? { model } : {}), ...(run ? { run } : {}) }, cwd);
  else
    throw new AppError('INVALID_INPUT', [
      {
        code: 'NO_PROJECT',
        path: 'run',
        message: 'a run is looked up in a project',
        fix: 'give the task file, or a model directory',
      },
    ]);
  const target = resolve(cwd, out);
  const { files } = format === 'onnx' ? exportClassifierOnnx(modelDir, target) : exportClassifierHf(modelDir, target);
  return { format, modelDir, out: target, files };
}
