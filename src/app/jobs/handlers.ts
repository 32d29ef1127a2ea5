// Every job kind a worker can run, by name: what `promptune worker --kinds` chooses from.
import { evalJobHandler } from './eval-job.js';
import { exportJobHandler } from './export-job.js';
import { pretrainJobHandler } from './pretrain-job.js';
import { promptAbJobHandler, promptEvalJobHandler, promptSearchJobHandler } from './prompt-jobs.js';
import { retrainJobHandler } from './retrain-job.js';
import { scoreJobHandler } from './score-job.js';
import { searchJobHandler } from './search-job.js';
import { trainJobHandler } from './train-job.js';
import type { JobHandler } from './worker.js';

/** The handlers of every job kind. */
export const JOB_HANDLERS: Readonly<Record<string, JobHandler>> = {
  score: scoreJobHandler,
  train: trainJobHandler,
  retrain: retrainJobHandler,
  'prompt-eval': promptEvalJobHandler,
  'prompt-ab': promptAbJobHandler,
  'prompt-search': promptSearchJobHandler,
  search: searchJobHandler,
  export: exportJobHandler,
  pretrain: pretrainJobHandler,
  eval: evalJobHandler,
};
