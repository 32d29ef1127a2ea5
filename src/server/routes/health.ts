// Liveness (the process answers) and readiness (models loaded, the store reachable, not shutting down) — what a
// load balancer or Kubernetes probes.
import type { Hono } from 'hono';
import type { ServerContext, ServerEnv } from '../context.js';

/** Mounts /health/live and /health/ready (no key needed). */
export function healthRoutes(app: Hono<ServerEnv>, ctx: ServerContext): void {
  app.get('/health/live', (c) => c.json({ status: 'ok' }));
  app.get('/health/ready', async (c) => {
    const checks: Record<string, string> = {};
    checks.models = ctx.models.list().length ? 'ok' : 'no model loaded';
    checks.store = await ctx.store
      .schemaVersion()
      .then(() => 'ok')
      .catch((e: Error) => `unreachable: ${e.message}`);
    checks.shutdown = ctx.draining ? 'draining' : 'ok';
    const ready = Object.values(checks).every((v) => v === 'ok');
    return c.json({ status: ready ? 'ready' : 'not ready', checks }, ready ? 200 : 503);
  });
}
