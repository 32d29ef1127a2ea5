// The "retrain" job: retrain() on the queue. Its payload is plain data — the task file as the workers see it and
// the workflow's validated input — so a worker calls the workflow itself, as the CLI does. Its progress keeps the
// run and the merged dataset, so a worker taking over a dead one's job resumes that run from its checkpoint.
import { dirname } from 'node:path';
import { z } from 'zod';
import { openProject } from '../project.js';
import { type RetrainDataset, retrain, retrainInputSchema } from '../retrain/retrain.js';
import { jobTaskFileSchema, parsePayload } from './payload.js';
import type { JobHandler } from './worker.js';

/** What a retrain job needs. */
export const retrainJobSchema = z
  .object({
    task: jobTaskFileSchema,
    input: retrainInputSchema.prefault({}).describe("retrain()'s input: live model, since, minFeedback, spec"),
  })
  .strict();

/** A retrain job's payload. */
export type RetrainJob = z.input<typeof retrainJobSchema>;

/** Runs a retrain job; its progress is the run's latest event, its result the run and the verdict. */
export const retrainJobHandler: JobHandler = async (job, ctx) => {
  const { task, input } = parsePayload(retrainJobSchema, job.payload);
  const notes: string[] = [];
  const project = await openProject({
    task,
    cwd: dirname(task),
    store: ctx.store,
    warn: (m) => {
      notes.push(m);
      ctx.log('warn', m);
    },
  });
  try {
    // An earlier attempt that got as far as training left its run and merged dataset: continue that run from its
    // checkpoint (unless it finished) rather than merging the feedback again.
    const earlier = job.progress as { runId?: unknown; dataset?: RetrainDataset } | null;
    const prior =
      typeof earlier?.runId === 'string' && earlier.dataset
        ? await project.store.runs.get(earlier.runId).catch(() => undefined)
        : undefined;
    const resume =
      prior && prior.status !== 'completed' ? { runId: prior.id, dataset: earlier?.dataset as RetrainDataset } : undefined;
    if (resume) ctx.log('info', `resuming run ${resume.runId} from its checkpoint`);
    let dataset: RetrainDataset | undefined = resume?.dataset;
    let runId = resume?.runId;
    const r = await retrain(project, input, {
      cwd: project.projectDir,
      signal: ctx.signal,
      ...(resume ? { resume } : {}),
      onProgress: (e) => {
        if (e.type === 'note') notes.push(e.message);
        else if (e.type === 'dataset') {
          const { type: _t, role: _r, ...rest } = e;
          dataset = rest;
        }
        // The run id is what a successor needs to find this attempt's run: recorded at once.
        else if (e.type === 'start') {
          runId = e.runId;
          void ctx.checkpoint({ runId, phase: 'training', dataset });
        }
        // Every report keeps the run and the dataset, since a report replaces the one before.
        else if (e.type === 'step' || e.type === 'eval') ctx.progress({ ...e, runId, dataset });
      },
    });
    const c = r.comparison;
    return {
      runId: r.outcome.run.id,
      modelDir: r.outcome.modelDir,
      dataset: r.dataset.merged.hash,
      rows: r.dataset.merged.rows,
      feedbackRows: r.dataset.feedbackRows,
      ...(r.outcome.test ? { test: r.outcome.test } : {}),
      comparison:
        'skipped' in c ? c : { n: c.n, live: c.live, retrained: c.retrained, pValue: c.mcnemar.pValue, verdict: c.verdict },
      notes,
    };
  } finally {
    await project.close();
  }
};
