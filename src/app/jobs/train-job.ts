// The "train" job: one training run on the queue. The run id goes into the job's progress the moment the run
// exists, so when a worker dies (kill -9, a lost machine) the worker that takes the job over resumes that run from
// its newest checkpoint — to the same model an uninterrupted run saves — instead of starting a new one.
import { dirname } from 'node:path';
import { z } from 'zod';
import { openProject } from '../project.js';
import { executeRun, openRun, reopenRun } from '../train/run.js';
import { parseSpec } from '../train/spec.js';
import { jobTaskFileSchema, parsePayload } from './payload.js';
import type { JobHandler } from './worker.js';

/** What a train job needs. */
export const trainJobSchema = z
  .object({
    task: jobTaskFileSchema,
    spec: z.record(z.string(), z.unknown()).describe('The run spec (validated by parseSpec)'),
  })
  .strict();

/** A train job's payload. */
export type TrainJob = z.input<typeof trainJobSchema>;

/** Runs (or resumes) a train job's run; progress carries the run id and the latest step or evaluation. */
export const trainJobHandler: JobHandler = async (job, ctx) => {
  const payload = parsePayload(trainJobSchema, job.payload);
  const spec = parseSpec(payload.spec);
  const project = await openProject({ task: payload.task, cwd: dirname(payload.task), store: ctx.store });
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
