// The shared suite: every test runs against SQLite (a temp file) and PostgreSQL (a fresh database on a
// throw-away cluster, or on the server PROMPTUNE_TEST_PG_URL names), so both backends behave identically.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { hashApiKey } from './api-keys.js';
import type { Driver } from './driver.js';
import { sqlJobQueue } from './jobs/index.js';
import { type Migration, migrate } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';
import { openDriver, openStore } from './open.js';
import type { Store } from './store.js';
import { sampleTask, sha, storeError } from './testing/fixtures.js';
import { createTestDatabase, startTestPostgres } from './testing/postgres.js';

const pg = await startTestPostgres();
if (pg && pg.startupMs > 0) console.info(`store tests: throw-away PostgreSQL started in ${Math.round(pg.startupMs)} ms`);
const tmp = mkdtempSync(join(tmpdir(), 'pt-store-'));
afterAll(async () => {
  await pg?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

let files = 0;
const backends = [
  { name: 'sqlite', available: true, fresh: async () => join(tmp, `store-${++files}.db`) },
  { name: 'postgres', available: pg !== undefined, fresh: () => createTestDatabase((pg as { url: string }).url) },
];

describe.each(backends)('store on $name', (backend) => {
  if (!backend.available) {
    it.skip('needs PostgreSQL (see the message printed above)', () => {});
    return;
  }
  let url: string;
  let store: Store;
  const opened: (Store | Driver)[] = [];
  const open = async (): Promise<Store> => {
    const s = await openStore(url);
    opened.push(s);
    return s;
  };

  beforeEach(async () => {
    url = await backend.fresh();
    store = await open();
    await store.tasks.upsert(sampleTask('reviews'));
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });

  /** A saved dataset with `n` rows. */
  async function dataset(name: string, n = 3, parentHash?: string) {
    const rows = Array.from({ length: n }, (_, i) => ({ text: `${name} ${i}`, label: i % 2 ? 'positive' : 'negative' }));
    const { dataset } = await store.datasets.insert({
      hash: sha(name),
      taskId: 'reviews',
      role: name,
      source: `${name}.csv`,
      parentHash,
      labelCounts: { negative: Math.ceil(n / 2), positive: Math.floor(n / 2) },
      rows,
    });
    return dataset;
  }

  /** A saved prompt version. */
  async function prompt(template: string, parentHash?: string, hash = sha(template)) {
    const { version } = await store.prompts.save({
      hash,
      taskId: 'reviews',
      name: 'cloze',
      parentHash,
      author: 'ana',
      note: `try "${template}"`,
      spec: { template, verbalizer: { negative: ['bad'], positive: ['good'] } },
    });
    return version;
  }

  describe('migrations', () => {
    it('a fresh database gets every migration once; re-running is a no-op', async () => {
      expect(await store.schemaVersion()).toBe(MIGRATIONS.length);
      const driver = await openDriver(url);
      opened.push(driver);
      expect(await migrate(driver, url)).toEqual({ applied: [], version: MIGRATIONS.length });
      await (await open()).close();
      expect(await store.schemaVersion()).toBe(MIGRATIONS.length);
    });

    it('two processes opening a new database at once migrate it once', async () => {
      url = await backend.fresh();
      const drivers = await Promise.all([openDriver(url), openDriver(url), openDriver(url)]);
      opened.push(...drivers);
      const reports = await Promise.all(drivers.map((d) => migrate(d, url)));
      // Each migration once, by whichever process got the lock first (so not necessarily in list order).
      expect(reports.flatMap((r) => r.applied).sort((a, b) => a - b)).toEqual(MIGRATIONS.map((m) => m.version));
    });

    it('refuses an applied migration that was changed', async () => {
      const driver = await openDriver(url);
      opened.push(driver);
      const edited: Migration[] = [
        { ...(MIGRATIONS[0] as Migration), statements: ['CREATE TABLE tasks (id TEXT PRIMARY KEY)'] },
        ...MIGRATIONS.slice(1),
      ];
      const e = await storeError(migrate(driver, 'the test store', edited));
      expect(e.code).toBe('STORE_MIGRATION');
      expect(e.message).toMatch(
        /^migration 1 \("initial"\) differs from the one applied to the test store \(checksum [0-9a-f]{12} there, [0-9a-f]{12} here\)\. Applied migrations must never change: restore the original and put the change in a new migration\.$/,
      );
    });

    it('refuses a database written by a newer Promptune', async () => {
      const driver = await openDriver(url);
      opened.push(driver);
      const future: Migration = {
        version: MIGRATIONS.length + 1,
        name: 'future',
        statements: ['CREATE TABLE future_things (id TEXT PRIMARY KEY)'],
      };
      await migrate(driver, url, [...MIGRATIONS, future]);
      const e = await storeError(openStore(url));
      expect(e.code).toBe('STORE_TOO_NEW');
      expect(e.message).toBe(
        `the store at ${url} has schema version ${future.version} ("future"), but this Promptune knows only up to version ${MIGRATIONS.length}: upgrade Promptune (npm install promptune@latest), or use another store (PROMPTUNE_STORE_URL).`,
      );
    });

    it('applies each migration in a transaction: a failing one leaves nothing behind', async () => {
      const driver = await openDriver(url);
      opened.push(driver);
      const broken: Migration = {
        version: MIGRATIONS.length + 1,
        name: 'broken',
        statements: [
          'CREATE TABLE half_done (id TEXT PRIMARY KEY)',
          'CREATE TABLE oops (id TEXT REFERENCES nowhere_at_all (id), x',
        ],
      };
      expect((await storeError(migrate(driver, url, [...MIGRATIONS, broken]))).code).toBe('STORE_QUERY');
      expect(await store.schemaVersion()).toBe(MIGRATIONS.length);
      expect((await storeError(driver.query('SELECT id FROM half_done'))).code).toBe('STORE_QUERY');
    });
  });

  describe('tasks', () => {
    it('round-trips, updates in place and lists by name', async () => {
      const first = await store.tasks.get('reviews');
      expect(first.spec).toEqual(sampleTask('reviews'));
      expect(first.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect((await store.tasks.upsert(sampleTask('reviews'))).updatedAt).toBe(first.updatedAt);
      await new Promise((r) => setTimeout(r, 5));
      const changed = await store.tasks.upsert(sampleTask('reviews', 'find angry customers'));
      expect(changed.spec.objective).toBe('find angry customers');
      expect(changed.createdAt).toBe(first.createdAt);
      expect(changed.updatedAt > first.updatedAt).toBe(true);
      await store.tasks.upsert(sampleTask('alerts'));
      expect((await store.tasks.list()).map((t) => t.id)).toEqual(['alerts', 'reviews']);
      expect(await store.tasks.find('nope')).toBeUndefined();
      expect((await storeError(store.tasks.get('nope'))).code).toBe('STORE_NOT_FOUND');
    });
  });

  describe('datasets', () => {
    it('round-trips a version and reads its rows back in order', async () => {
      const d = await dataset('train', 1200);
      expect(d).toMatchObject({ hash: sha('train'), taskId: 'reviews', role: 'train', source: 'train.csv', rowCount: 1200 });
      expect(d.labelCounts).toEqual({ negative: 600, positive: 600 });
      const rows = (await store.datasets.rows(d.hash)) as { text: string }[];
      expect(rows.map((r) => r.text)).toEqual(Array.from({ length: 1200 }, (_, i) => `train ${i}`));
      expect(await store.datasets.rows(d.hash, { offset: 9, limit: 3 })).toEqual([
        { text: 'train 9', label: 'positive' },
        { text: 'train 10', label: 'negative' },
        { text: 'train 11', label: 'positive' },
      ]);
      expect(await store.datasets.rows(d.hash, { offset: 1199 })).toHaveLength(1);
      expect((await storeError(store.datasets.rows(sha('missing')))).code).toBe('STORE_NOT_FOUND');
    });

    it('insert is idempotent on the hash', async () => {
      const first = await store.datasets.insert({
        hash: sha('dev'),
        taskId: 'reviews',
        role: 'dev',
        source: 'dev.csv',
        labelCounts: { positive: 1 },
        rows: [{ text: 'great', label: 'positive' }],
      });
      const again = await store.datasets.insert({
        hash: sha('dev'),
        taskId: 'reviews',
        role: 'dev',
        source: 'a copy of dev.csv',
        labelCounts: { positive: 1 },
        rows: [{ text: 'great', label: 'positive' }],
      });
      expect(first.created).toBe(true);
      expect(again.created).toBe(false);
      expect(again.dataset).toEqual(first.dataset);
      expect(await store.datasets.rows(sha('dev'))).toHaveLength(1);
      const clash = await storeError(
        store.datasets.insert({ hash: sha('dev'), taskId: 'reviews', role: 'dev', source: 'x', labelCounts: {}, rows: [] }),
      );
      expect(clash.code).toBe('STORE_CONFLICT');
    });

    it('derived versions point at their parent; lists by task, role and parent; finds by short hash', async () => {
      const train = await dataset('train', 10);
      const kshot = await dataset('k-shot-4-seed-42', 4, train.hash);
      expect(kshot.parentHash).toBe(train.hash);
      expect((await store.datasets.list('reviews')).map((d) => d.role).sort()).toEqual(['k-shot-4-seed-42', 'train']);
      expect((await store.datasets.list('reviews', { role: 'train' })).map((d) => d.hash)).toEqual([train.hash]);
      expect((await store.datasets.list('reviews', { parentHash: train.hash })).map((d) => d.hash)).toEqual([kshot.hash]);
      expect(await store.datasets.get(kshot.hash.slice(0, 7))).toEqual(kshot);
      const orphan = await storeError(dataset('orphan', 1, sha('no such parent')));
      expect(orphan.code).toBe('STORE_NOT_FOUND');
      expect(orphan.message).toContain(
        `dataset ${sha('orphan')} parentHash: dataset "${sha('no such parent')}" is not in the store`,
      );
      expect(await store.datasets.find(sha('orphan'))).toBeUndefined();
    });
  });

  describe('prompt versions', () => {
    it('keeps a history chain through parents, newest first', async () => {
      const v1 = await prompt('{text} It was {mask}.');
      const v2 = await prompt('{text} All in all, it was {mask}.', v1.hash);
      const v3 = await prompt('Review: {text} Overall: {mask}.', v2.hash);
      await prompt('{text} Sibling of v2: {mask}.', v1.hash);
      expect((await store.prompts.history(v3.hash)).map((v) => v.hash)).toEqual([v3.hash, v2.hash, v1.hash]);
      expect((await store.prompts.history(v1.hash)).map((v) => v.hash)).toEqual([v1.hash]);
      expect(await store.prompts.get(v2.hash)).toEqual(v2);
      expect(v2).toMatchObject({
        name: 'cloze',
        author: 'ana',
        parentHash: v1.hash,
        spec: { template: '{text} All in all, it was {mask}.' },
      });
      expect(await store.prompts.list('reviews')).toHaveLength(4);
      const again = await store.prompts.save({ hash: v1.hash, taskId: 'reviews', name: 'cloze', spec: v1.spec });
      expect(again.created).toBe(false);
    });

    it('finds a version by short hash, and lists the candidates when a prefix is ambiguous', async () => {
      const a = await prompt('A {text} {mask}', undefined, `abcd1${'0'.repeat(59)}`);
      await prompt('B {text} {mask}', undefined, `abcd2${'0'.repeat(59)}`);
      expect(await store.prompts.get('abcd1')).toEqual(a);
      expect(await store.prompts.get('ABCD1')).toEqual(a);
      const e = await storeError(store.prompts.get('abcd'));
      expect(e.code).toBe('STORE_AMBIGUOUS');
      expect(e.message.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<time>')).toBe(
        '"abcd" starts 2 prompt versions; give more digits:\n  abcd10000000  cloze  <time>\n  abcd20000000  cloze  <time>',
      );
      expect((await storeError(store.prompts.get('ffff'))).code).toBe('STORE_NOT_FOUND');
      expect((await storeError(store.prompts.get('ab'))).code).toBe('STORE_INVALID');
    });
  });

  describe('evaluations', () => {
    it('round-trips and queries by task, prompt (either side of an A/B test), dataset and kind', async () => {
      const a = await prompt('{text} It was {mask}.');
      const b = await prompt('{text} All in all, it was {mask}.', a.hash);
      const dev = await dataset('dev');
      const zero = await store.evaluations.record({
        taskId: 'reviews',
        kind: 'zero-shot',
        promptHashes: [a.hash],
        datasetHash: dev.hash,
        modelRef: 'hf:distilroberta-base@abc123',
        metrics: { 'macro-f1': 0.71, accuracy: 0.74 },
        details: {
          confusion: [
            [10, 2],
            [3, 9],
          ],
        },
      });
      const ab = await store.evaluations.record({
        taskId: 'reviews',
        kind: 'ab-test',
        promptHashes: [a.hash, b.hash],
        datasetHash: dev.hash,
        metrics: { delta: 0.03 },
      });
      expect(await store.evaluations.get(zero.id)).toEqual(zero);
      expect(zero).toMatchObject({
        promptHashes: [a.hash],
        modelRef: 'hf:distilroberta-base@abc123',
        details: {
          confusion: [
            [10, 2],
            [3, 9],
          ],
        },
      });
      expect(ab.promptHashes).toEqual([a.hash, b.hash]);
      expect(ab.details).toBeNull();
      expect((await store.evaluations.list({ taskId: 'reviews' })).map((e) => e.id)).toEqual([ab.id, zero.id]);
      expect((await store.evaluations.list({ promptHash: b.hash })).map((e) => e.id)).toEqual([ab.id]);
      expect((await store.evaluations.list({ promptHash: a.hash })).map((e) => e.id)).toEqual([ab.id, zero.id]);
      expect((await store.evaluations.list({ datasetHash: dev.hash, kind: 'zero-shot' })).map((e) => e.id)).toEqual([zero.id]);
      expect(await store.evaluations.list({ limit: 1 })).toHaveLength(1);
    });

    it('refuses unknown references and non-finite metrics, naming them', async () => {
      const missing = await storeError(
        store.evaluations.record({
          taskId: 'reviews',
          kind: 'zero-shot',
          promptHashes: [sha('unsaved')],
          metrics: { accuracy: 1 },
        }),
      );
      expect(missing.code).toBe('STORE_NOT_FOUND');
      expect(missing.message).toBe(
        `evaluation: prompt "${sha('unsaved')}" is not in the store: save it first with store.prompts.save(…).`,
      );
      const nan = await storeError(
        store.evaluations.record({ taskId: 'reviews', kind: 'search', metrics: { accuracy: Number.NaN } }),
      );
      expect(nan.message).toBe('evaluation metric "accuracy" is NaN: metrics must be finite numbers.');
      expect(await store.evaluations.list()).toEqual([]);
    });
  });

  describe('feedback', () => {
    it('round-trips, lists, and exports corrections and confirmations with provenance', async () => {
      const p = await prompt('{text} It was {mask}.');
      const base = { taskId: 'reviews', promptHash: p.hash, modelVersion: 'reviews@3', author: 'sam' };
      const corrected = await store.feedback.record({
        ...base,
        input: { text: 'not bad at all' },
        prediction: 'negative',
        correctLabel: 'positive',
        rating: -1,
        comment: 'negation',
      });
      await store.feedback.record({ ...base, input: { text: 'awful' }, prediction: 'negative', rating: 1 });
      await store.feedback.record({ ...base, input: { text: 'meh' }, prediction: 'positive', rating: -1 });
      await store.feedback.record({ ...base, input: { text: 'hmm' }, comment: 'unclear' });
      // A later verdict on the same input replaces the earlier one.
      await store.feedback.record({ ...base, input: { text: 'fine' }, prediction: 'positive', rating: 1 });
      const later = await store.feedback.record({
        ...base,
        input: { text: 'fine' },
        prediction: 'positive',
        correctLabel: 'negative',
      });

      expect(await store.feedback.get(corrected.id)).toEqual(corrected);
      expect(corrected).toMatchObject({
        input: { text: 'not bad at all' },
        rating: -1,
        comment: 'negation',
        correctLabel: 'positive',
      });
      expect((await store.feedback.list({ taskId: 'reviews' }))[0]?.id).toBe(later.id);
      expect(await store.feedback.list({ promptHash: p.hash, limit: 2 })).toHaveLength(2);

      const examples = await store.feedback.exportExamples('reviews');
      expect(examples.map((e) => [e.input, e.label, e.provenance.labelSource])).toEqual([
        [{ text: 'not bad at all' }, 'positive', 'correction'],
        [{ text: 'awful' }, 'negative', 'confirmation'],
        [{ text: 'fine' }, 'negative', 'correction'],
      ]);
      expect(examples[0]?.provenance).toEqual({
        feedbackId: corrected.id,
        labelSource: 'correction',
        promptHash: p.hash,
        modelVersion: 'reviews@3',
        prediction: 'negative',
        rating: -1,
        author: 'sam',
        createdAt: corrected.createdAt,
      });
      expect(await store.feedback.exportExamples('reviews', { since: '2000-01-01T00:00:00.000Z' })).toHaveLength(3);
      expect(await store.feedback.exportExamples('reviews', { since: '2999-01-01T00:00:00.000Z' })).toEqual([]);
    });

    it('refuses a rating outside -1/0/1 and feedback that says nothing', async () => {
      expect((await storeError(store.feedback.record({ taskId: 'reviews', input: {}, rating: 5 as 1 }))).message).toBe(
        'feedback rating 5 must be -1 (wrong), 0 (unsure) or 1 (right).',
      );
      expect((await storeError(store.feedback.record({ taskId: 'reviews', input: {} }))).code).toBe('STORE_INVALID');
    });
  });

  describe('predictions', () => {
    it('records a batch, reads by id, lists by review state and window, and feedback can name one', async () => {
      const base = { taskId: 'reviews', modelVersion: 'reviews@3', probs: { positive: 0.9, negative: 0.1 } };
      const [sure, unsure] = await store.predictions.recordMany([
        { ...base, input: { text: 'lovely' }, label: 'positive', confidence: 0.9 },
        { ...base, input: { text: 'hmm' }, label: null, confidence: 0.55, review: 'pending', apiKeyId: 'key_1' },
      ]);
      expect(await store.predictions.get((sure as { id: string }).id)).toEqual(sure);
      expect(unsure).toMatchObject({ label: null, review: 'pending', apiKeyId: 'key_1', input: { text: 'hmm' } });
      expect((await store.predictions.list({ review: 'pending' })).map((p) => p.id)).toEqual([unsure?.id]);
      expect(await store.predictions.list({ taskId: 'reviews', until: '2000-01-01T00:00:00.000Z' })).toEqual([]);
      expect(await store.predictions.list({ since: '2000-01-01T00:00:00.000Z', limit: 1 })).toHaveLength(1);
      await store.predictions.setReview(unsure?.id as string, 'done');
      expect(await store.predictions.list({ review: 'pending' })).toEqual([]);

      const fb = await store.feedback.record({
        taskId: 'reviews',
        predictionId: unsure?.id,
        input: { text: 'hmm' },
        correctLabel: 'negative',
      });
      expect((await store.feedback.get(fb.id)).predictionId).toBe(unsure?.id);
      const missing = await storeError(
        store.feedback.record({ taskId: 'reviews', predictionId: 'pred_nope', input: {}, rating: 1 }),
      );
      expect(missing.message).toBe('feedback names prediction "pred_nope", which is not in the store.');
      expect((await storeError(store.predictions.get('pred_nope'))).code).toBe('STORE_NOT_FOUND');
      expect((await storeError(store.predictions.recordMany([{ ...base, input: {}, label: 'x', confidence: 2 }]))).message).toBe(
        'prediction confidence 2 must be a probability in [0, 1].',
      );
    });
  });

  describe('API keys', () => {
    it('stores only a hash, verifies the secret, lists and revokes', async () => {
      const { key, secret } = await store.apiKeys.create({ name: 'crm', scopes: ['predict', 'feedback'], ratePerMinute: 600 });
      expect(secret).toMatch(/^ptk_[A-Za-z0-9_-]{43}$/);
      expect(key).toMatchObject({ name: 'crm', scopes: ['predict', 'feedback'], ratePerMinute: 600, revokedAt: null });
      const driver = await openDriver(url);
      opened.push(driver);
      const rows = await driver.query('SELECT * FROM api_keys');
      expect(JSON.stringify(rows)).not.toContain(secret);
      expect(rows[0]?.key_hash).toBe(hashApiKey(secret));
      expect(await store.apiKeys.verify(secret)).toEqual(key);
      expect(await store.apiKeys.verify(`${secret}x`)).toBeUndefined();
      expect((await storeError(store.apiKeys.create({ name: 'crm', scopes: ['admin'] }))).code).toBe('STORE_CONFLICT');
      expect((await storeError(store.apiKeys.create({ name: 'x', scopes: ['root' as 'admin'] }))).message).toBe(
        'API key scopes ["root"]: give one or more of predict, feedback, admin.',
      );
      expect((await store.apiKeys.revoke('crm')).revokedAt).not.toBeNull();
      expect(await store.apiKeys.verify(secret)).toBeUndefined();
      expect((await storeError(store.apiKeys.revoke('crm'))).code).toBe('STORE_NOT_FOUND');
      const again = await store.apiKeys.create({ name: 'crm', scopes: ['admin'] });
      expect((await store.apiKeys.list()).map((k) => k.id)).toEqual([again.key.id, key.id]);
    });
  });

  describe('webhook outbox', () => {
    const delivery = (n: number, endpoint = 'ops') => ({
      endpoint,
      url: `http://127.0.0.1:9/hook/${n}`,
      eventType: 'feedback.created',
      payload: { n, text: 'ünïcode ✓' },
    });

    it('enqueues, claims what is due with a lease, and records delivered / retry / failed under that lease', async () => {
      const [a, b, c] = await store.webhooks.enqueue([delivery(1), { ...delivery(2), method: 'PATCH' }, delivery(3)]);
      expect(a).toMatchObject({ status: 'pending', attempts: 0, method: 'POST', leaseOwner: null, payload: { n: 1 } });
      expect(await store.webhooks.get((a as { id: string }).id)).toEqual(a);
      const later = await store.webhooks.enqueue([{ ...delivery(4), notBefore: '2999-01-01T00:00:00.000Z' }]);

      const claimed = await store.webhooks.claimDue({ owner: 'p1', leaseMs: 60_000, endpoints: ['ops'] });
      expect(claimed.map((d) => d.id)).toEqual([a?.id, b?.id, c?.id]);
      expect(claimed[1]).toMatchObject({ method: 'PATCH', leaseOwner: 'p1' });
      expect(await store.webhooks.claimDue({ owner: 'p2', leaseMs: 60_000, endpoints: ['ops'] })).toEqual([]);

      expect(await store.webhooks.markDelivered(a?.id as string, 'p2')).toBe(false);
      expect(await store.webhooks.markDelivered(a?.id as string, 'p1')).toBe(true);
      expect(await store.webhooks.markDelivered(a?.id as string, 'p1')).toBe(false);
      const before = Date.now();
      expect(await store.webhooks.scheduleRetry(b?.id as string, 'p1', { afterMs: 1000, error: 'HTTP 500' })).toBe(true);
      expect(await store.webhooks.markFailed(c?.id as string, 'p1', 'x'.repeat(5000))).toBe(true);

      expect(await store.webhooks.get(a?.id as string)).toMatchObject({ status: 'delivered', attempts: 1, leaseOwner: null });
      expect((await store.webhooks.get(a?.id as string)).deliveredAt).not.toBeNull();
      expect(await store.webhooks.get(b?.id as string)).toMatchObject({
        status: 'pending',
        attempts: 1,
        lastError: 'HTTP 500',
      });
      // A second from the database's now (the same machine's clock here, so within the time this call took).
      const retryAt = Date.parse((await store.webhooks.get(b?.id as string)).nextAttemptAt);
      expect(retryAt).toBeGreaterThanOrEqual(before + 1000 - 5);
      expect(retryAt).toBeLessThanOrEqual(Date.now() + 1000 + 5);
      const failed = await store.webhooks.get(c?.id as string);
      expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
      expect(failed.lastError?.length).toBeLessThan(2100);

      // Not due yet; then due (a later clock), and the lease expires so another process may take it over.
      expect(await store.webhooks.claimDue({ owner: 'p2', leaseMs: 1000, endpoints: ['ops'] })).toEqual([]);
      const soon = new Date(Date.now() + 2000);
      const [retry] = await store.webhooks.claimDue({ owner: 'p2', leaseMs: 1000, endpoints: ['ops'], now: soon });
      expect(retry?.id).toBe(b?.id);
      const afterLease = new Date(soon.getTime() + 1500);
      const [takeover] = await store.webhooks.claimDue({ owner: 'p3', leaseMs: 1000, endpoints: ['ops'], now: afterLease });
      expect(takeover?.id).toBe(b?.id);
      expect(await store.webhooks.markDelivered(b?.id as string, 'p2')).toBe(false);
      expect(await store.webhooks.release(b?.id as string, 'p3')).toBe(true);
      expect(await store.webhooks.get(b?.id as string)).toMatchObject({ status: 'pending', attempts: 1, leaseOwner: null });

      expect((await store.webhooks.list({ status: 'pending' })).map((d) => d.id)).toEqual([later[0]?.id, b?.id]);
      expect(await store.webhooks.list({ endpoint: 'nobody' })).toEqual([]);
      expect(await store.webhooks.list({ limit: 1 })).toHaveLength(1);
      expect(await store.webhooks.claimDue({ owner: 'p1', leaseMs: 1000, endpoints: [] })).toEqual([]);
      expect((await storeError(store.webhooks.get('dlv_nope'))).code).toBe('STORE_NOT_FOUND');
      expect((await storeError(store.webhooks.enqueue([{ ...delivery(5), method: 'GET' as 'POST' }]))).message).toBe(
        'webhook delivery 0: method "GET" — use one of POST, PUT, PATCH.',
      );
    });

    it('claims only the endpoints a process knows', async () => {
      await store.webhooks.enqueue([delivery(1, 'ops'), delivery(2, 'crm')]);
      const mine = await store.webhooks.claimDue({ owner: 'p1', leaseMs: 60_000, endpoints: ['crm'] });
      expect(mine.map((d) => d.endpoint)).toEqual(['crm']);
    });

    it('two processes claiming at once never get the same delivery', async () => {
      const n = 40;
      await store.webhooks.enqueue(Array.from({ length: n }, (_, i) => delivery(i)));
      const other = await open();
      const claimer = async (s: Store, owner: string) => {
        const got: string[] = [];
        for (let round = 0; round < n; round++) {
          const batch = await s.webhooks.claimDue({ owner, leaseMs: 60_000, limit: 3, endpoints: ['ops'] });
          if (!batch.length) break;
          // Never more than asked for: each claim leases at most `limit` rows, in the database too.
          expect(batch.length).toBeLessThanOrEqual(3);
          got.push(...batch.map((d) => d.id));
        }
        return got;
      };
      const [one, two, three] = await Promise.all([claimer(store, 'p1'), claimer(other, 'p2'), claimer(other, 'p3')]);
      const all = [...(one ?? []), ...(two ?? []), ...(three ?? [])];
      expect(all).toHaveLength(n);
      expect(new Set(all).size).toBe(n);
      expect((one ?? []).length).toBeGreaterThan(0);
      const owners = new Map((await store.webhooks.list()).map((d) => [d.id, d.leaseOwner]));
      for (const id of one ?? []) expect(owners.get(id)).toBe('p1');
      for (const id of two ?? []) expect(owners.get(id)).toBe('p2');
    });

    it('one claim leases exactly its limit', async () => {
      await store.webhooks.enqueue(Array.from({ length: 6 }, (_, i) => delivery(i)));
      expect(await store.webhooks.claimDue({ owner: 'p1', leaseMs: 60_000, limit: 2, endpoints: ['ops'] })).toHaveLength(2);
      expect((await store.webhooks.list()).filter((d) => d.leaseOwner === 'p1')).toHaveLength(2);
    });
  });

  describe('jobs', () => {
    it('claims the oldest job once, renews and completes under the lease, retries failures, then gives up', async () => {
      expect(store.jobs.engine).toBe(backend.name === 'sqlite' ? 'sql' : 'pg-boss');
      const a = await store.jobs.enqueue('score', { input: 'a.csv' }, { retryDelayMs: 0 });
      const b = await store.jobs.enqueue('score', { input: 'b.csv' }, { maxAttempts: 1 });
      await store.jobs.enqueue('retrain', {});
      const first = await store.jobs.claim('w1', ['score'], 60_000);
      expect(first).toMatchObject({ id: a.id, status: 'running', workerId: 'w1', attempts: 1, payload: { input: 'a.csv' } });
      expect(await store.jobs.heartbeat(a.id, 'w1', 60_000, { rows: 10 })).toBe(true);
      expect(await store.jobs.heartbeat(a.id, 'w2', 60_000)).toBe(false);
      expect(await store.jobs.fail(a.id, 'w1', 'disk full')).toBe(true);
      expect(await store.jobs.get(a.id)).toMatchObject({ status: 'queued', error: 'disk full', progress: { rows: 10 } });
      const again = await store.jobs.claim('w2', ['score'], 60_000);
      expect(again).toMatchObject({ id: a.id, attempts: 2, workerId: 'w2' });
      expect(await store.jobs.complete(a.id, 'w1', { rows: 1 })).toBe(false);
      expect(await store.jobs.complete(a.id, 'w2', { rows: 12 })).toBe(true);
      expect(await store.jobs.get(a.id)).toMatchObject({ status: 'completed', result: { rows: 12 } });
      expect((await store.jobs.claim('w1', ['score'], 60_000))?.id).toBe(b.id);
      expect(await store.jobs.fail(b.id, 'w1', 'bad file')).toBe(true);
      expect((await store.jobs.get(b.id)).status).toBe('failed');
      expect(await store.jobs.claim('w1', ['score'], 60_000)).toBeUndefined();
      expect((await store.jobs.list({ kind: 'retrain' })).map((j) => j.status)).toEqual(['queued']);
    });

    it('never hands one job to two claimers at once', async () => {
      for (let i = 0; i < 12; i++) await store.jobs.enqueue('many', { i });
      const other = await open();
      const claims = await Promise.all(
        Array.from({ length: 16 }, (_, i) => (i % 2 ? other : store).jobs.claim(`w${i}`, ['many'], 60_000)),
      );
      const ids = claims.flatMap((c) => (c ? [c.id] : []));
      expect(ids).toHaveLength(12);
      expect(new Set(ids).size).toBe(12);
    });

    it('claims the highest priority first, not before a deferred start, and retries after a back-off', async () => {
      const low = await store.jobs.enqueue('score', { n: 'low' });
      const later = await store.jobs.enqueue(
        'score',
        { n: 'later' },
        { priority: 9, startAfter: new Date(Date.now() + 3_600_000) },
      );
      const high = await store.jobs.enqueue('score', { n: 'high' }, { priority: 5, retryDelayMs: 60_000 });
      expect(later).toMatchObject({ status: 'queued', priority: 9 });
      expect((await store.jobs.claim('w1', ['score'], 60_000))?.id).toBe(high.id);
      expect(await store.jobs.fail(high.id, 'w1', 'busy')).toBe(true);
      // Queued again, but not due for a minute: the low-priority job runs next.
      const retry = await store.jobs.get(high.id);
      expect(retry).toMatchObject({ status: 'queued', attempts: 1, error: 'busy' });
      expect(Date.parse(retry.startAfter)).toBeGreaterThan(Date.now() + 20_000);
      expect((await store.jobs.claim('w1', ['score'], 60_000))?.id).toBe(low.id);
      expect(await store.jobs.claim('w1', ['score'], 60_000)).toBeUndefined();
      await expect(store.jobs.enqueue('Bad Kind', {})).rejects.toThrow(/lower-case/);
    });

    it("cancels a queued job and a running one; the running one's worker loses it; a finished one is refused", async () => {
      const queued = await store.jobs.enqueue('score', {});
      expect(await store.jobs.cancel(queued.id)).toMatchObject({ status: 'cancelled' });
      const running = await store.jobs.enqueue('score', {});
      expect((await store.jobs.claim('w1', ['score'], 60_000))?.id).toBe(running.id);
      expect((await store.jobs.cancel(running.id)).status).toBe('cancelled');
      expect(await store.jobs.heartbeat(running.id, 'w1', 60_000)).toBe(false);
      expect(await store.jobs.complete(running.id, 'w1', {})).toBe(false);
      expect(await store.jobs.claim('w1', ['score'], 60_000)).toBeUndefined();
      await expect(store.jobs.cancel(running.id)).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
      await expect(store.jobs.get('job_nope')).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' });
      expect((await store.jobs.list({ status: 'cancelled' })).map((j) => j.id).sort()).toEqual([queued.id, running.id].sort());
    });

    it.runIf(backend.name === 'postgres')(
      'moves the jobs left waiting in the old jobs table onto pg-boss once, with what they had spent; the old id finds them',
      async () => {
        const driver = await openDriver(url);
        opened.push(driver);
        const old = sqlJobQueue(driver);
        const orphan = await old.enqueue('score', { input: 'orphan.csv' }, { maxAttempts: 3 });
        expect((await old.claim('dead', ['score'], 30))?.id).toBe(orphan.id);
        const waiting = await old.enqueue('score', { input: 'old.csv' }, { priority: 4 });
        expect((await old.claim('gone', ['score'], 60_000))?.id).toBe(waiting.id);
        expect(await old.release(waiting.id, 'gone')).toBe(true);
        const done = await old.enqueue('score', { input: 'done.csv' }, { priority: 9 });
        await new Promise((r) => setTimeout(r, 60));
        expect((await old.claim('w', ['score'], 60_000))?.id).toBe(done.id);
        expect(await old.complete(done.id, 'w', {})).toBe(true);

        // Two processes start on the upgraded store at once: each job arrives once.
        const other = await open();
        const [seen] = await Promise.all([store.jobs.list({ kind: 'score' }), other.jobs.list({ kind: 'score' })]);
        expect(seen.map((j) => j.payload).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)))).toEqual([
          { input: 'old.csv' },
          { input: 'orphan.csv' },
        ]);
        expect((await store.jobs.list({ kind: 'score' })).length).toBe(2);
        const moved = await store.jobs.get(waiting.id);
        expect(moved).toMatchObject({ status: 'queued', priority: 4, maxAttempts: 3, payload: { input: 'old.csv' } });
        // The orphan's one spent attempt stays spent.
        expect(await store.jobs.get(orphan.id)).toMatchObject({ status: 'queued', maxAttempts: 2 });
        expect(await old.get(waiting.id)).toMatchObject({
          status: 'cancelled',
          error: `moved to the pg-boss queue as job ${moved.id}`,
        });
        expect((await old.get(done.id)).status).toBe('completed');
        expect((await store.jobs.claim('w1', ['score'], 60_000))?.id).toBe(moved.id);
      },
    );

    it('prunes log lines and progress past the retention, and on the SQL runner the finished jobs themselves', async () => {
      const done = await store.jobs.enqueue('score', {});
      const live = await store.jobs.enqueue('score', {});
      expect((await store.jobs.claim('w', ['score'], 60_000))?.id).toBe(done.id);
      expect(await store.jobs.heartbeat(done.id, 'w', 60_000, { rows: 1 })).toBe(true);
      expect(await store.jobs.complete(done.id, 'w', { rows: 1 })).toBe(true);
      await store.jobLogs.append(done.id, 'info', 'finished long ago');
      await new Promise((r) => setTimeout(r, 80));
      vi.stubEnv('PROMPTUNE_JOB_RETENTION_DAYS', String(50 / 86_400_000));
      try {
        const later = await open();
        await later.jobLogs.append(live.id, 'info', 'just now');
        expect((await later.jobs.claim('w2', ['score'], 60_000))?.id).toBe(live.id);
        expect(await later.jobLogs.list(done.id)).toEqual([]);
        expect((await later.jobLogs.list(live.id)).map((l) => l.message)).toEqual(['just now']);
        if (backend.name === 'sqlite') await expect(later.jobs.get(done.id)).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' });
        else expect((await later.jobs.get(done.id)).progress).toBeNull();
      } finally {
        vi.unstubAllEnvs();
      }
    });

    // pg-boss's liveness check has a 10 s floor; its dead-worker path is proven by the worker tests.
    it.runIf(backend.name === 'sqlite')('hands a job whose worker stopped renewing to another worker', async () => {
      const job = await store.jobs.enqueue('score', {}, { maxAttempts: 2 });
      expect((await store.jobs.claim('dead', ['score'], 30))?.id).toBe(job.id);
      expect(await store.jobs.claim('w2', ['score'], 60_000)).toBeUndefined();
      await new Promise((r) => setTimeout(r, 60));
      expect((await store.jobs.claim('w2', ['score'], 60_000))?.attempts).toBe(2);
      expect(await store.jobs.complete(job.id, 'dead', {})).toBe(false);

      const doomed = await store.jobs.enqueue('doomed', {}, { maxAttempts: 1 });
      await store.jobs.claim('dead', ['doomed'], 30);
      await new Promise((r) => setTimeout(r, 60));
      expect(await store.jobs.claim('w3', ['doomed'], 60_000)).toBeUndefined();
      expect(await store.jobs.get(doomed.id)).toMatchObject({
        status: 'failed',
        error: expect.stringContaining('gave up after 1 attempts'),
      });
    });
  });

  describe('leases on the database clock', () => {
    /** Runs `fn` with this process's clock `ms` ahead (timers stay real). */
    async function withFastClock<T>(ms: number, fn: () => Promise<T>): Promise<T> {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + ms);
      try {
        return await fn();
      } finally {
        vi.useRealTimers();
      }
    }

    it('a worker whose clock runs 60 s fast does not take a job under a live 30 s lease', async () => {
      const job = await store.jobs.enqueue('score', {});
      expect((await store.jobs.claim('w1', ['score'], 30_000))?.id).toBe(job.id);
      expect(await withFastClock(60_000, () => store.jobs.claim('w2', ['score'], 30_000))).toBeUndefined();
      // Nor does its own heartbeat or result move a lease by its clock: w1 still holds the job.
      expect(await withFastClock(60_000, () => store.jobs.heartbeat(job.id, 'w1', 30_000))).toBe(true);
      expect(await store.jobs.claim('w2', ['score'], 30_000)).toBeUndefined();
      expect(await store.jobs.complete(job.id, 'w1', { ok: true })).toBe(true);
    });

    it('a sender whose clock runs 60 s fast does not take a webhook delivery under a live lease', async () => {
      await store.webhooks.enqueue([
        { endpoint: 'ops', url: 'http://127.0.0.1:9/hook', eventType: 'feedback.created', payload: {} },
      ]);
      expect(await store.webhooks.claimDue({ owner: 'p1', leaseMs: 30_000, endpoints: ['ops'] })).toHaveLength(1);
      const fast = await withFastClock(60_000, () =>
        store.webhooks.claimDue({ owner: 'p2', leaseMs: 30_000, endpoints: ['ops'] }),
      );
      expect(fast).toEqual([]);
    });

    it('five graceful hand-backs leave a job queued with its attempts untouched, its progress kept', async () => {
      const job = await store.jobs.enqueue('train', {}, { maxAttempts: 3, retryDelayMs: 0 });
      for (let i = 0; i < 5; i++) {
        const claimed = await store.jobs.claim(`w${i}`, ['train'], 60_000);
        expect(claimed).toMatchObject({ id: job.id, attempts: 1 });
        expect(await store.jobs.heartbeat(job.id, `w${i}`, 60_000, { step: i })).toBe(true);
        expect(await store.jobs.release(job.id, `w${i}`)).toBe(true);
        expect(await store.jobs.release(job.id, `w${i}`)).toBe(false);
      }
      expect(await store.jobs.get(job.id)).toMatchObject({
        status: 'queued',
        attempts: 0,
        workerId: null,
        progress: { step: 4 },
      });
      // A real failure still counts.
      await store.jobs.claim('w9', ['train'], 60_000);
      await store.jobs.fail(job.id, 'w9', 'out of memory');
      expect(await store.jobs.get(job.id)).toMatchObject({ status: 'queued', attempts: 1, maxAttempts: 3 });
    });
  });

  describe('runs', () => {
    const runInput = (recipe = 'prompt-mlm') => ({
      taskId: 'reviews',
      recipe,
      config: { lr: 1e-5, epochs: 3 },
      baseModel: 'hf:roberta-base@main',
    });

    it('creates a run under a caller-chosen id once: a second create with it, even at the same moment, is a conflict', async () => {
      const results = await Promise.allSettled([
        store.runs.create({ ...runInput(), id: 'run_search-1-trial-2' }),
        (await open()).runs.create({ ...runInput(), id: 'run_search-1-trial-2' }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(refused.reason).toMatchObject({ code: 'STORE_CONFLICT' });
      expect((await store.runs.get('run_search-1-trial-2')).recipe).toBe('prompt-mlm');
      await expect(store.runs.create({ ...runInput(), id: 'no spaces' })).rejects.toMatchObject({ code: 'STORE_INVALID' });
    });

    it('goes queued → running → completed, recording progress', async () => {
      const d = await dataset('train');
      const p = await prompt('{text} It was {mask}.');
      const run = await store.runs.create({ ...runInput(), datasetHash: d.hash, promptHash: p.hash });
      expect(run).toMatchObject({
        status: 'queued',
        config: { lr: 1e-5, epochs: 3 },
        datasetHash: d.hash,
        startedAt: null,
        bestMetric: null,
      });
      const started = await store.runs.start(run.id, 'local');
      expect(started).toMatchObject({ status: 'running', workerId: 'local' });
      await store.runs.update(run.id, { bestMetric: { name: 'macro-f1', value: 0.8 }, checkpointPath: '/ckpt/1' });
      const done = await store.runs.finish(run.id, { status: 'completed', bestMetric: { name: 'macro-f1', value: 0.85 } });
      expect(done).toMatchObject({
        status: 'completed',
        bestMetric: { name: 'macro-f1', value: 0.85 },
        checkpointPath: '/ckpt/1',
        error: null,
      });
      expect(done.finishedAt).not.toBeNull();
      expect((await storeError(store.runs.finish(run.id, { status: 'failed', error: 'late' }))).message).toBe(
        `run ${run.id} is completed, so it cannot be marked failed: only a running run can.`,
      );
      expect((await store.runs.list({ status: 'completed' })).map((r) => r.id)).toEqual([run.id]);
    });

    it('resumes an interrupted or failed run, never a completed or queued one', async () => {
      const run = await store.runs.create(runInput());
      expect((await storeError(store.runs.resume(run.id, 'w'))).message).toBe(
        `run ${run.id} is queued, so it cannot be resumed: only a running or failed or killed run can.`,
      );
      await store.runs.start(run.id, 'w1');
      await store.runs.finish(run.id, { status: 'failed', error: 'kill -9' });
      expect(await store.runs.resume(run.id, 'w2')).toMatchObject({
        status: 'running',
        workerId: 'w2',
        error: null,
        finishedAt: null,
      });
      // A crashed process leaves its run marked running: resuming that is allowed too.
      expect(await store.runs.resume(run.id, 'w3')).toMatchObject({ status: 'running', workerId: 'w3' });
      await store.runs.finish(run.id, { status: 'completed' });
      expect((await storeError(store.runs.resume(run.id, 'w'))).code).toBe('STORE_INVALID');
    });

    it('kills a queued run but will not complete one that never started', async () => {
      const run = await store.runs.create(runInput());
      expect((await storeError(store.runs.finish(run.id, { status: 'completed' }))).code).toBe('STORE_INVALID');
      expect(await store.runs.finish(run.id, { status: 'killed', error: 'cancelled by ana' })).toMatchObject({
        status: 'killed',
        error: 'cancelled by ana',
      });
      // A killed run is never started: search trials start queued runs only.
      expect((await storeError(store.runs.start(run.id, 'w'))).code).toBe('STORE_INVALID');
    });

    it('bulk-inserts 10k metric points well under a second, keeping NaN and infinities', async () => {
      const run = await store.runs.start((await store.runs.create(runInput())).id, 'w');
      const points = Array.from({ length: 10_000 }, (_, i) => ({
        step: Math.floor(i / 2),
        name: i % 2 ? 'lr' : 'loss',
        value: 1 / (i + 1),
      }));
      const started = performance.now();
      await store.runs.logMetrics(run.id, points);
      const ms = performance.now() - started;
      console.info(`store tests (${backend.name}): 10k metric points in ${Math.round(ms)} ms`);
      expect(ms).toBeLessThan(1000);
      const loss = await store.runs.metrics(run.id, { name: 'loss' });
      expect(loss).toHaveLength(5000);
      expect(loss.slice(0, 2).map((p) => [p.step, p.value])).toEqual([
        [0, 1],
        [1, 1 / 3],
      ]);
      expect(await store.runs.metrics(run.id)).toHaveLength(10_000);

      await store.runs.logMetrics(run.id, [
        { step: 0, name: 'loss', value: Number.NaN },
        { step: 1, name: 'loss', value: Number.POSITIVE_INFINITY },
        { step: 2, name: 'loss', value: 0.5 },
        { step: 2, name: 'loss', value: Number.NEGATIVE_INFINITY, time: '2030-01-01T00:00:00.000Z' },
      ]);
      const again = await store.runs.metrics(run.id, { name: 'loss' });
      expect(again).toHaveLength(5000);
      expect(again.slice(0, 3)).toEqual([
        { step: 0, name: 'loss', value: Number.NaN, time: expect.any(String) },
        { step: 1, name: 'loss', value: Number.POSITIVE_INFINITY, time: expect.any(String) },
        { step: 2, name: 'loss', value: Number.NEGATIVE_INFINITY, time: '2030-01-01T00:00:00.000Z' },
      ]);
      expect((await storeError(store.runs.logMetrics('run_nope', [{ step: 0, name: 'x', value: 1 }]))).code).toBe(
        'STORE_NOT_FOUND',
      );
    });
  });

  describe('transactions', () => {
    it('roll back every write when the callback throws', async () => {
      const boom = store.transaction(async (tx) => {
        await tx.tasks.upsert(sampleTask('temporary'));
        await tx.datasets.insert({
          hash: sha('tx'),
          taskId: 'temporary',
          role: 'train',
          source: 's',
          labelCounts: {},
          rows: [1, 2],
        });
        throw new Error('boom');
      });
      await expect(boom).rejects.toThrow('boom');
      expect(await store.tasks.find('temporary')).toBeUndefined();
      expect(await store.datasets.find(sha('tx'))).toBeUndefined();
    });

    it('commit together, and a failing nested transaction rolls back only its own writes', async () => {
      await store.transaction(async (tx) => {
        await tx.tasks.upsert(sampleTask('outer'));
        await expect(
          tx.transaction(async (inner) => {
            await inner.tasks.upsert(sampleTask('inner'));
            throw new Error('inner fails');
          }),
        ).rejects.toThrow('inner fails');
        // A repository's own transaction inside ours: a savepoint, committed with the outer transaction.
        await tx.datasets.insert({
          hash: sha('nested'),
          taskId: 'outer',
          role: 'train',
          source: 's',
          labelCounts: {},
          rows: ['x'],
        });
      });
      expect((await store.tasks.list()).map((t) => t.id)).toEqual(['outer', 'reviews']);
      expect(await store.datasets.rows(sha('nested'))).toEqual(['x']);
    });

    it("concurrent calls inside a transaction: a failing savepoint never takes a sibling's writes with it", async () => {
      const rowsOf = (name: string) => ({
        hash: sha(name),
        taskId: 'reviews',
        role: name,
        source: 's',
        labelCounts: {},
        rows: [name],
      });
      await store.transaction(async (tx) => {
        await Promise.all([
          tx
            .transaction(async (inner) => {
              await inner.tasks.upsert(sampleTask('doomed'));
              await new Promise((r) => setTimeout(r, 20));
              throw new Error('doomed');
            })
            .catch(() => {}),
          tx.tasks.upsert(sampleTask('sibling')),
          tx.datasets.insert(rowsOf('one')),
          tx.datasets.insert(rowsOf('two')),
        ]);
      });
      expect((await store.tasks.list()).map((t) => t.id)).toEqual(['reviews', 'sibling']);
      expect(await store.datasets.rows(sha('one'))).toEqual(['one']);
      expect(await store.datasets.rows(sha('two'))).toEqual(['two']);
    });

    it('a failing repository write inside a transaction leaves the rest usable', async () => {
      await store.transaction(async (tx) => {
        expect((await storeError(tx.prompts.save({ hash: sha('p'), taskId: 'nope', name: 'n', spec: {} }))).code).toBe(
          'STORE_NOT_FOUND',
        );
        await tx.tasks.upsert(sampleTask('after'));
      });
      expect(await store.tasks.find('after')).toBeDefined();
    });

    it('refuse use after they end', async () => {
      let leaked: Store['tasks'] | undefined;
      await store.transaction(async (tx) => {
        leaked = tx.tasks;
      });
      expect((await storeError((leaked as Store['tasks']).list())).code).toBe('STORE_CLOSED');
    });

    it.runIf(backend.name === 'sqlite')(
      'SQLite: calling the store itself inside its transaction fails instead of hanging',
      async () => {
        const e = await storeError(store.transaction(() => store.tasks.list()));
        expect(e.code).toBe('STORE_INVALID');
      },
    );
  });

  it.runIf(backend.name === 'postgres')(
    'PostgreSQL: a wrong password is STORE_AUTH, a missing database STORE_CONNECT',
    async () => {
      const server = new URL(url);
      const auth = await storeError(openStore(`postgres://promptune_auth:wrong@${server.host}/postgres`));
      expect(auth.code).toBe('STORE_AUTH');
      expect(auth.message).toBe(
        `PostgreSQL at ${server.host} refused user "promptune_auth" (password authentication failed for user "promptune_auth"). Check the user name and password in the store URL (percent-encode special characters in the password) and the server's pg_hba.conf.`,
      );
      expect(auth.message).not.toContain('wrong');
      const missing = await storeError(openStore(`postgres://postgres@${server.host}/no_such_db`));
      expect(missing.code).toBe('STORE_CONNECT');
      expect(missing.message).toContain('database "no_such_db" does not exist');
    },
  );
});
