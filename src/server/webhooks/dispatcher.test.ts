// The dispatcher against stand-in receivers on 127.0.0.1: retries with growing back-off through a 500, a timeout
// and a 429 with Retry-After to exactly one success; giving up; a clean stop mid-delivery; and two processes
// sharing one outbox without sending anything twice.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Store, openStore } from '../../store/index.js';
import type { Logger } from '../monitoring/logger.js';
import { type DeliveryPolicy, parseIntegrations } from './config.js';
import { WebhookDispatcher, parseRetryAfter, retryDelayMs } from './dispatcher.js';
import { verifyWebhookSignature } from './signing.js';
import { type StandInAnswer, type StandInReceiver, standInReceiver, waitFor } from './testing.js';

const SECRET = 'whsec_dispatcher_test_0123';
const POLICY: DeliveryPolicy = { maxAttempts: 8, timeoutMs: 300, baseDelayMs: 100, maxDelayMs: 5000, pollMs: 20, concurrency: 4 };

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

type TestLogger = Logger & { lines: Record<string, unknown>[] };

function logger(): TestLogger {
  const lines: Record<string, unknown>[] = [];
  return { lines, log: (level, msg, fields = {}) => lines.push({ level, msg, ...fields }) };
}

async function freshStore(file?: string): Promise<Store> {
  const store = await openStore(`sqlite:${file ?? join(mkdtempSync(join(tmpdir(), 'pt-webhooks-')), 'store.db')}`);
  cleanup.push(() => store.close());
  return store;
}

async function receiver(answer: (index: number) => StandInAnswer | Promise<StandInAnswer>): Promise<StandInReceiver> {
  const r = await standInReceiver((_, i) => answer(i));
  cleanup.push(() => r.close());
  return r;
}

/** A started dispatcher with one endpoint, "ops", subscribed to everything. */
function dispatcher(store: Store, url: string, policy: Partial<DeliveryPolicy> = {}): { d: WebhookDispatcher; log: TestLogger } {
  const config = parseIntegrations({ webhooks: [{ name: 'ops', url: `${url}/hooks`, secret: SECRET, events: ['*'] }] }, 't', {});
  const log = logger();
  const d = new WebhookDispatcher({
    store,
    endpoints: config.webhooks,
    policy: { ...POLICY, ...policy },
    logger: log,
    random: () => 0.5,
  });
  cleanup.push(() => d.stop());
  d.start();
  return { d, log };
}

const settled = async (store: Store) => (await store.webhooks.list({ status: 'pending' })).length === 0;

describe('webhook dispatcher', () => {
  it('retries through a 500, a timeout and a 429 with Retry-After, then delivers exactly once, signed', async () => {
    const store = await freshStore();
    const answers: StandInAnswer[] = [
      { status: 500, body: '{"error":"boom"}' },
      'hang',
      { status: 429, headers: { 'retry-after': '1' } },
      { status: 204 },
    ];
    const r = await receiver((i) => answers[i] ?? { status: 200 });
    const { d, log } = dispatcher(store, r.url);
    await d.emit({ type: 'feedback.created', data: { rating: 1 } });
    const [queued] = await store.webhooks.list();
    await waitFor(() => settled(store), 'the delivery', 10_000);

    expect(r.requests).toHaveLength(4);
    const delivery = await store.webhooks.get(queued?.id as string);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 4, endpoint: 'ops', lastError: 'HTTP 429' });
    for (const req of r.requests) {
      expect(req).toMatchObject({ method: 'POST', path: '/hooks' });
      expect(req.headers['promptune-event']).toBe('feedback.created');
      expect(req.headers['promptune-delivery']).toBe(queued?.id);
      expect(verifyWebhookSignature(SECRET, req.headers['promptune-signature'] as string, req.body)).toMatchObject({
        ok: true,
      });
      expect(JSON.parse(req.body)).toMatchObject({
        id: expect.stringMatching(/^evt_/),
        type: 'feedback.created',
        data: { rating: 1 },
      });
    }
    // The same event every time: a receiver drops duplicates by Promptune-Delivery or the event id.
    expect(new Set(r.requests.map((q) => q.body)).size).toBe(1);

    const retries = log.lines.filter((l) => l.msg === 'webhook retry');
    expect(retries.map((l) => [l.attempt, l.error])).toEqual([
      [1, 'HTTP 500: {"error":"boom"}'],
      [2, 'no answer within 300 ms'],
      [3, 'HTTP 429'],
    ]);
    // Back-off grows (equal jitter, pinned here at its midpoint), and Retry-After outranks it.
    expect(retries.map((l) => l.delayMs)).toEqual([75, 150, 1000]);
    const gaps = r.requests.slice(1).map((q, i) => q.at - (r.requests[i] as { at: number }).at);
    expect(gaps[0]).toBeGreaterThanOrEqual(70);
    expect(gaps[1]).toBeGreaterThanOrEqual(300 + 150 - 5);
    expect(gaps[2]).toBeGreaterThanOrEqual(1000 - 5);
    expect(log.lines.filter((l) => l.msg === 'webhook delivered')).toHaveLength(1);
  }, 20_000);

  it('gives up after the last attempt, or at once when the receiver says the request is wrong', async () => {
    const store = await freshStore();
    const r = await receiver(() => ({ status: 503 }));
    const gone = await receiver(() => ({ status: 410, body: 'gone' }));
    const { d, log } = dispatcher(store, r.url, { maxAttempts: 3, baseDelayMs: 20 });
    await d.emit({ type: 'drift.alert', data: { model: 'live' } });
    await d.send([{ endpoint: 'ops', url: `${gone.url}/x`, eventType: 'drift.alert', payload: {} }]);
    await waitFor(() => settled(store), 'both deliveries to end', 10_000);
    const failed = await store.webhooks.list({ status: 'failed' });
    expect(failed.map((f) => [f.attempts, f.lastError]).sort()).toEqual([
      [1, 'HTTP 410: gone'],
      [3, 'HTTP 503'],
    ]);
    expect(r.requests).toHaveLength(3);
    expect(gone.requests).toHaveLength(1);
    const errors = log.lines.filter((l) => l.msg === 'webhook failed');
    expect(errors.map((l) => l.level)).toEqual(['error', 'error']);
    expect(errors.map((l) => l.reason).sort()).toEqual([
      'gave up after 3 attempts',
      'the receiver refused it; retrying cannot help',
    ]);
  });

  it('stops cleanly: a delivery in flight finishes and is recorded, nothing new starts', async () => {
    const store = await freshStore();
    let arrived = false;
    const r = await receiver(async () => {
      arrived = true;
      await new Promise((res) => setTimeout(res, 250));
      return { status: 200 };
    });
    const { d } = dispatcher(store, r.url, { pollMs: 10 });
    await d.emit({ type: 'feedback.created', data: { n: 1 } });
    await waitFor(() => arrived, 'the request to arrive');
    await d.stop();
    expect((await store.webhooks.list()).map((x) => x.status)).toEqual(['delivered']);
    await d.emit({ type: 'feedback.created', data: { n: 2 } });
    await new Promise((res) => setTimeout(res, 100));
    expect(r.requests).toHaveLength(1);
    // Queued while stopped: still in the outbox for the next start.
    expect((await store.webhooks.list({ status: 'pending' })).length).toBe(1);
  });

  it('two processes on one outbox deliver every event exactly once', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pt-webhooks-')), 'shared.db');
    const [one, two] = [await freshStore(file), await freshStore(file)];
    const r = await receiver(() => ({ status: 200 }));
    const a = dispatcher(one, r.url, { concurrency: 2 });
    const b = dispatcher(two, r.url, { concurrency: 2 });
    await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a.d : b.d).emit({ type: 'feedback.created', data: { i } })));
    await waitFor(() => settled(one), 'all 30 deliveries', 15_000);
    const ids = r.requests.map((q) => q.headers['promptune-delivery']);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
    const senders = [a, b].map((x) => x.log.lines.filter((l) => l.msg === 'webhook delivered').length);
    expect((senders[0] ?? 0) + (senders[1] ?? 0)).toBe(30);
  });
});

describe('retry timing', () => {
  it('back-off doubles up to the cap, with equal jitter', () => {
    const policy = { baseDelayMs: 1000, maxDelayMs: 8000 };
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(policy, n, () => 0))).toEqual([500, 1000, 2000, 4000, 4000]);
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(policy, n, () => 1))).toEqual([1000, 2000, 4000, 8000, 8000]);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('7')).toBe(7000);
    expect(parseRetryAfter(new Date(Date.UTC(2030, 0, 1, 0, 0, 30)).toUTCString(), Date.UTC(2030, 0, 1))).toBe(30_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
