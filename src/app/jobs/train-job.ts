// The "train" job: one training run on the queue, either a new run from a spec or a run already queued (a search
// trial). The run id goes into the job's progress the moment the run is taken, so when a worker dies (kill -9, a
// lost machine) the worker that takes the job over resumes that run from its newest checkpoint — to the same
// model an uninterrupted run saves — instead of starting a new one. A finished trial queues its search's next.
import { dirname } from 'node:path';
import { z } from 'zod';
import type { Job, Run } from '../../store/index.js';
import { AppError } from '../errors.js';
import type { ProgressEvent } from '../progress.js';
import { openProject } from '../project.js';
import { continueSearch } from '../search/search.js';
import { type OpenedRun, executeRun, openRun, reopenRun, specOfRun } from '../train/run.js';
import { parseSpec } from '../train/spec.js';
import { runSplits } from '../train/splits.js';
import { jobTaskFileSchema, parsePayload } from './payload.js';
import type { JobHandler } from './worker.js';

/** What a train job needs: the task and either a run spec or a queued run's id. */
export const trainJobSchema = z
  .object({
    task: jobTaskFileSchema,
    spec: z.record(z.string(), z.unknown()).optional().describe('The run spec (validated by parseSpec)'),
    runId: z.string().min(1).optional().describe('A queued run to train (a search trial), instead of a spec'),
  })
  .strict()
  .refine((p) => (p.spec === undefined) !== (p.runId === undefined), {
    message: 'give either spec or runId',
    path: ['spec'],
  });

/** A train job's payload. */
export type TrainJob = z.input<typeof trainJobSchema>;

/** A train job's result. */
export interface TrainJobResult {
  runId: string;
  modelDir: string | null;
  resumed: boolean;
  steps?: number;
  bestMetric?: { step?: number; value: number } | null;
  test?: { metric: number; accuracy: number; macroF1: number; n: number };
}

/** What a surface running train jobs itself may watch (the CLI's search prints each trial). */
export interface TrainJobHooks {
  /** The run is open: `resumed` when it continues from a checkpoint. */
  onStart?(job: Job, run: Run, resumed: boolean): void;
  /** Every progress event of the run. */
  onProgress?(job: Job, e: ProgressEvent): void;
}

/** The train job handler, with hooks. */
export function trainJobHandlerWith(hooks: TrainJobHooks = {}): JobHandler {
  return async (job, ctx): Promise<TrainJobResult> => {
    const payload = parsePayload(trainJobSchema, job.payload);
    const spec = payload.spec === undefined ? undefined : parseSpec(payload.spec);
    const project = await openProject({
      task: payload.task,
      cwd: dirname(payload.task),
      store: ctx.store,
      warn: (m) => ctx.log('warn', m),
    });
    try {
      const earlier = (job.progress as { runId?: unknown } | null)?.runId;
      const known = typeof earlier === 'string' ? earlier : payload.runId;
      const prior = known === undefined ? undefined : await project.store.runs.get(known).catch(() => undefined);
      // A worker that died after the run finished but before the job did: the run is the result.
      if (prior?.status === 'completed')
        return { runId: prior.id, modelDir: prior.checkpointPath, resumed: false, bestMetric: prior.bestMetric };
      let opened: OpenedRun;
      let resume = false;
      if (prior?.status === 'queued') {
        const run = await project.store.runs.start(prior.id, ctx.workerId);
        const runSpec = specOfRun(run);
        opened = { run, spec: runSpec, splits: await runSplits(project, runSpec) };
      } else if (prior) {
        resume = true;
        opened = await reopenRun(project, prior.id, ctx.workerId);
      } else if (spec) opened = await openRun(project, spec);
      else
        throw new AppError('NOT_FOUND', [
          { code: 'RUN_NOT_FOUND', path: 'payload.runId', message: `no run "${payload.runId}" in the store` },
        ]);
      const runId = opened.run.id;
      await ctx.checkpoint({ runId });
      ctx.log('info', `${resume ? 'resuming' : 'training'} run ${runId}`);
      hooks.onStart?.(job, opened.run, resume);
      try {
        const outcome = await executeRun(project, opened, {
          resume,
          signal: ctx.signal,
          onProgress: (e) => {
            hooks.onProgress?.(job, e);
            if (e.type === 'step' || e.type === 'eval') ctx.progress({ runId, ...e });
            else if (e.type === 'note') ctx.log(e.level === 'warning' ? 'warn' : 'info', e.message);
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
        // A trial that ended (not one stopped to be handed back) lets its search queue what comes next.
        if (!ctx.signal.aborted) {
          const ended = await project.store.runs.get(runId);
          await continueSearch(project, ended).catch((e: Error) =>
            project.warn(`the search of run ${runId} could not queue its next trial: ${e.message}`),
          );
        }
      }
    } finally {
      await project.close();
    }
  };
}

/** Runs (or resumes) a train job's run; progress carries the run id and the latest step or evaluation. */
export const trainJobHandler: JobHandler = trainJobHandlerWith();
