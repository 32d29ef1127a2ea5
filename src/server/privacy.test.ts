// Privacy over HTTP: predictions carry a subject, feedback and webhook deliveries inherit it, and an admin's
// DELETE /v1/subjects/{id} erases all of it (others untouched); a server with text retention blanks old texts on
// its sweep and keeps them out of the review queue.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../store/index.js';
import type { RunningServer } from './serve.js';
import { type memoryLogger, testServer, tinyClassifierDir } from './testing.js';
import { parseIntegrations } from './webhooks/config.js';

type Server = RunningServer & { store: Store; logger: ReturnType<typeof memoryLogger> };

const MODEL = tinyClassifierDir('prompt-mlm', 1, { runId: 'run_v1' });
const DAY = 86_400_000;
let server: Server;
let keys: { admin: string; user: string };

async function call(path: string, key: string, opts: { method?: string; body?: unknown } = {}) {
  const res = await fetch(`${server.url}${path}`, {
    method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** Every stored prediction, feedback and delivery, as JSON text. */
async function everything(): Promise<string> {
  const { store } = server;
  return JSON.stringify([await store.predictions.list(), await store.feedback.list(), await store.webhooks.list()]);
}

beforeAll(async () => {
  // An endpoint nobody listens on: deliveries stay in the outbox, retried slowly, which is what erasure must find.
  const integrations = parseIntegrations({
    webhooks: [
      {
        name: 'ops',
        url: 'http://127.0.0.1:9/hook',
        secret: 'a-test-signing-secret-0123456789',
        events: ['prediction.review_needed', 'feedback.created'],
      },
    ],
    delivery: { timeoutMs: 500, baseDelayMs: 600_000, maxDelayMs: 600_000, pollMs: 50, maxAttempts: 5 },
  });
  // reviewBelow 1: every prediction waits for review (and raises prediction.review_needed).
  server = await testServer([{ name: 'live', dir: MODEL }], { reviewBelow: 1, integrations, retainTextsMs: 30 * DAY });
  keys = {
    admin: (await server.store.apiKeys.create({ name: 'ops', scopes: ['admin'], ratePerMinute: null })).secret,
    user: (await server.store.apiKeys.create({ name: 'app', scopes: ['predict', 'feedback'], ratePerMinute: null })).secret,
  };
}, 60_000);
afterAll(async () => {
  await server?.close();
  await server?.store.close();
});

describe('privacy over HTTP', () => {
  it('stores the subject with predictions, feedback and deliveries, and DELETE /v1/subjects/{id} erases only that subject', async () => {
    const alice = await call('/v1/predict', keys.user, {
      body: { instances: [{ text: 'Alice: the tea was lovely.' }, { text: 'Alice: the bread was stale.' }], subject: 'alice-17' },
    });
    expect(alice.status).toBe(200);
    const bob = await call('/v1/predict', keys.user, { body: { text: 'Bob: the soup was bland.', subject: 'bob-4' } });
    expect(bob.status).toBe(200);
    const [a1] = alice.json.predictions as { id: string }[];
    const b1 = bob.json.prediction as { id: string };
    expect((await server.store.predictions.get(a1?.id as string)).subject).toBe('alice-17');
    for (const [p, label] of [
      [a1?.id, 'great'],
      [b1.id, 'other'],
    ])
      expect((await call('/v1/feedback', keys.user, { body: { predictionId: p, correctLabel: label } })).status).toBe(201);
    expect((await server.store.feedback.list()).map((f) => f.subject).sort()).toEqual(['alice-17', 'bob-4']);
    const deliveries = await server.store.webhooks.list();
    expect(deliveries.filter((d) => d.subject === 'alice-17')).toHaveLength(3);

    // Bounded and non-empty at the boundary.
    for (const subject of ['', 'x'.repeat(257)])
      expect((await call('/v1/predict', keys.user, { body: { text: 'hi', subject } })).status).toBe(400);

    expect((await call('/v1/subjects/alice-17', keys.user, { method: 'DELETE' })).status).toBe(403);
    const erased = await call('/v1/subjects/alice-17', keys.admin, { method: 'DELETE' });
    expect(erased).toEqual({
      status: 200,
      json: { subject: 'alice-17', deleted: { predictions: 2, feedback: 1, webhook_deliveries: 3 } },
    });
    const left = await everything();
    for (const trace of ['alice-17', 'Alice', a1?.id as string]) expect(left).not.toContain(trace);
    expect(left).toContain('Bob: the soup was bland.');
    expect(await server.store.predictions.list()).toHaveLength(1);
    expect((await server.store.webhooks.list()).filter((d) => d.subject === 'bob-4')).toHaveLength(2);
    // Erasing again (or a subject never seen) deletes nothing and succeeds.
    expect((await call('/v1/subjects/alice-17', keys.admin, { method: 'DELETE' })).json.deleted).toEqual({
      predictions: 0,
      feedback: 0,
      webhook_deliveries: 0,
    });
    // The route is in the document, admin-scoped.
    const doc = (await call('/openapi.json', keys.admin)).json as { paths: Record<string, Record<string, unknown>> };
    expect(doc.paths['/v1/subjects/{id}']?.delete).toBeDefined();
  });

  it('blanks texts past the retention on its sweep, keeps the rows, and keeps them out of the review queue', async () => {
    expect(server.retention).toBeDefined();
    const fresh = await call('/v1/predict', keys.user, { body: { text: 'Carol: the honey was perfect.' } });
    const freshId = (fresh.json.prediction as { id: string }).id;
    const queued = (await call('/v1/review', keys.user)).json.predictions as { id: string }[];
    expect(queued.map((p) => p.id)).toContain(freshId);
    // As if 31 days had passed: everything stored so far is past the 30-day window.
    const report = await server.retention?.sweep(new Date(Date.now() + 31 * DAY));
    expect(report?.blanked.predictions).toBe(2);
    expect(report?.blanked.feedback).toBe(1);
    expect(await everything()).not.toContain('the honey was perfect');
    expect(await everything()).not.toContain('Bob: the soup');
    const kept = await server.store.predictions.get(freshId);
    expect(kept).toMatchObject({ input: null, modelVersion: 'live@run_v1', review: 'pending' });
    expect(kept.confidence).toBeGreaterThan(0);
    expect(((await call('/v1/review', keys.user)).json.predictions as unknown[]).length).toBe(0);
    expect(server.logger.lines.some((l) => l.msg === 'stored texts past retention blanked')).toBe(true);
  });
});
