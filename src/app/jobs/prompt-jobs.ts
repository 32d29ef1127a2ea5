// The "prompt-eval", "prompt-ab" and "prompt-search" jobs: zero-shot evaluation, A/B tests and label-word or
// template search of prompt versions on the queue, so a browser or a CRM plug-in can start them and follow them. Payload: the task file as the workers see it and the
// workflow's validated input.
import { dirname } from 'node:path';
import { z } from 'zod';
import { openProject } from '../project.js';
import { abTestPrompts, evaluatePrompts, promptAbInputSchema, promptEvalInputSchema } from '../prompts/evaluate.js';
import { promptSearchInputSchema, searchPrompt } from '../prompts/search.js';
import { jobTaskFileSchema, parsePayload } from './payload.js';
import type { JobHandler } from './worker.js';

/** What a prompt-eval job needs. */
export const promptEvalJobSchema = z.object({ task: jobTaskFileSchema, input: promptEvalInputSchema }).strict();
/** What a prompt-ab job needs. */
export const promptAbJobSchema = z.object({ task: jobTaskFileSchema, input: promptAbInputSchema }).strict();

/** What a prompt-search job needs. */
export const promptSearchJobSchema = z.object({ task: jobTaskFileSchema, input: promptSearchInputSchema }).strict();

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

/** Runs a prompt search; the result names the version stored for the winner (null: the searched one won). */
export const promptSearchJobHandler: JobHandler = async (job, ctx) => {
  const { task, input } = parsePayload(promptSearchJobSchema, job.payload);
  const project = await openProject({ task, cwd: dirname(task), store: ctx.store, warn: (m) => ctx.log('warn', m) });
  try {
    const r = await searchPrompt(project, input, {
      onProgress: (e) => {
        ctx.progress(e);
        if (e.type === 'note') ctx.log('info', e.message);
      },
    });
    return {
      kind: r.kind,
      from: r.from.hash,
      best: r.candidates[0] ?? null,
      stored: r.stored ? { hash: r.stored.version.hash, created: r.stored.created } : null,
      evaluationId: r.stored?.evaluation.id ?? null,
    };
  } finally {
    await project.close();
  }
};
