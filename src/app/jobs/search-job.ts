// The "search" job: plans a hyper-parameter search and queues its trials as train jobs, which any worker then runs
// (the worker finishing a trial queues TPE's next). The job ends once the trials are queued; the search's results
// are read from its runs.
import { dirname } from 'node:path';
import { z } from 'zod';
import { SearchError, readSearchSpace } from '../../core/train/index.js';
import { AppError } from '../errors.js';
import { openProject } from '../project.js';
import { SAMPLERS, planSearch, queueTrials, saveSearch } from '../search/search.js';
import { TRAIN_OPTIONS } from '../train/options.js';
import { jobTaskFileSchema, parsePayload } from './payload.js';
import type { JobHandler } from './worker.js';

const optionValue = z.union([z.string(), z.boolean()]);

/** What a search job needs. */
export const searchJobSchema = z
  .object({
    task: jobTaskFileSchema,
    space: z
      .union([z.string().min(1), z.record(z.string(), z.unknown())])
      .describe('The search space: YAML text (as in a space file) or the same as an object, e.g. {"lr": [1e-5, 3e-5]}'),
    sampler: z.enum(SAMPLERS).optional().describe('grid, random or tpe (default: grid for lists only, else tpe)'),
    trials: z.number().int().positive().max(1000).optional().describe('Trials for random and tpe (default 10)'),
    base: z
      .object(Object.fromEntries(Object.keys(TRAIN_OPTIONS).map((k) => [k, optionValue.optional()])))
      .strict()
      .default({})
      .describe('Training options every trial starts from, by their train option names (values as text)'),
  })
  .strict();

/** A search job's payload. */
export type SearchJob = z.input<typeof searchJobSchema>;

/** The space, or INVALID_INPUT naming it: a malformed space fails the job at once rather than being retried. */
function readSpace(text: string): ReturnType<typeof readSearchSpace> {
  try {
    return readSearchSpace(text, 'space');
  } catch (e) {
    if (!SearchError.isInstance(e)) throw e;
    throw new AppError('INVALID_INPUT', [{ code: e.code, path: 'payload.space', message: e.message }]);
  }
}

/** Plans the search, saves it in the project and queues its trials. */
export const searchJobHandler: JobHandler = async (job, ctx) => {
  const p = parsePayload(searchJobSchema, job.payload);
  const project = await openProject({ task: p.task, cwd: dirname(p.task), store: ctx.store, warn: (m) => ctx.log('warn', m) });
  try {
    // JSON is YAML, so an object space reads exactly as the same space written in a file.
    const text = typeof p.space === 'string' ? p.space : JSON.stringify(p.space);
    const space = readSpace(text);
    const state = await planSearch(project, {
      space,
      spaceFile: 'space',
      base: p.base,
      ...(p.sampler ? { sampler: p.sampler } : {}),
      ...(p.trials !== undefined ? { trials: p.trials } : {}),
    });
    saveSearch(project, state);
    const queued = await queueTrials(project, state);
    return { searchId: state.id, sampler: state.sampler, trials: state.trials, queued };
  } finally {
    await project.close();
  }
};
