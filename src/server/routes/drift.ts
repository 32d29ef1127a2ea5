// GET /v1/drift: each served model's recent traffic against its reference profile — now, over a window the
// caller picks (default: the monitor's), plus the last scheduled check.
import type { Hono } from 'hono';
import type { ServerContext, ServerEnv } from '../context.js';
import { ServerError } from '../errors.js';
import { requireScope } from '../middleware/auth.js';
import { modelDrift } from '../monitoring/drift-monitor.js';

/** Mounts GET /v1/drift (admin). */
export function driftRoutes(app: Hono<ServerEnv>, ctx: ServerContext): void {
  app.get('/v1/drift', requireScope('admin'), async (c) => {
    const raw = c.req.query('window');
    const windowSeconds = raw === undefined ? ctx.drift.options.windowSeconds : Number(raw);
    if (!(Number.isFinite(windowSeconds) && windowSeconds > 0))
      throw new ServerError(400, 'BAD_REQUEST', `window=${raw}: give the window in seconds, e.g. window=3600.`);
    const opts = { ...ctx.drift.options, windowSeconds };
    const models = await Promise.all(ctx.models.list().map((m) => modelDrift(ctx.store, m, opts)));
    return c.json({ threshold: opts.threshold, models, lastCheck: Object.fromEntries(ctx.drift.latest) });
  });
}
