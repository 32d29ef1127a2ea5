// Integrations end to end over real HTTP on 127.0.0.1: CRM records in through POST /v1/crm/records, labels
// written back to a stand-in CRM (also when it is down at first), and signed webhook events for the review queue
// and feedback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../store/index.js';
import type { RunningServer } from './serve.js';
import { type memoryLogger, testServer, tinyClassifierDir } from './testing.js';
import { parseIntegrations } from './webhooks/config.js';
import { verifyWebhookSignature } from './webhooks/signing.js';
import { type ReceivedRequest, type StandInReceiver, standInReceiver, waitFor } from './webhooks/testing.js';

type Server = RunningServer & { store: Store; logger: ReturnType<typeof memoryLogger> };

const MODEL = tinyClassifierDir('classification', 4);
const HOOK_SECRET = 'whsec_integration_test_0123';

/** The stand-in CRM: records in memory, PATCH /records/{id} merges the JSON body into one. */
const crm = {
  records: new Map<string, Record<string, unknown>>(),
  down: false,
  /** Successful write-backs per record id. */
  writes: new Map<string, number>(),
  refused: 0,
};

let server: Server;
let crmServer: StandInReceiver;
let hooks: StandInReceiver;

function answerCrm(req: ReceivedRequest) {
  const id = decodeURIComponent(req.path.match(/^\/records\/([^/?]+)$/)?.[1] ?? '');
  if (crm.down) {
    crm.refused += 1;
    return crm.refused % 2 ? ('reset' as const) : { status: 503 };
  }
  if (req.method !== 'PATCH' || !crm.records.has(id)) return { status: 404 };
  if (req.headers.authorization !== 'Bearer crm-token') return { status: 401 };
  crm.records.set(id, { ...crm.records.get(id), ...JSON.parse(req.body) });
  crm.writes.set(id, (crm.writes.get(id) ?? 0) + 1);
  return { status: 200, body: '{"ok":true}' };
}

async function post(path: string, body: unknown, url = server.url): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

type Result = {
  id: string;
  prediction: { id: string; label: string | null; confidence: number };
  writeBack: { deliveryId: string; status: string };
};

beforeAll(async () => {
  crmServer = await standInReceiver(answerCrm);
  hooks = await standInReceiver(() => ({ status: 200 }));
  const integrations = parseIntegrations(
    {
      webhooks: [
        { name: 'ops', url: `${hooks.url}/hook`, secret: HOOK_SECRET, events: ['prediction.review_needed', 'feedback.created'] },
      ],
      crm: {
        inputs: { text: 'description' },
        writeBack: {
          url: `${crmServer.url}/records/{id}`,
          headers: { Authorization: 'Bearer ${CRM_TOKEN}' },
          body: {
            ai_label: '{label}',
            ai_confidence: '{confidence}',
            ai_prediction: '{predictionId}',
            ai_model: '{model}@{modelVersion}',
          },
        },
      },
      delivery: { timeoutMs: 1000, baseDelayMs: 100, maxDelayMs: 400, pollMs: 20, maxAttempts: 20 },
    },
    'test integrations',
    { CRM_TOKEN: 'crm-token' },
  );
  // reviewBelow 1: every prediction joins the review queue, so each one raises prediction.review_needed.
  server = await testServer([{ name: 'live', dir: MODEL }], { authDisabled: true, reviewBelow: 1, integrations });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await server?.store.close();
  await crmServer?.close();
  await hooks?.close();
});

function addRecords(ids: string[]): { id: string; fields: Record<string, string> }[] {
  return ids.map((id, i) => {
    const fields = { description: `Customer ${i} says the tea was ${i % 2 ? 'stale' : 'lovely'}.`, owner: 'ana' };
    crm.records.set(id, { ...fields });
    return { id, fields };
  });
}

describe('CRM integration', () => {
  it('predicts each record and writes every label back to the CRM, once', async () => {
    const records = addRecords(['1001', '1002', '1003', '1004', '1005']);
    const r = await post('/v1/crm/records', { records });
    expect(r.status).toBe(200);
    expect(r.json.model).toMatchObject({ name: 'live' });
    const results = r.json.results as Result[];
    expect(results.map((x) => x.id)).toEqual(records.map((x) => x.id));
    await waitFor(() => records.every((x) => crm.writes.has(x.id)), 'the CRM to get every record');
    // The CRM answers before the dispatcher records the delivery: wait for the store to say so too.
    await waitFor(
      async () =>
        (await Promise.all(results.map((x) => server.store.webhooks.get(x.writeBack.deliveryId)))).every(
          (d) => d.status === 'delivered',
        ),
      'every write-back recorded as delivered',
    );
    const version = (r.json.model as { version: string }).version;
    for (const x of results) {
      expect(crm.records.get(x.id)).toMatchObject({
        ai_label: x.prediction.label,
        ai_confidence: x.prediction.confidence,
        ai_prediction: x.prediction.id,
        ai_model: `live@${version}`,
        owner: 'ana',
      });
      expect(x.writeBack.status).toBe('queued');
      expect(await server.store.webhooks.get(x.writeBack.deliveryId)).toMatchObject({ status: 'delivered', attempts: 1 });
      expect((await server.store.predictions.get(x.prediction.id)).input).toEqual({
        text: records.find((y) => y.id === x.id)?.fields.description,
      });
    }
    expect(records.map((x) => crm.writes.get(x.id))).toEqual([1, 1, 1, 1, 1]);
    const write = crmServer.requests.find((q) => q.path === '/records/1001');
    expect(write?.headers['promptune-delivery']).toBe(results[0]?.writeBack.deliveryId);
    expect(write?.headers['content-type']).toBe('application/json');
  });

  it('keeps results through a CRM outage: they arrive after retries, none lost or duplicated', async () => {
    crm.down = true;
    const records = addRecords(['acct/1', 'acct 2', 'acct-3', 'acct-4']);
    const r = await post('/v1/crm/records', { records });
    expect(r.status).toBe(200);
    const ids = (r.json.results as Result[]).map((x) => x.writeBack.deliveryId);
    await waitFor(
      async () => (await Promise.all(ids.map((id) => server.store.webhooks.get(id)))).every((d) => d.attempts >= 2),
      'two failed attempts per write-back',
    );
    expect(records.some((x) => crm.writes.has(x.id))).toBe(false);
    crm.down = false;
    await waitFor(
      async () => (await Promise.all(ids.map((id) => server.store.webhooks.get(id)))).every((d) => d.status === 'delivered'),
      'every write-back after the outage',
    );
    expect(records.map((x) => crm.writes.get(x.id))).toEqual([1, 1, 1, 1]);
    for (const x of r.json.results as Result[]) expect(crm.records.get(x.id)?.ai_prediction).toBe(x.prediction.id);
    expect(crm.refused).toBeGreaterThanOrEqual(8);
    expect(await server.store.webhooks.list({ status: 'failed' })).toEqual([]);
    const retries = server.logger.lines.filter((l) => l.msg === 'webhook retry' && l.endpoint === 'crm');
    expect(retries.length).toBeGreaterThanOrEqual(8);
  });

  it('refuses bad records with the field, the value and the fix', async () => {
    const bad = async (body: unknown, status: number, message: string | RegExp) => {
      const r = await post('/v1/crm/records', body);
      expect(r.status).toBe(status);
      expect((r.json.error as { message: string }).message).toMatch(message);
    };
    await bad(
      { records: [{ id: 'x1', fields: { body: 'no description' } }] },
      400,
      'records.0.fields.description: missing in record "x1" — the CRM mapping feeds the model\'s "text" from field "description": send it (an empty string is allowed). Fields sent: body.',
    );
    await bad(
      {
        records: [
          { id: 'x1', fields: { description: 'a' } },
          { id: 'x1', fields: { description: 'b' } },
        ],
      },
      400,
      'records.1.id: "x1" is also records.0.id — send each record once per request (both would be written back).',
    );
    await bad(
      { records: [{ id: 'x1', fields: { description: 'y'.repeat(3000) } }] },
      413,
      /records\.0\.fields\.description has 3000 characters/,
    );
    await bad({ records: [] }, 400, /^records: Too small/);
    await bad(
      { records: [{ id: 'x1', text: 'a' }] },
      400,
      // Every problem, not only the first.
      /^records\.0\.fields: Invalid input: expected record, received undefined — got missing; records\.0: Unrecognized key: "text"/,
    );
  });
});

describe('webhook events', () => {
  it('sends prediction.review_needed and feedback.created, signed', async () => {
    const before = hooks.requests.length;
    const p = await post('/v1/predict', { text: 'The honey was perfect.' });
    const id = (p.json.prediction as { id: string }).id;
    const fb = await post('/v1/feedback', { predictionId: id, correctLabel: 'great' });
    expect(fb.status).toBe(201);
    const of = (type: string) =>
      hooks.requests
        .slice(before)
        .filter((q) => q.headers['promptune-event'] === type)
        .map((q) => ({ q, body: JSON.parse(q.body) }));
    await waitFor(() => of('feedback.created').length === 1 && of('prediction.review_needed').length === 1, 'both events');
    const review = of('prediction.review_needed')[0];
    expect(review?.body).toMatchObject({
      type: 'prediction.review_needed',
      data: { id, input: { text: 'The honey was perfect.' }, modelVersion: expect.stringMatching(/^live@/) },
    });
    const feedback = of('feedback.created')[0];
    expect(feedback?.body.data).toMatchObject({ id: fb.json.id, predictionId: id, correctLabel: 'great' });
    for (const e of [review, feedback])
      expect(verifyWebhookSignature(HOOK_SECRET, e?.q.headers['promptune-signature'] as string, e?.q.body as string).ok).toBe(
        true,
      );
  });
});

describe('without or with a wrong CRM mapping', () => {
  it('answers 404 without one, and refuses to start when the mapping does not fit the models', async () => {
    const plain = await testServer([{ name: 'live', dir: MODEL }], { authDisabled: true });
    try {
      const r = await post('/v1/crm/records', { records: [{ id: '1', fields: {} }] }, plain.url);
      expect(r.status).toBe(404);
      expect((r.json.error as { message: string }).message).toContain('promptune serve --integrations <file>');
    } finally {
      await plain.close();
      await plain.store.close();
    }
    const wrong = parseIntegrations(
      { crm: { inputs: { body: 'description' }, writeBack: { url: 'http://127.0.0.1:9/records/{id}', body: {} } } },
      't',
      {},
    );
    await expect(testServer([{ name: 'live', dir: MODEL }], { integrations: wrong })).rejects.toThrow(
      'integrations file: crm.inputs maps body, but model "live" reads text: add crm.inputs.text: <record field>.',
    );
  }, 30_000);
});
