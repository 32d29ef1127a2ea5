// The "prompt-eval" and "prompt-ab" jobs: zero-shot evaluation and A/B tests of prompt versions on the queue, so a
// browser or a CRM plug-in can start them and follow them. Payload: the task file as the workers see it and the
// workflow's validated input.
import { dirname } from 'node:path';
import { z } from 'zod';
import { openProject } from '../project.js';
import { abTestPrompts, evaluatePrompts, promptAbInputSchema, promptEvalInputSchema } from '../prompts/evaluate.js';
import { jobTaskFileSchema, parsePayload } from './payload.js';
import type { JobHandler } from './worker.js';

/** What a prompt-eval job needs. */
export const promptEvalJobSchema = z.object({ task: jobTaskFileSchema, input: promptEvalInputSchema }).strict();
/** What a prompt-ab job needs. */
export const promptAbJobSchema = z.object({ task: jobTaskFileSchema, input: promptAbInputSchema }).strict();

/** Runs a zero-shot evaluation; the result names the evaluation recorded and its scores. */
export const promptEvalJobHandler: JobHandler = async (job, ctx) => {
  const { task, input } = parsePayload(promptEvalJobSchema, job.payload);
  const project = await openProject({ task, cwd: dirname(task), store: ctx.store, warn: (m) => ctx.log('warn', m) });
  try {
    const r = await evaluatePrompts(project, input, { onProgress: (e) => ctx.progress(e) });
    return { evaluationId: r.evaluation.id, prompts: r.versions.map((v) => v.hash), metrics: r.evaluation.metrics };
  } finally {
    await project.close();
  }
};

/** Runs an A/B test; the result names the evaluation recorded, the verdict and how many examples flipped. */
export const promptAbJobHandler: JobHandler = async (job, ctx) => {
  const { task, input } = parsePayload(promptAbJobSchema, job.payload);
  const project = await openProject({ task, cwd: dirname(task), store: ctx.store, warn: (m) => ctx.log('warn', m) });
  try {
    const r = await abTestPrompts(project, input, { onProgress: (e) => ctx.progress(e) });
    return {
      evaluationId: r.evaluation.id,
      a: r.a.hash,
      b: r.b.hash,
      verdict: r.result.verdict,
      metrics: r.evaluation.metrics,
      flipped: r.flips.length,
    };
  } finally {
    await project.close();
  }
};
