// GET /v1/drift: each served model's recent traffic against its reference profile — now, over a window the
// caller picks (default: the monitor's), plus the last scheduled check.
import { z } from 'zod';
import type { RouteTable } from '../api/route.js';
import type { ServerContext } from '../context.js';
import { modelDrift } from '../monitoring/drift-monitor.js';

/** Mounts GET /v1/drift (admin). */
export function driftRoutes(routes: RouteTable, ctx: ServerContext): void {
  const query = z.object({
    window: z.coerce.number().positive().optional().describe("The window in seconds (default: the monitor's), e.g. 3600"),
  });
  routes.route(
    {
      method: 'get',
      path: '/v1/drift',
      access: 'admin',
      tag: 'monitoring',
      summary: "Drift of recent traffic against each model's reference profile",
      query,
    },
    async (c, { query }) => {
      const windowSeconds = query.window ?? ctx.drift.options.windowSeconds;
      const opts = { ...ctx.drift.options, windowSeconds };
      const models = await Promise.all(ctx.models.list().map((m) => modelDrift(ctx.store, m, opts)));
      return c.json({ threshold: opts.threshold, models, lastCheck: Object.fromEntries(ctx.drift.latest) });
    },
  );
}
