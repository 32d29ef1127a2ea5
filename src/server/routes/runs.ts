// Training runs as the API shows them: the list, one run, its metric curves from a step on (every point, NaN
// kept), and a live Server-Sent Events stream of new points and status changes while it trains.
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { AppError, runMetrics, searchResults } from '../../app/index.js';
import type { RunStatus } from '../../store/index.js';
import { type RouteTable, pathParam } from '../api/route.js';
import type { ServerContext, ServerEnv } from '../context.js';

const RUN_STATUSES = ['queued', 'running', 'completed', 'failed', 'killed'] as const satisfies readonly RunStatus[];
const FINISHED = new Set<RunStatus>(['completed', 'failed', 'killed']);
const STREAM_POLL_MS = 250;

/** Mounts /v1/runs. */
export function runRoutes(routes: RouteTable, ctx: ServerContext): void {
  const { store } = ctx;
  routes.route(
    {
      method: 'get',
      path: '/v1/runs',
      access: 'feedback',
      tag: 'runs',
      summary: 'Training runs, newest first',
      query: z.object({
        task: z.string().optional(),
        status: z.enum(RUN_STATUSES).optional(),
        limit: z.coerce.number().int().min(1).max(500).default(50),
      }),
    },
    async (c, { query }) =>
      c.json({
        runs: await store.runs.list({
          ...(query.task ? { taskId: query.task } : {}),
          ...(query.status ? { status: query.status } : {}),
          limit: query.limit,
        }),
      }),
  );
  routes.route(
    {
      method: 'get',
      path: '/v1/tasks/:id/searches/:search',
      access: 'feedback',
      tag: 'runs',
      summary: "A hyper-parameter search's trials, best first: values, dev and test scores, steps, status, run",
    },
    async (c) => {
      const task = await store.tasks.get(pathParam(c, 'id'));
      const id = pathParam(c, 'search');
      const trials = await searchResults({ store }, { id, task: task.id, metric: task.spec.metric });
      if (!trials.length)
        throw new AppError('NOT_FOUND', [
          { code: 'SEARCH_NOT_FOUND', path: 'search', message: `task "${task.id}" has no search "${id}" with trials` },
        ]);
      return c.json({ id, task: task.id, metric: task.spec.metric, trials });
    },
  );
  routes.route(
    {
      method: 'get',
      path: '/v1/runs/:id',
      access: 'feedback',
      tag: 'runs',
      summary: 'A run: recipe, config, status, best metric, checkpoint',
    },
    async (c) => c.json(await store.runs.get(pathParam(c, 'id'))),
  );
  routes.route(
    {
      method: 'get',
      path: '/v1/runs/:id/metrics',
      access: 'feedback',
      tag: 'runs',
      summary: 'Metric points (loss, lr, throughput, dev metric) after ?after=<step>, every point kept',
      query: z.object({
        after: z.coerce.number().int().min(-1).optional().describe('Only points after this step (for increments)'),
        name: z.string().optional().describe('Only this metric'),
      }),
    },
    async (c, { query }) =>
      c.json({
        points: await runMetrics(store, pathParam(c, 'id'), {
          ...(query.name ? { name: query.name } : {}),
          ...(query.after !== undefined ? { afterStep: query.after } : {}),
        }),
      }),
  );
  routes.route(
    {
      method: 'get',
      path: '/v1/runs/:id/events',
      access: 'feedback',
      tag: 'runs',
      summary: 'Live as Server-Sent Events: `metrics` (new points), `run` (status changes), then `end`',
      produces: 'text/event-stream',
    },
    (c) => streamRun(c, ctx, pathParam(c, 'id')),
  );
}

/** Streams a run's new metric points and status changes until it finishes or the client goes away. */
async function streamRun(c: Context<ServerEnv>, ctx: ServerContext, id: string): Promise<Response> {
  let run = await ctx.store.runs.get(id);
  return streamSSE(c, async (stream) => {
    let open = true;
    stream.onAbort(() => {
      open = false;
    });
    // Points are read by step, per metric name, so a point logged for an earlier step is never missed.
    const seen = new Map<string, number>();
    let status = '';
    let seq = 0;
    for (;;) {
      const all = await runMetrics(ctx.store, id);
      const fresh = all.filter((p) => p.step > (seen.get(p.name) ?? Number.NEGATIVE_INFINITY));
      for (const p of fresh) seen.set(p.name, Math.max(seen.get(p.name) ?? p.step, p.step));
      if (fresh.length) await stream.writeSSE({ event: 'metrics', id: String(seq++), data: JSON.stringify(fresh) });
      if (run.status !== status) {
        status = run.status;
        await stream.writeSSE({ event: 'run', id: String(seq++), data: JSON.stringify(run) });
      }
      if (FINISHED.has(run.status) || !open || ctx.draining) break;
      await stream.sleep(STREAM_POLL_MS);
      run = await ctx.store.runs.get(id);
    }
    if (open) await stream.writeSSE({ event: 'end', data: JSON.stringify({ status: run.status }) });
  });
}
