// Liveness (the process answers) and readiness (models loaded, the store reachable, not shutting down) — what a
// load balancer or Kubernetes probes.
import { z } from 'zod';
import type { RouteTable } from '../api/route.js';
import type { ServerContext } from '../context.js';

/** Mounts /health/live and /health/ready (no key needed). */
export function healthRoutes(routes: RouteTable, ctx: ServerContext): void {
  routes.route(
    {
      method: 'get',
      path: '/health/live',
      access: 'public',
      tag: 'health',
      summary: 'The process answers',
      response: z.object({ status: z.literal('ok') }),
    },
    (c) => c.json({ status: 'ok' }),
  );
  routes.route(
    {
      method: 'get',
      path: '/health/ready',
      access: 'public',
      tag: 'health',
      summary: 'Models loaded, store reachable, not shutting down (503 otherwise)',
      errors: [503],
      response: z.object({ status: z.enum(['ready', 'not ready']), checks: z.record(z.string(), z.string()) }),
    },
    async (c) => {
      const checks: Record<string, string> = {};
      checks.models = ctx.models.list().length ? 'ok' : 'no model loaded';
      checks.store = await ctx.store
        .schemaVersion()
        .then(() => 'ok')
        .catch((e: Error) => `unreachable: ${e.message}`);
      checks.shutdown = ctx.draining ? 'draining' : 'ok';
      const ready = Object.values(checks).every((v) => v === 'ok');
      return c.json({ status: ready ? 'ready' : 'not ready', checks }, ready ? 200 : 503);
    },
  );
}
