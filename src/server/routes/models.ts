// Model versions and traffic: list what is served (anyone with a key), load / unload a version, change the split,
// promote or roll back (admin). Loading happens beside the live versions, so none of this interrupts traffic.
import { resolve } from 'node:path';
import type { Hono } from 'hono';
import type { ServerContext, ServerEnv } from '../context.js';
import { ServerError } from '../errors.js';
import { requireScope } from '../middleware/auth.js';
import { readJson } from '../middleware/json-body.js';
import { ServedModel, type ServedModelOptions } from '../models/served-model.js';
import { compareOnline } from '../traffic/online-comparison.js';
import { loadModelSchema, trafficSchema } from './schemas.js';

/** Mounts /v1/models and /v1/traffic. */
export function modelRoutes(app: Hono<ServerEnv>, ctx: ServerContext, serving: ServedModelOptions): void {
  const describe = () => ({
    models: ctx.models.list().map((m) => ({
      name: m.identity.name,
      version: m.identity.version,
      prompt: m.identity.prompt,
      task: m.meta.task,
      recipe: m.meta.recipe,
      labels: m.meta.labels,
      inputs: m.meta.inputs,
      share: ctx.models.share(m.identity.name),
      queueDepth: m.queueDepth,
    })),
    split: ctx.models.split,
  });

  app.get('/v1/models', async (c) => c.json(describe()));

  app.post('/v1/models', requireScope('admin'), async (c) => {
    const body = await readJson(c, loadModelSchema, ctx.limits.maxBodyBytes);
    const model = await ServedModel.load(body.name, resolve(body.dir), serving);
    try {
      ctx.models.add(model);
    } catch (e) {
      await model.close();
      throw e;
    }
    ctx.logger.log('info', 'model loaded', { requestId: c.var.requestId, model: body.name, version: model.identity.version });
    return c.json(describe(), 201);
  });

  app.delete('/v1/models/:name', requireScope('admin'), async (c) => {
    const model = ctx.models.remove(c.req.param('name'));
    await model.close();
    ctx.logger.log('info', 'model unloaded', { requestId: c.var.requestId, model: model.identity.name });
    return c.json(describe());
  });

  app.put('/v1/traffic', requireScope('admin'), async (c) => {
    const body = await readJson(c, trafficSchema, ctx.limits.maxBodyBytes);
    ctx.models.setSplit(body.split);
    ctx.logger.log('info', 'traffic split changed', { requestId: c.var.requestId, split: ctx.models.split });
    return c.json(describe());
  });

  app.get('/v1/traffic/comparison', requireScope('admin'), async (c) => {
    const split = Object.entries(ctx.models.split).sort((x, y) => y[1] - x[1]);
    const served = ctx.models.list().map((m) => m.identity.name);
    const aName = c.req.query('a') ?? split[0]?.[0] ?? served[0];
    const bName = c.req.query('b') ?? split[1]?.[0] ?? served.find((n) => n !== aName);
    if (!aName || !bName || aName === bName)
      throw new ServerError(400, 'BAD_REQUEST', 'a comparison needs two served versions: give ?a=<name>&b=<name>.');
    const a = ctx.models.get(aName).identity;
    const b = ctx.models.get(bName).identity;
    const since = c.req.query('since');
    if (since !== undefined && Number.isNaN(Date.parse(since)))
      throw new ServerError(400, 'BAD_REQUEST', `since=${since}: give an ISO time, e.g. 2026-11-24T00:00:00Z.`);
    return c.json(await compareOnline(ctx.store, a, b, since ? { since: new Date(since).toISOString() } : {}));
  });

  app.post('/v1/models/:name/promote', requireScope('admin'), async (c) => {
    ctx.models.promote(c.req.param('name'));
    ctx.logger.log('info', 'model promoted', { requestId: c.var.requestId, model: c.req.param('name') });
    return c.json(describe());
  });
}
