// Every route answers as the generated OpenAPI document says: each mounted route is in the document, and each
// documented operation refuses a missing key (401) and a key without its scope (403) when it needs one, and
// answers an admin's request — bad or empty input, unknown ids — only with a status the document lists.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiKeyScope } from '../../store/index.js';
import { testServer, tinyClassifierDir } from '../testing.js';

const V1 = tinyClassifierDir('prompt-mlm', 11, { runId: 'run_v1' });
const V2 = tinyClassifierDir('prompt-mlm', 12, { runId: 'run_v2' });

let server: Awaited<ReturnType<typeof testServer>>;
const keys: Partial<Record<ApiKeyScope, string>> = {};

interface Operation {
  responses: Record<string, unknown>;
  'x-promptune-access': ApiKeyScope | 'any-key' | 'public';
  requestBody?: unknown;
}

beforeAll(async () => {
  server = await testServer([
    { name: 'v1', dir: V1 },
    { name: 'v2', dir: V2 },
  ]);
  for (const scope of ['predict', 'feedback', 'admin'] as const)
    keys[scope] = (await server.store.apiKeys.create({ name: `only-${scope}`, scopes: [scope] })).secret;
}, 60_000);
afterAll(async () => {
  await server?.close();
  await server?.store.close();
});

async function call(method: string, path: string, key: string | undefined, body?: unknown): Promise<number> {
  const res = await fetch(`${server.url}${path}`, {
    method: method.toUpperCase(),
    headers: { ...(key ? { Authorization: `Bearer ${key}` } : {}), 'Content-Type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  // Streams (SSE) are cancelled once their status is known.
  await res.body?.cancel();
  return res.status;
}

describe('the API as documented', () => {
  it('documents every mounted route and answers each operation with a documented status and scope', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, Operation>>;
    };
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    expect([...server.mountedRoutes].sort()).toEqual([...documented].sort());
    expect(documented.length).toBeGreaterThan(15);

    const otherScope: Record<ApiKeyScope, ApiKeyScope> = { predict: 'feedback', feedback: 'predict', admin: 'predict' };
    for (const [template, ops] of Object.entries(doc.paths)) {
      const path = template.replace(/\{\w+\}/g, 'nope');
      for (const [method, op] of Object.entries(ops)) {
        const where = `${method.toUpperCase()} ${template}`;
        const statuses = Object.keys(op.responses).map(Number);
        const access = op['x-promptune-access'];
        const body = op.requestBody ? {} : undefined;
        if (access !== 'public') {
          expect(await call(method, path, undefined, body), `${where} without a key`).toBe(401);
          expect(statuses, where).toContain(401);
        }
        if (access === 'predict' || access === 'feedback' || access === 'admin') {
          expect(await call(method, path, keys[otherScope[access]], body), `${where} with a key lacking "${access}"`).toBe(403);
          expect(statuses, where).toContain(403);
        }
        const status = await call(method, path, keys.admin, body);
        expect(statuses, `${where} answered ${status}`).toContain(status);
      }
    }
  }, 120_000);
});
