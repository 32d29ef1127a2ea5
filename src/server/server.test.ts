// The model server end to end over real HTTP on 127.0.0.1: predictions with identities, batching, back-pressure,
// keys and scopes, rate limits, hostile bodies, feedback and the review queue, traffic splits, metrics, logs and
// graceful shutdown.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClassifier } from '../core/train/index.js';
import type { Store } from '../store/index.js';
import type { RunningServer } from './serve.js';
import { type memoryLogger, testServer, tinyClassifierDir } from './testing.js';

type Server = RunningServer & { store: Store; logger: ReturnType<typeof memoryLogger> };

const V1 = tinyClassifierDir('prompt-mlm', 1, { runId: 'run_v1' });
const V2 = tinyClassifierDir('classification', 2);
const REVIEWS = ['The tea was lovely.', 'The bread was stale.', 'The soup was bland.', 'The honey was perfect.'];

let server: Server;
let keys: Record<'admin' | 'predict' | 'feedback' | 'slow', string>;

async function call(
  path: string,
  opts: { method?: string; key?: string | null; body?: unknown; raw?: Buffer | string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; json: Record<string, unknown>; text: string }> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
  const key = opts.key === undefined ? keys.admin : opts.key;
  if (key) headers.authorization = `Bearer ${key}`;
  const res = await fetch(`${server.url}${path}`, {
    method: opts.method ?? (opts.body !== undefined || opts.raw !== undefined ? 'POST' : 'GET'),
    headers,
    body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, json, text };
}

const errorOf = (r: { json: Record<string, unknown> }) => r.json.error as { code: string; message: string; requestId: string };

beforeAll(async () => {
  server = await testServer([
    { name: 'v1', dir: V1 },
    { name: 'v2', dir: V2 },
  ]);
  const make = async (name: string, scopes: ('predict' | 'feedback' | 'admin')[], ratePerMinute?: number) =>
    (await server.store.apiKeys.create({ name, scopes, ratePerMinute: ratePerMinute ?? null })).secret;
  keys = {
    admin: await make('ops', ['admin']),
    predict: await make('web', ['predict']),
    feedback: await make('crm', ['predict', 'feedback']),
    slow: await make('trial', ['predict'], 3),
  };
}, 60_000);
afterAll(async () => {
  await server?.close();
  await server?.store.close();
});

describe('promptune serve', () => {
  it('predicts one example and a batch, with model, version, prompt and an id, matching the model in process', async () => {
    const one = await call('/v1/predict', { key: keys.predict, body: { text: REVIEWS[0] } });
    expect(one.status).toBe(200);
    const local = loadClassifier(V1);
    const expected = local.predict(REVIEWS.map((text) => ({ text })));
    local.dispose();
    expect(one.json.model).toEqual({ name: 'v1', version: 'run_v1' });
    expect(one.json.prompt).toMatch(/^[0-9a-f]{64}$/);
    const p = one.json.prediction as { id: string; label: string; probs: Record<string, number>; notSure: boolean };
    expect(p.id).toMatch(/^pred_/);
    expect(p.label).toBe(expected[0]?.label);
    expect(p.probs.great).toBeCloseTo(expected[0]?.probs.great as number, 5);

    const batch = await call('/v1/predict', { key: keys.predict, body: { instances: REVIEWS.map((text) => ({ text })) } });
    const preds = batch.json.predictions as { probs: Record<string, number> }[];
    expect(preds).toHaveLength(4);
    preds.forEach((q, i) => expect(q.probs.other).toBeCloseTo(expected[i]?.probs.other as number, 5));
    const v2 = await call('/v1/predict', { body: { inputs: { text: REVIEWS[1] }, model: 'v2' } });
    expect(v2.json.model).toMatchObject({ name: 'v2', version: expect.stringMatching(/^sha-[0-9a-f]{12}$/) });
    expect(v2.json.prompt).toBeNull();
    expect((await server.store.predictions.get(p.id)).modelVersion).toBe('v1@run_v1');
  });

  it('batches concurrent requests into shared forward passes', async () => {
    const before = await batchCount();
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) => call('/v1/predict', { body: { text: `${REVIEWS[i % 4]} ${i}`, model: 'v1' } })),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const batches = (await batchCount()) - before;
    expect(batches).toBeLessThan(24);
    expect(batches).toBeGreaterThan(0);
  });

  it('refuses work beyond its queue with 429 and Retry-After, and keeps serving', async () => {
    const small = await testServer([{ name: 'v1', dir: V1 }], {
      authDisabled: true,
      batching: { maxBatch: 2, maxWaitMs: 50, maxQueue: 4, threads: 1 },
    });
    try {
      const post = (n: number) =>
        fetch(`${small.url}/v1/predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ instances: Array.from({ length: n }, (_, i) => ({ text: `review ${i}` })) }),
        });
      const tooBig = await post(5);
      expect(tooBig.status).toBe(429);
      expect(Number(tooBig.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(((await tooBig.json()) as { error: { code: string } }).error.code).toBe('SATURATED');
      const flood = await Promise.all(Array.from({ length: 30 }, () => post(1)));
      const statuses = flood.map((r) => r.status);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
      expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
      expect((await post(1)).status).toBe(200);
    } finally {
      await small.close();
      await small.store.close();
    }
  });

  it('needs a key with the right scope, and says which', async () => {
    const none = await call('/v1/predict', { key: null, body: { text: 'x' } });
    expect(none.status).toBe(401);
    expect(errorOf(none).message).toContain('Authorization: Bearer');
    expect((await call('/v1/predict', { key: 'ptk_wrong', body: { text: 'x' } })).status).toBe(401);
    const x = await call('/v1/predict', { key: keys.predict, body: { text: 'x' } });
    const noScope = await call('/v1/feedback', {
      key: keys.predict,
      body: { predictionId: (x.json.prediction as { id: string }).id, rating: 1 },
    });
    expect(noScope.status).toBe(403);
    expect(errorOf(noScope).message).toBe(
      'API key "web" has scopes predict; this route needs "feedback": use a key with that scope.',
    );
    expect((await call('/metrics', { key: keys.predict })).status).toBe(403);
    expect((await call('/v1/traffic', { method: 'PUT', key: keys.feedback, body: { split: { v2: 1 } } })).status).toBe(403);
    expect((await call('/health/ready', { key: null })).status).toBe(200);
    expect((await call('/openapi.json', { key: null })).status).toBe(200);
    const viaHeader = await call('/v1/models', { key: null, headers: { 'x-api-key': keys.predict } });
    expect(viaHeader.status).toBe(200);
  });

  it('rate-limits each key with 429 and Retry-After', async () => {
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < 4; i++) {
      last = await call('/v1/models', { key: keys.slow });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(errorOf(last as Awaited<ReturnType<typeof call>>).code).toBe('RATE_LIMITED');
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await call('/v1/models', { key: keys.predict })).status).toBe(200);
  });

  it('answers hostile or malformed requests with a clear 4xx and stays up', async () => {
    const bad = async (opts: Parameters<typeof call>[1], status: number, code: string, message?: RegExp) => {
      const r = await call('/v1/predict', opts);
      expect(r.status).toBe(status);
      expect(errorOf(r).code).toBe(code);
      if (message) expect(errorOf(r).message).toMatch(message);
      expect(errorOf(r).requestId).toBe(r.headers.get('x-request-id'));
    };
    await bad({ raw: '{"text": "unterminated' }, 400, 'BAD_JSON', /not valid JSON/);
    await bad(
      { raw: Buffer.from([0x7b, 0x22, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]) },
      400,
      'BAD_UTF8',
    );
    await bad({ raw: JSON.stringify({ text: 'x'.repeat(100_000) }) }, 413, 'BODY_TOO_LARGE');
    await bad({ body: { text: 'y'.repeat(3000) } }, 413, 'TEXT_TOO_LONG', /over the limit of 2000/);
    await bad({ body: { txt: 'typo' } }, 400, 'BAD_REQUEST', /txt/);
    await bad(
      { body: { text: 'a', instances: [{ text: 'b' }] } },
      400,
      'BAD_REQUEST',
      /exactly one of text, inputs or instances/,
    );
    await bad({ body: { inputs: { body: 'no text field' } } }, 400, 'BAD_REQUEST', /inputs\.text: missing/);
    await bad({ body: { text: 'x', model: 'v9' } }, 404, 'NOT_FOUND', /use one of v1, v2/);
    await bad({ body: { instances: Array.from({ length: 65 }, () => ({ text: 'x' })) } }, 413, 'BODY_TOO_LARGE');
    await bad({ body: [1, 2] }, 400, 'BAD_REQUEST');
    const chunked = await new Promise<number>((resolve, reject) => {
      // No Content-Length: the limit must hold while streaming.
      const u = new URL(`${server.url}/v1/predict`);
      const req = request(
        { host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { authorization: `Bearer ${keys.admin}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 100; i++) req.write('x'.repeat(1024));
      req.end();
    });
    expect(chunked).toBe(413);
    expect((await call('/nowhere')).status).toBe(404);
    expect((await call('/health/live', { key: null })).status).toBe(200);
  });

  it('records feedback by prediction id, and unsure predictions wait in the review queue', async () => {
    const answer = await call('/v1/predict', { key: keys.feedback, body: { text: 'The rice was soggy.' } });
    const id = (answer.json.prediction as { id: string }).id;
    const fb = await call('/v1/feedback', { key: keys.feedback, body: { predictionId: id, correctLabel: 'other', rating: -1 } });
    expect(fb.status).toBe(201);
    const stored = await server.store.feedback.get(fb.json.id as string);
    expect(stored).toMatchObject({ predictionId: id, modelVersion: 'v1@run_v1', correctLabel: 'other', author: 'crm' });
    expect(stored.input).toEqual({ text: 'The rice was soggy.' });
    const wrongLabel = await call('/v1/feedback', { key: keys.feedback, body: { predictionId: id, correctLabel: 'meh' } });
    expect(errorOf(wrongLabel).message).toBe('correctLabel: "meh" is not a label of this model — use one of great, other.');
    expect((await call('/v1/feedback', { body: { predictionId: 'pred_nope', rating: 1 } })).status).toBe(404);
    expect((await call('/v1/feedback', { body: { predictionId: id } })).status).toBe(400);

    const unsure = await testServer([{ name: 'careful', dir: tinyClassifierDir('classification', 3, { abstainBelow: 0.999 }) }], {
      authDisabled: true,
      reviewBelow: 0.9,
    });
    try {
      const r = await fetch(`${unsure.url}/v1/predict`, { method: 'POST', body: JSON.stringify({ text: 'The tea was fine.' }) });
      const pred = ((await r.json()) as { prediction: { id: string; label: string | null; notSure: boolean } }).prediction;
      expect(pred).toMatchObject({ label: null, notSure: true });
      const queue = (await (await fetch(`${unsure.url}/v1/review`)).json()) as { predictions: { id: string }[] };
      expect(queue.predictions.map((p) => p.id)).toEqual([pred.id]);
      const labelled = await fetch(`${unsure.url}/v1/review/${pred.id}`, {
        method: 'POST',
        body: JSON.stringify({ label: 'great' }),
      });
      expect(labelled.status).toBe(201);
      const after = (await (await fetch(`${unsure.url}/v1/review`)).json()) as { predictions: unknown[] };
      expect(after.predictions).toEqual([]);
      const examples = await unsure.store.feedback.exportExamples('reviews');
      expect(examples.map((e) => [e.input, e.label, e.provenance.labelSource])).toEqual([
        [{ text: 'The tea was fine.' }, 'great', 'correction'],
      ]);
    } finally {
      await unsure.close();
      await unsure.store.close();
    }
  });

  it('splits traffic sticky by key, honours pins, promotes and rolls back without a restart', async () => {
    const put = await call('/v1/traffic', { method: 'PUT', body: { split: { v1: 50, v2: 50 } } });
    expect(put.json.split).toEqual({ v1: 0.5, v2: 0.5 });
    const versionFor = async (routingKey: string) =>
      ((await call('/v1/predict', { body: { text: 'x', routingKey } })).json.model as { name: string }).name;
    const seen = new Map<string, string>();
    for (let i = 0; i < 16; i++) seen.set(`customer-${i}`, await versionFor(`customer-${i}`));
    expect(new Set(seen.values())).toEqual(new Set(['v1', 'v2']));
    for (const [k, v] of [...seen].slice(0, 5)) expect(await versionFor(k)).toBe(v);
    expect(
      ((await call('/v1/predict', { body: { text: 'x', model: 'v1', routingKey: 'customer-0' } })).json.model as { name: string })
        .name,
    ).toBe('v1');

    expect((await call('/v1/models/v1', { method: 'DELETE' })).status).toBe(409);
    await call('/v1/models/v2/promote', { method: 'POST' });
    expect(new Set(await Promise.all([...seen.keys()].map(versionFor)))).toEqual(new Set(['v2']));
    await call('/v1/models/v1/promote', { method: 'POST' });
    expect(await versionFor('customer-1')).toBe('v1');
    const models = await call('/v1/models', { key: keys.predict });
    expect((models.json.models as { name: string; share: number }[]).map((m) => [m.name, m.share])).toEqual([
      ['v1', 1],
      ['v2', 0],
    ]);
  });

  it('exposes Prometheus metrics and JSON logs without texts or secrets', async () => {
    const m = await call('/metrics');
    expect(m.status).toBe(200);
    expect(m.text).toMatch(/promptune_predictions_total\{model="v1",version="run_v1",label="(great|other)"\} \d+/);
    expect(m.text).toMatch(
      /promptune_http_request_duration_seconds_bucket\{le="0.005",route="\/v1\/predict",method="POST",status="200"\}/,
    );
    expect(m.text).toContain('promptune_batch_size_bucket');
    expect(m.text).toContain('promptune_queue_depth{model="v1"} 0');
    expect(m.text).toMatch(/promptune_errors_total\{code="BAD_JSON"\} 1/);
    const log = JSON.stringify(server.logger.lines);
    expect(log).not.toContain('lovely');
    for (const secret of Object.values(keys)) expect(log).not.toContain(secret);
    const line = server.logger.lines.find((l) => l.msg === 'request' && l.route === '/v1/predict');
    expect(line).toMatchObject({ level: 'info', method: 'POST', status: 200, key: expect.any(String) });
    const doc = (await call('/openapi.json', { key: null })).json as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/predict', '/v1/feedback', '/v1/traffic', '/metrics']));
  });

  it('shuts down gracefully: in-flight work finishes, readiness fails, then the port closes', async () => {
    const s = await testServer([{ name: 'v1', dir: V1 }], {
      authDisabled: true,
      batching: { maxBatch: 8, maxWaitMs: 200, maxQueue: 64, threads: 1 },
    });
    const inFlight = fetch(`${s.url}/v1/predict`, {
      method: 'POST',
      body: JSON.stringify({ instances: Array.from({ length: 8 }, (_, i) => ({ text: `review ${i}` })) }),
    });
    await new Promise((r) => setTimeout(r, 50));
    const closing = s.close();
    expect(s.context.draining).toBe(true);
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { predictions: unknown[] }).predictions).toHaveLength(8);
    await closing;
    await expect(fetch(`${s.url}/health/live`)).rejects.toThrow();
    await s.store.close();
  });
});

async function batchCount(): Promise<number> {
  const text = (await call('/metrics')).text;
  const m = text.match(/promptune_batch_size_count\{model="v1"\} (\d+)/);
  return Number(m?.[1] ?? 0);
}
