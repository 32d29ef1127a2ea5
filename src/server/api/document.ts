// The OpenAPI 3.1 document, generated from the route declarations: paths, parameters, bodies, answers and the
// statuses each route can give all come from the same zod schemas and access rules that the code runs.
import { z } from 'zod';
import { errorSchema } from '../routes/schemas.js';
import type { RouteSpec } from './route.js';

type AnySpec = RouteSpec<z.ZodType | undefined, z.ZodObject | undefined>;

const json = (schema: z.ZodType, io: 'input' | 'output') => ({
  content: { 'application/json': { schema: z.toJSONSchema(schema, { io, unrepresentable: 'any' }) } },
});

const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid request: `error.problems` names each field, the value found and the fix',
  401: 'No or unknown API key',
  403: 'The key lacks the scope this route needs',
  404: 'No such resource',
  409: 'The resource is not in a state that allows this',
  413: 'Body or text too large',
  429: 'Rate limited or saturated; see Retry-After',
  503: 'Not ready, shutting down, or the store is unreachable; see Retry-After',
};

/** The statuses a route can answer with, as its declaration implies them. */
export function routeStatuses(spec: AnySpec): number[] {
  const s = new Set<number>([spec.status ?? 200]);
  if (spec.body || spec.query) s.add(400);
  if (spec.body) s.add(413);
  if (spec.access !== 'public') for (const code of [401, 429, 503]) s.add(code);
  if (spec.access !== 'public' && spec.access !== 'any-key') s.add(403);
  if (spec.path.includes(':')) s.add(404);
  for (const e of spec.errors ?? []) s.add(e);
  return [...s].sort((a, b) => a - b);
}

/** /v1/jobs/:id as OpenAPI writes it: /v1/jobs/{id}. */
export const openApiPath = (path: string): string => path.replace(/:(\w+)/g, '{$1}');

function operation(spec: AnySpec): Record<string, unknown> {
  const params = [...spec.path.matchAll(/:(\w+)/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const query = spec.query
    ? Object.entries(spec.query.shape).map(([name, field]) => ({
        name,
        in: 'query',
        required: !(field as z.ZodType).safeParse(undefined).success,
        schema: z.toJSONSchema(field as z.ZodType, { io: 'input', unrepresentable: 'any' }),
        ...((field as z.ZodType).description ? { description: (field as z.ZodType).description } : {}),
      }))
    : [];
  const ok = spec.status ?? 200;
  const responses: Record<string, unknown> = {};
  for (const status of routeStatuses(spec)) {
    if (status === ok) {
      responses[String(status)] = {
        description: 'OK',
        ...(spec.produces
          ? { content: { [spec.produces]: { schema: { type: 'string' } } } }
          : spec.response
            ? json(spec.response, 'output')
            : {}),
      };
    } else responses[String(status)] = { description: ERROR_TEXT[status] ?? 'Error', ...json(errorSchema, 'output') };
  }
  const access =
    spec.access === 'public'
      ? 'No key needed.'
      : spec.access === 'any-key'
        ? 'Needs any valid API key.'
        : `Needs an API key with scope "${spec.access}" (admin implies all).`;
  return {
    summary: spec.summary,
    description: access,
    tags: [spec.tag],
    'x-promptune-access': spec.access,
    ...(spec.access === 'public' ? {} : { security: [{ apiKey: [] }] }),
    ...(params.length || query.length ? { parameters: [...params, ...query] } : {}),
    ...(spec.body ? { requestBody: { required: true, ...json(spec.body, 'input') } } : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of these routes. */
export function openApiDocument(specs: readonly AnySpec[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of specs) {
    const path = openApiPath(spec.path);
    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[spec.method] = operation(spec);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Promptune server', version },
    components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
