// The HTTP application: request ids and access logs, CORS (off unless configured), authentication and rate
// limits, the routes, and one error handler that turns every failure into a clear JSON answer.
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { RouteTable } from './api/route.js';
import type { ServerContext, ServerEnv } from './context.js';
import { ServerError, toServerError } from './errors.js';
import { authenticate } from './middleware/auth.js';
import { rateLimit } from './middleware/rate-limit.js';
import type { ServedModelOptions } from './models/served-model.js';
import { crmRoutes } from './routes/crm.js';
import { driftRoutes } from './routes/drift.js';
import { feedbackRoutes } from './routes/feedback.js';
import { healthRoutes } from './routes/health.js';
import { jobRoutes } from './routes/jobs.js';
import { modelRoutes } from './routes/models.js';
import { openApiRoutes } from './routes/openapi.js';
import { predictRoutes } from './routes/predict.js';
import { privacyRoutes } from './routes/privacy.js';
import { projectRoutes } from './routes/project.js';
import { runRoutes } from './routes/runs.js';
import { workspaceRoutes } from './routes/workspace.js';

/** Builds the Hono app over a server context. */
export function createApp(ctx: ServerContext, serving: ServedModelOptions, version = '0.1.0'): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();

  app.use('*', async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && /^[\w.-]{1,128}$/.test(incoming) ? incoming : randomUUID();
    c.set('requestId', requestId);
    const t0 = performance.now();
    await next();
    c.header('X-Request-Id', requestId);
    const seconds = (performance.now() - t0) / 1000;
    const route = c.req.routePath;
    ctx.metrics.requestSeconds.observe({ route, method: c.req.method, status: String(c.res.status) }, seconds);
    ctx.logger.log(c.res.status >= 500 ? 'error' : 'info', 'request', {
      requestId,
      method: c.req.method,
      route,
      status: c.res.status,
      ms: Math.round(seconds * 10000) / 10,
      key: c.var.apiKey?.name,
    });
  });

  if (ctx.corsOrigins.length)
    app.use('*', cors({ origin: ctx.corsOrigins, allowHeaders: ['Authorization', 'Content-Type', 'X-API-Key', 'X-Request-Id'] }));

  // Declared before the auth middleware, which asks it which routes are public.
  const routes = new RouteTable(app, ctx.limits.maxBodyBytes);
  const auth = authenticate(ctx.store, { disabled: ctx.authDisabled });
  const limit = rateLimit(ctx.limits.ratePerMinute);
  app.use('*', async (c, next) => {
    if (routes.isPublic(c.req.method, c.req.path) || c.req.method === 'OPTIONS') return next();
    if (ctx.draining)
      throw new ServerError(
        503,
        'UNAVAILABLE',
        'the server is shutting down: retry, the load balancer will send you to another.',
        1,
      );
    await auth(c, async () => {
      await limit(c, next);
    });
  });

  healthRoutes(routes, ctx);
  openApiRoutes(routes, version);
  predictRoutes(routes, ctx);
  feedbackRoutes(routes, ctx);
  modelRoutes(routes, ctx, serving);
  driftRoutes(routes, ctx);
  jobRoutes(routes, ctx);
  crmRoutes(routes, ctx);
  projectRoutes(routes, ctx);
  runRoutes(routes, ctx);
  workspaceRoutes(routes, ctx);
  privacyRoutes(routes, ctx);
  routes.route(
    {
      method: 'get',
      path: '/metrics',
      access: 'admin',
      tag: 'monitoring',
      summary: 'Prometheus metrics',
      produces: 'text/plain',
    },
    async (c) => {
      for (const m of ctx.models.list()) ctx.metrics.queueDepth.set({ model: m.identity.name }, m.queueDepth);
      return c.text(await ctx.metrics.registry.metrics(), 200, { 'Content-Type': ctx.metrics.registry.contentType });
    },
  );

  app.notFound((c) =>
    c.json(
      {
        error: {
          code: 'NOT_FOUND',
          message: `no route ${c.req.method} ${c.req.path}: see /openapi.json for the API.`,
          requestId: c.var.requestId,
        },
      },
      404,
    ),
  );
  app.onError((e, c) => {
    const err = toServerError(e);
    ctx.metrics.errors.inc({ code: err.code });
    if (err.status >= 500)
      ctx.logger.log('error', 'request failed', {
        requestId: c.var.requestId,
        error: (e as Error).message,
        stack: (e as Error).stack,
      });
    if (err.retryAfter !== undefined) c.header('Retry-After', String(err.retryAfter));
    return c.json(
      {
        error: {
          code: err.code,
          message: err.message,
          ...(err.problems?.length ? { problems: err.problems } : {}),
          requestId: c.var.requestId,
        },
      },
      err.status,
    );
  });
  return app;
}
