// The "train" job: one training run on the queue. The run id goes into the job's progress the moment the run
// exists, so when a worker dies (kill -9, a lost machine) the worker that takes the job over resumes that run from
// its newest checkpoint — to the same model an uninterrupted run saves — instead of starting a new one.
import { dirname, isAbsolute } from 'node:path';
import { z } from 'zod';
import { problemsFromZod } from '../../shared/index.js';
import { AppError } from '../errors.js';
import { openProject } from '../project.js';
import { executeRun, openRun, reopenRun } from '../train/run.js';
import { parseSpec } from '../train/spec.js';
import type { JobHandler } from './worker.js';

/** What a train job needs. */
export const trainJobSchema = z
  .object({
    task: z
      .string()
      .min(1)
      .refine(isAbsolute, { message: 'expected an absolute path (workers may run elsewhere)' })
      .describe('The task file, as the workers see it'),
    spec: z.record(z.string(), z.unknown()).describe('The run spec (validated by parseSpec)'),
  })
  .strict();

/** A train job's payload. */
export type TrainJob = z.input<typeof trainJobSchema>;

/** Runs (or resumes) a train job's run; progress carries the run id and the latest step or evaluation. */
export const trainJobHandler: JobHandler = async (job, ctx) => {
  const parsed = trainJobSchema.safeParse(job.payload);
  if (!parsed.success) throw new AppError('INVALID_INPUT', problemsFromZod(parsed.error, job.payload, { prefix: 'payload' }));
  const spec = parseSpec(parsed.data.spec);
  const project = await openProject({ task: parsed.data.task, cwd: dirname(parsed.data.task), store: ctx.store });
  try {
    const earlier = (job.progress as { runId?: unknown } | null)?.runId;
    const prior = typeof earlier === 'string' ? await project.store.runs.get(earlier).catch(() => undefined) : undefined;
    // A worker that died after the run finished but before the job did: the run is the result.
    if (prior?.status === 'completed')
      return { runId: prior.id, modelDir: prior.checkpointPath, resumed: false, bestMetric: prior.bestMetric };
    const resume = prior !== undefined;
    const opened = resume ? await reopenRun(project, prior.id, ctx.workerId) : await openRun(project, spec);
    const runId = opened.run.id;
    await ctx.checkpoint({ runId });
    const outcome = await executeRun(project, opened, {
      resume,
      signal: ctx.signal,
      onProgress: (e) => {
        if (e.type === 'step' || e.type === 'eval') ctx.progress({ runId, ...e });
      },
    });
    return {
      runId,
      modelDir: outcome.modelDir,
      resumed: resume,
      steps: outcome.result.steps,
      ...(outcome.result.best ? { bestMetric: { step: outcome.result.best.step, value: outcome.result.best.metric } } : {}),
      ...(outcome.test ? { test: outcome.test } : {}),
    };
  } finally {
    await project.close();
  }
};
