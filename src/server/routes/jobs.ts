// Long work on the job queue, through the API: queue batch scoring, training or retraining (paths on storage the
// workers share, checked now as the CLI checks them), list and follow jobs — as JSON, or live as Server-Sent
// Events — and cancel them. Any server process can take the request; any worker process runs the job.
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import {
  evalJobSchema,
  exportJobSchema,
  parseSpec,
  pretrainJobSchema,
  promptAbJobSchema,
  promptEvalJobSchema,
  promptSearchJobSchema,
  retrainJobSchema,
  scoreJobSchema,
  searchJobSchema,
  trainJobSchema,
} from '../../app/index.js';
import { JOB_STATUSES, type Job } from '../../store/index.js';
import { type RouteTable, pathParam } from '../api/route.js';
import type { ServerContext, ServerEnv } from '../context.js';

const queueing = {
  priority: z.number().int().optional().describe('Higher runs first (default 0)'),
  startAfter: z.iso.datetime({ offset: true }).optional().describe('Not before this ISO time'),
  maxAttempts: z.number().int().min(1).max(20).optional().describe('Claims before it is given up (default 3)'),
};

/** POST /v1/jobs */
export const jobRequestSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('score'), payload: scoreJobSchema, ...queueing }).strict(),
  z.object({ kind: z.literal('train'), payload: trainJobSchema, ...queueing }).strict(),
  z.object({ kind: z.literal('retrain'), payload: retrainJobSchema, ...queueing }).strict(),
  z.object({ kind: z.literal('prompt-eval'), payload: promptEvalJobSchema, ...queueing }).strict(),
  z.object({ kind: z.literal('prompt-ab'), payload: promptAbJobSchema, ...queueing }).strict(),
  z.object({ kind: z.literal('prompt-search'), payload: promptSearchJobSchema, ...queueing }).strict(),
  z.object({ kind: z.literal('search'), payload: searchJobSchema, ...queueing }).strict(),
  z.object({ kind: z.literal('export'), payload: exportJobSchema, ...queueing }).strict(),
  z.object({ kind: z.literal('pretrain'), payload: pretrainJobSchema, ...queueing }).strict(),
  z.object({ kind: z.literal('eval'), payload: evalJobSchema, ...queueing }).strict(),
]);

/** A job as the API shows it. */
export const jobSchema = z.object({
  id: z.string(),
  kind: z.string(),
  payload: z.unknown(),
  status: z.enum(JOB_STATUSES as [Job['status'], ...Job['status'][]]),
  attempts: z.number(),
  maxAttempts: z.number(),
  priority: z.number(),
  startAfter: z.string(),
  workerId: z.string().nullable(),
  progress: z.unknown(),
  result: z.unknown(),
  error: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

const FINISHED = new Set<Job['status']>(['completed', 'failed', 'cancelled']);

/** Mounts /v1/jobs (admin). */
export function jobRoutes(routes: RouteTable, ctx: ServerContext): void {
  routes.route(
    {
      method: 'post',
      path: '/v1/jobs',
      access: 'admin',
      tag: 'jobs',
      summary:
        'Queue batch scoring, training, retraining, a zero-shot prompt evaluation, an A/B test, a label-word or template search, a hyper-parameter search, masked-LM pre-training, an evaluation or an export for the workers (paths as the workers see them)',
      body: jobRequestSchema,
      response: jobSchema,
      status: 201,
    },
    async (c, { body }) => {
      // A train job's spec is checked now, as `promptune jobs add train` checks it, not later on a worker.
      if (body.kind === 'train' && body.payload.spec !== undefined) parseSpec(body.payload.spec);
      const job = await ctx.store.jobs.enqueue(body.kind, body.payload, {
        ...(body.priority !== undefined ? { priority: body.priority } : {}),
        ...(body.maxAttempts !== undefined ? { maxAttempts: body.maxAttempts } : {}),
        ...(body.startAfter !== undefined ? { startAfter: new Date(body.startAfter) } : {}),
      });
      ctx.logger.log('info', 'job queued', { requestId: c.var.requestId, job: job.id, kind: job.kind });
      return c.json(job, 201);
    },
  );
  routes.route(
    {
      method: 'get',
      path: '/v1/jobs',
      access: 'admin',
      tag: 'jobs',
      summary: 'Recent jobs, newest first',
      query: z.object({
        status: z.enum(JOB_STATUSES as [Job['status'], ...Job['status'][]]).optional(),
        kind: z.string().optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
      }),
      response: z.object({ jobs: z.array(jobSchema) }),
    },
    async (c, { query }) =>
      c.json({
        jobs: await ctx.store.jobs.list({
          ...(query.status ? { status: query.status } : {}),
          ...(query.kind ? { kind: query.kind } : {}),
          limit: query.limit,
        }),
      }),
  );
  routes.route(
    {
      method: 'get',
      path: '/v1/jobs/:id',
      access: 'admin',
      tag: 'jobs',
      summary: 'A job: status, attempts, progress, result or error',
      response: jobSchema,
    },
    async (c) => c.json(await ctx.store.jobs.get(pathParam(c, 'id'))),
  );
  routes.route(
    {
      method: 'get',
      path: '/v1/jobs/:id/logs',
      access: 'admin',
      tag: 'jobs',
      summary: "A job's log: claims, hand-backs, warnings and failures, in order; ?after=<seq> for new lines only",
      query: z.object({
        after: z.coerce.number().int().min(0).default(0).describe('Only lines after this sequence number'),
        limit: z.coerce.number().int().min(1).max(1000).default(1000),
      }),
    },
    async (c, { query }) => {
      const id = (await ctx.store.jobs.get(pathParam(c, 'id'))).id;
      return c.json({ lines: await ctx.store.jobLogs.list(id, { after: query.after, limit: query.limit }) });
    },
  );
  routes.route(
    {
      method: 'get',
      path: '/v1/jobs/:id/events',
      access: 'admin',
      tag: 'jobs',
      summary:
        'Live progress as Server-Sent Events: a `job` event with the job whenever its status or progress changes, a `log` event per new log line, until it finishes',
      produces: 'text/event-stream',
    },
    (c) => streamJob(c, ctx, pathParam(c, 'id')),
  );
  routes.route(
    {
      method: 'post',
      path: '/v1/jobs/:id/cancel',
      access: 'admin',
      tag: 'jobs',
      summary: 'Cancel a queued or running job (a running one stops at its next lease renewal)',
      response: jobSchema,
      errors: [409],
    },
    async (c) => {
      const job = await ctx.store.jobs.cancel(pathParam(c, 'id'));
      ctx.logger.log('info', 'job cancelled', { requestId: c.var.requestId, job: job.id });
      return c.json(job);
    },
  );
}

/** How often a job stream looks at the job. */
const STREAM_POLL_MS = 250;

/** Streams a job's changes as SSE until it finishes or the client goes away; 404 before streaming when absent. */
async function streamJob(c: Context<ServerEnv>, ctx: ServerContext, id: string): Promise<Response> {
  let job = await ctx.store.jobs.get(id);
  return streamSSE(c, async (stream) => {
    let last = '';
    let seq = 0;
    let open = true;
    stream.onAbort(() => {
      open = false;
    });
    let logSeq = 0;
    for (;;) {
      for (const line of await ctx.store.jobLogs.list(id, { after: logSeq })) {
        logSeq = line.seq;
        await stream.writeSSE({ event: 'log', id: String(seq++), data: JSON.stringify(line) });
      }
      const shown = JSON.stringify([job.status, job.attempts, job.progress, job.result, job.error]);
      if (shown !== last) {
        last = shown;
        await stream.writeSSE({ event: 'job', id: String(seq++), data: JSON.stringify(job) });
      }
      if (FINISHED.has(job.status) || !open || ctx.draining) break;
      await stream.sleep(STREAM_POLL_MS);
      job = await ctx.store.jobs.get(id);
    }
    if (open) await stream.writeSSE({ event: 'end', data: JSON.stringify({ status: job.status }) });
  });
}
