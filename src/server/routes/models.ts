// Model versions and traffic: list what is served (anyone with a key), load / unload a version, change the split,
// promote or roll back (admin). Loading happens beside the live versions, so none of this interrupts traffic.
import { resolve } from 'node:path';
import { z } from 'zod';
import { type RouteTable, pathParam } from '../api/route.js';
import type { ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import { ServedModel, type ServedModelOptions } from '../models/served-model.js';
import { compareOnline } from '../traffic/online-comparison.js';
import { loadModelSchema, trafficSchema } from './schemas.js';

/** Mounts /v1/models and /v1/traffic. */
export function modelRoutes(routes: RouteTable, ctx: ServerContext, serving: ServedModelOptions): void {
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

  const served = { tag: 'serving', response: servedSchema } as const;
  routes.route(
    { method: 'get', path: '/v1/models', access: 'any-key', summary: 'Served model versions and the traffic split', ...served },
    (c) => c.json(describe()),
  );

  routes.route(
    {
      method: 'post',
      path: '/v1/models',
      access: 'admin',
      summary: 'Load a model version beside the live ones',
      body: loadModelSchema,
      status: 201,
      errors: [409],
      ...served,
    },
    async (c, { body }) => {
      const model = await ServedModel.load(body.name, resolve(body.dir), serving);
      try {
        ctx.models.add(model);
      } catch (e) {
        await model.close();
        throw e;
      }
      ctx.logger.log('info', 'model loaded', { requestId: c.var.requestId, model: body.name, version: model.identity.version });
      return c.json(describe(), 201);
    },
  );

  routes.route(
    {
      method: 'delete',
      path: '/v1/models/:name',
      access: 'admin',
      summary: 'Unload a version that takes no traffic',
      errors: [409],
      ...served,
    },
    async (c) => {
      const model = ctx.models.remove(pathParam(c, 'name'));
      await model.close();
      ctx.logger.log('info', 'model unloaded', { requestId: c.var.requestId, model: model.identity.name });
      return c.json(describe());
    },
  );

  routes.route(
    {
      method: 'put',
      path: '/v1/traffic',
      access: 'admin',
      summary: 'Set the traffic split between versions',
      body: trafficSchema,
      ...served,
    },
    async (c, { body }) => {
      ctx.models.setSplit(body.split);
      ctx.logger.log('info', 'traffic split changed', { requestId: c.var.requestId, split: ctx.models.split });
      return c.json(describe());
    },
  );

  routes.route(
    {
      method: 'get',
      path: '/v1/traffic/comparison',
      access: 'admin',
      tag: 'serving',
      summary: 'Online A/B comparison of two versions on judged predictions (always-valid sequential test)',
      query: z.object({
        a: z.string().optional().describe('A served version (default: the one with the most traffic)'),
        b: z.string().optional().describe('Another (default: the next)'),
        since: z.iso.datetime({ offset: true }).optional().describe('Only predictions since this ISO time'),
      }),
      errors: [404],
    },
    async (c, { query }) => {
      const split = Object.entries(ctx.models.split).sort((x, y) => y[1] - x[1]);
      const names = ctx.models.list().map((m) => m.identity.name);
      const aName = query.a ?? split[0]?.[0] ?? names[0];
      const bName = query.b ?? split[1]?.[0] ?? names.find((n) => n !== aName);
      if (!aName || !bName || aName === bName)
        throw new ServerError(400, 'BAD_REQUEST', 'a comparison needs two served versions: give ?a=<name>&b=<name>.');
      const a = ctx.models.get(aName).identity;
      const b = ctx.models.get(bName).identity;
      const since = query.since;
      return c.json(await compareOnline(ctx.store, a, b, since ? { since: new Date(since).toISOString() } : {}));
    },
  );

  routes.route(
    {
      method: 'post',
      path: '/v1/models/:name/promote',
      access: 'admin',
      summary: 'Send all traffic to this version (promotion or rollback)',
      ...served,
    },
    (c) => {
      const name = pathParam(c, 'name');
      ctx.models.promote(name);
      ctx.logger.log('info', 'model promoted', { requestId: c.var.requestId, model: name });
      return c.json(describe());
    },
  );
}

/** What /v1/models answers. */
const servedSchema = z.object({
  models: z.array(
    z.object({
      name: z.string(),
      version: z.string(),
      prompt: z.unknown(),
      task: z.unknown(),
      recipe: z.unknown(),
      labels: z.array(z.string()),
      inputs: z.unknown(),
      share: z.number(),
      queueDepth: z.number(),
    }),
  ),
  split: z.record(z.string(), z.number()),
});
