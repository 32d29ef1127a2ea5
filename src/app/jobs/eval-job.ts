// The "eval" job: evaluateModel() on the queue. Its payload is plain data — the task file as the workers see it and
// the workflow's input, its paths absolute — so a worker calls the workflow itself, as the CLI does.
import { dirname, isAbsolute } from 'node:path';
import { z } from 'zod';
import { evaluateInputSchema, evaluateModel } from '../evaluate/evaluate.js';
import { openProject } from '../project.js';
import { jobTaskFileSchema, parsePayload } from './payload.js';
import type { JobHandler } from './worker.js';

const ABSOLUTE = 'expected an absolute path (workers may run elsewhere)';

/** What an eval job needs: the task file and evaluateModel()'s input, every path in it absolute. */
export const evalJobSchema = z
  .object({
    task: jobTaskFileSchema,
    input: evaluateInputSchema.describe(
      "evaluateModel()'s input: models or runs, data or split, out, calibrate, targetPrecision, by, bootstrap",
    ),
  })
  .strict()
  .superRefine(({ input }, ctx) => {
    const paths: [(string | number)[], string | undefined][] = [
      ...(input.models ?? []).map((m, i): [(string | number)[], string] => [['input', 'models', i], m]),
      [['input', 'data'], input.data],
      [['input', 'out'], input.out],
    ];
    for (const [path, value] of paths)
      if (value !== undefined && !isAbsolute(value)) ctx.addIssue({ code: 'custom', path, message: ABSOLUTE });
  });

/** An eval job's payload. */
export type EvalJob = z.input<typeof evalJobSchema>;

/**
 * Runs an eval job; its progress is the latest `examples` event, its result the evaluations recorded (metrics, per
 * class, per language, calibration, report paths) without the reports' example texts, plus the warnings (which
 * also go to the job's log).
 */
export const evalJobHandler: JobHandler = async (job, ctx) => {
  const { task, input } = parsePayload(evalJobSchema, job.payload);
  const notes: string[] = [];
  const warn = (m: string) => {
    notes.push(m);
    ctx.log('warn', m);
  };
  const project = await openProject({ task, cwd: dirname(task), store: ctx.store, warn });
  try {
    const r = await evaluateModel(project, input, {
      signal: ctx.signal,
      onProgress: (e) => {
        if (e.type !== 'note') ctx.progress(e);
        else if (e.level === 'warning') warn(e.message);
        else ctx.log('info', e.message);
      },
    });
    for (const m of r.models) ctx.log('info', `evaluated ${m.modelDir}: evaluation ${m.evaluationId}`);
    return {
      dataset: r.dataset,
      models: r.models.map((m) => {
        if (m.kind === 'multi-label') return m;
        const { report: _report, ...rest } = m;
        return rest;
      }),
      ...(r.comparison ? { comparison: r.comparison } : {}),
      notes,
    };
  } finally {
    await project.close();
  }
};
