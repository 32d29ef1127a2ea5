// One declaration per route: method, path, scope, summary, and the zod schemas of its body, query and answer.
// The declaration mounts the handler (checking the scope and validating the input) and is what the OpenAPI
// document is generated from, so the document and the code cannot drift apart.
import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import { problemsFromZod } from '../../shared/index.js';
import type { ApiKeyScope } from '../../store/index.js';
import type { ServerEnv } from '../context.js';
import { ServerError } from '../errors.js';
import { requireScope } from '../middleware/auth.js';
import { readJson } from '../middleware/json-body.js';

/** Who may call a route: a scope (admin implies all), any valid key, or anyone (no key). */
export type RouteAccess = ApiKeyScope | 'any-key' | 'public';

/** A route's declaration. */
export interface RouteSpec<B extends z.ZodType | undefined = undefined, Q extends z.ZodObject | undefined = undefined> {
  method: 'get' | 'post' | 'put' | 'delete';
  /** Hono's form: /v1/jobs/:id. */
  path: string;
  access: RouteAccess;
  summary: string;
  /** Groups routes in the document (tasks, runs, serving…). */
  tag: string;
  body?: B;
  query?: Q;
  /** The answer's schema, documented under `status`. */
  response?: z.ZodType;
  /** The success status (default 200). */
  status?: 200 | 201 | 202;
  /** Error statuses the handler itself may answer, beyond the ones the declaration implies. */
  errors?: readonly (400 | 404 | 409 | 413 | 503)[];
  /** The answer's media type when it is not JSON (text/event-stream, text/plain). */
  produces?: string;
}

/** What a handler receives: the validated body and query. */
export interface RouteInput<B extends z.ZodType | undefined, Q extends z.ZodObject | undefined> {
  body: B extends z.ZodType ? z.infer<B> : undefined;
  query: Q extends z.ZodObject ? z.infer<Q> : undefined;
}

/** The routes of one server, mounted and recorded. */
export class RouteTable {
  readonly specs: RouteSpec<z.ZodType | undefined, z.ZodObject | undefined>[] = [];
  private readonly open = new Set<string>();

  constructor(
    private readonly app: Hono<ServerEnv>,
    private readonly maxBodyBytes: number,
  ) {}

  /** True for a route anyone may call without a key (health, the document). */
  isPublic(method: string, path: string): boolean {
    return this.open.has(`${method.toUpperCase()} ${path}`);
  }

  /** Mounts `handler` under `spec` and records the declaration for the document. */
  route<B extends z.ZodType | undefined = undefined, Q extends z.ZodObject | undefined = undefined>(
    spec: RouteSpec<B, Q>,
    handler: (c: Context<ServerEnv>, input: RouteInput<B, Q>) => Response | Promise<Response>,
  ): void {
    this.specs.push(spec as RouteSpec<z.ZodType | undefined, z.ZodObject | undefined>);
    if (spec.access === 'public') this.open.add(`${spec.method.toUpperCase()} ${spec.path}`);
    const run = async (c: Context<ServerEnv>) => {
      const body = spec.body ? await readJson(c, spec.body, this.maxBodyBytes) : undefined;
      const query = spec.query ? parseQuery(spec.query, c.req.query()) : undefined;
      return handler(c, { body, query } as RouteInput<B, Q>);
    };
    const access = spec.access;
    if (access === 'public' || access === 'any-key') this.app.on(spec.method.toUpperCase(), spec.path, run);
    else this.app.on(spec.method.toUpperCase(), spec.path, requireScope(access), run);
  }
}

/** The query string validated by `schema`, or a 400 naming every bad parameter. */
function parseQuery<Q extends z.ZodObject>(schema: Q, raw: Record<string, string>): z.infer<Q> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = problemsFromZod(parsed.error, raw, { fix: 'see /openapi.json for the parameters' });
  throw new ServerError(400, 'BAD_REQUEST', problems.map((p) => `?${p.path}: ${p.message}`).join('; '), undefined, problems);
}

/** A path parameter the route declares (Hono always fills it when the route matched). */
export function pathParam(c: Context<ServerEnv>, name: string): string {
  const v = c.req.param(name);
  if (v === undefined) throw new ServerError(404, 'NOT_FOUND', `no :${name} in this route's path`);
  return v;
}
