import { existsSync } from 'node:fs';
// The "score" job: promptune score on the queue. Its payload is plain data (files on storage every worker can
// read and write); the score state file next to the output is what lets a successor resume a dead worker's job.
import { z } from 'zod';
import { score, stateFileOf } from '../../core/score/index.js';
import type { JobHandler } from './worker.js';

/** What a score job needs: paths as the workers see them. */
export const scoreJobSchema = z
  .object({
    data: z.string().min(1).describe('CSV or JSONL file to score'),
    out: z.string().min(1).describe('Where predictions go (.csv or .jsonl)'),
    model: z.string().min(1).describe('A model directory saved by promptune train'),
    batchSize: z.number().int().positive().max(1024).optional(),
  })
  .strict();

/** A score job's payload. */
export type ScoreJob = z.infer<typeof scoreJobSchema>;

/** Runs a score job, resuming from its state file when an earlier attempt was interrupted. */
export const scoreJobHandler: JobHandler = async (job, ctx) => {
  const p = scoreJobSchema.parse(job.payload);
  // An output without a state file is someone's file — unless an earlier attempt of this very job made it and
  // died before its first checkpoint; the job's own progress record tells the two apart.
  const ours = (job.progress as { owner?: string } | null)?.owner === job.id;
  const restart = ours && existsSync(p.out) && !existsSync(stateFileOf(p.out));
  await ctx.checkpoint({ owner: job.id, rows: 0 });
  return score(
    { data: p.data, out: p.out, model: p.model, restart, ...(p.batchSize ? { batchSize: p.batchSize } : {}) },
    { signal: ctx.signal, onProgress: (x) => ctx.progress({ owner: job.id, ...x }) },
  );
};
