// Long work on the job queue, through the API: enqueue a batch-scoring job (paths on storage the workers share),
// and follow it. Any server process can take the request; any worker process runs the job.
import type { Hono } from 'hono';
import { z } from 'zod';
import { scoreJobSchema } from '../../app/index.js';
import { JOB_STATUSES } from '../../store/index.js';
import type { ServerContext, ServerEnv } from '../context.js';
import { requireScope } from '../middleware/auth.js';
import { readJson } from '../middleware/json-body.js';

/** POST /v1/jobs */
export const jobRequestSchema = z.object({ kind: z.literal('score'), payload: scoreJobSchema }).strict();

/** Mounts /v1/jobs (admin). */
export function jobRoutes(app: Hono<ServerEnv>, ctx: ServerContext): void {
  app.post('/v1/jobs', requireScope('admin'), async (c) => {
    const body = await readJson(c, jobRequestSchema, ctx.limits.maxBodyBytes);
    const job = await ctx.store.jobs.enqueue(body.kind, body.payload);
    ctx.logger.log('info', 'job queued', { requestId: c.var.requestId, job: job.id, kind: job.kind });
    return c.json(job, 201);
  });
  app.get('/v1/jobs/:id', requireScope('admin'), async (c) => c.json(await ctx.store.jobs.get(c.req.param('id'))));
  app.post('/v1/jobs/:id/cancel', requireScope('admin'), async (c) => {
    const job = await ctx.store.jobs.cancel(c.req.param('id'));
    ctx.logger.log('info', 'job cancelled', { requestId: c.var.requestId, job: job.id });
    return c.json(job);
  });
  app.get('/v1/jobs', requireScope('admin'), async (c) => {
    const status = c.req.query('status');
    const s = JOB_STATUSES.find((x) => x === status);
    return c.json({ jobs: await ctx.store.jobs.list({ ...(s ? { status: s } : {}), limit: 100 }) });
  });
}
