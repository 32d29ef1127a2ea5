// The "pretrain" job: masked-LM pre-training (or head-only training) on the queue. Paths are as the workers see
// them. The job's own progress record says an attempt started; when a worker dies (kill -9, a lost machine) or is
// stopped, the worker that takes the job over continues from the checkpoints in out/checkpoints instead of
// starting again.
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { type PretrainResult, pretrain, pretrainInputSchema } from '../pretrain/pretrain.js';
import { parsePayload } from './payload.js';
import type { JobHandler } from './worker.js';

const absolute = { message: 'expected an absolute path (workers may run elsewhere)' };

/** What a pretrain job needs: a pre-training input whose paths are absolute. */
export const pretrainJobSchema = pretrainInputSchema.extend({
  text: z
    .array(z.string().min(1).refine(isAbsolute, absolute))
    .min(1)
    .describe('The unlabelled text: files or directories, as the workers see them'),
  out: z
    .string()
    .min(1)
    .refine(isAbsolute, absolute)
    .describe('Where the model, checkpoints and metrics.jsonl go, as the workers see it'),
});

/** A pretrain job's payload. */
export type PretrainJob = z.input<typeof pretrainJobSchema>;

/** A pretrain job's result. */
export interface PretrainJobResult extends PretrainResult {
  /** Whether this attempt continued from an earlier attempt's checkpoints. */
  resumed: boolean;
}

/** Runs a pretrain job, resuming from the checkpoints of an earlier attempt of the same job. */
export const pretrainJobHandler: JobHandler = async (job, ctx): Promise<PretrainJobResult> => {
  const input = parsePayload(pretrainJobSchema, job.payload);
  // Checkpoints in out are this job's only when an earlier attempt of it recorded that it started; otherwise they
  // are someone else's run (and resuming one only when asked to).
  const ours = (job.progress as { owner?: unknown } | null)?.owner === job.id;
  const resume = input.resume || (ours && existsSync(join(input.out, 'checkpoints')));
  await ctx.checkpoint({ owner: job.id, started: true });
  const result = await pretrain(
    { ...input, resume },
    {
      cwd: '/',
      signal: ctx.signal,
      onProgress: (e) => {
        if (e.type === 'step' || e.type === 'eval') ctx.progress({ owner: job.id, ...e });
        else if (e.type === 'note') ctx.log(e.level === 'warning' ? 'warn' : 'info', e.message);
      },
    },
  );
  return { ...result, resumed: resume };
};
