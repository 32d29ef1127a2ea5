// Privacy on both backends: text retention blanks old texts everywhere they are copied (predictions, feedback,
// webhook payloads) and keeps the rows' metrics; erasing a subject leaves nothing of it in any table, and the
// other subject untouched.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Driver, SqlRow } from './driver.js';
import { openDriver, openStore } from './open.js';
import type { Store } from './store.js';
import { sampleTask, storeError } from './testing/fixtures.js';
import { createTestDatabase, startTestPostgres } from './testing/postgres.js';

const pg = await startTestPostgres();
const tmp = mkdtempSync(join(tmpdir(), 'pt-privacy-'));
afterAll(async () => {
  await pg?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

let files = 0;
const backends = [
  { name: 'sqlite', available: true, fresh: async () => join(tmp, `store-${++files}.db`) },
  { name: 'postgres', available: pg !== undefined, fresh: () => createTestDatabase((pg as { url: string }).url) },
];

const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString();

describe.each(backends)('privacy on $name', (backend) => {
  if (!backend.available) {
    it.skip('needs PostgreSQL (see the message printed above)', () => {});
    return;
  }
  let store: Store;
  let raw: Driver;

  beforeEach(async () => {
    const url = await backend.fresh();
    store = await openStore(url);
    raw = await openDriver(url);
    await store.tasks.upsert(sampleTask('reviews'));
  });
  afterEach(async () => {
    await raw.close();
    await store.close();
  });

  const base = { taskId: 'reviews', modelVersion: 'reviews@3', probs: { positive: 0.7, negative: 0.3 } };
  /** Moves a row back in time, as if stored then. */
  const backdate = (table: string, id: string, at: string) =>
    raw.run(`UPDATE ${table} SET created_at = ? WHERE id = ?`, [at, id]);

  /** Every row of every table of the store's schema, as JSON text. */
  async function everyRow(): Promise<{ table: string; text: string }[]> {
    const tables = await raw.query<{ name: string }>(
      raw.dialect === 'sqlite'
        ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        : "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'",
    );
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['predictions', 'feedback', 'webhook_deliveries']));
    const out: { table: string; text: string }[] = [];
    for (const { name } of tables)
      for (const row of await raw.query<SqlRow>(`SELECT * FROM ${name}`)) out.push({ table: name, text: JSON.stringify(row) });
    return out;
  }

  describe('text retention', () => {
    it('blanks texts stored before the cutoff in every copy, keeps newer ones and every metric, and counts per table', async () => {
      const [old1, old2, fresh] = await store.predictions.recordMany([
        { ...base, input: { text: 'old and pending' }, label: null, confidence: 0.51, review: 'pending', subject: 'ann' },
        { ...base, input: { text: 'old and sure' }, label: 'positive', confidence: 0.93 },
        { ...base, input: { text: 'fresh and pending' }, label: null, confidence: 0.52, review: 'pending' },
      ]);
      if (!old1 || !old2 || !fresh) throw new Error('three predictions expected');
      await backdate('predictions', old1.id, daysAgo(40));
      await backdate('predictions', old2.id, daysAgo(31));
      // Feedback given today on an old prediction holds a copy of its old text: it goes with it.
      const onOld = await store.feedback.record({ ...base, predictionId: old1.id, input: old1.input, correctLabel: 'negative' });
      const onFresh = await store.feedback.record({
        ...base,
        predictionId: fresh.id,
        input: fresh.input,
        correctLabel: 'positive',
      });
      const oldBare = await store.feedback.record({
        ...base,
        input: { text: 'old bare thumbs-up' },
        prediction: 'positive',
        rating: 1,
      });
      await backdate('feedback', oldBare.id, daysAgo(35));
      const delivery = (eventType: string, text: string) => ({
        endpoint: 'crm',
        url: 'https://example.test/hook',
        eventType,
        payload: { data: { input: { text } } },
      });
      const [oldPending, oldSent, freshPending] = await store.webhooks.enqueue([
        delivery('prediction.review_needed', 'old and pending'),
        delivery('feedback.created', 'old and sure'),
        delivery('prediction.review_needed', 'fresh and pending'),
      ]);
      if (!oldPending || !oldSent || !freshPending) throw new Error('three deliveries expected');
      await raw.run("UPDATE webhook_deliveries SET status = 'delivered', attempts = 1 WHERE id = ?", [oldSent.id]);
      for (const d of [oldPending, oldSent]) await backdate('webhook_deliveries', d.id, daysAgo(33));

      const before = daysAgo(30);
      const counts = { predictions: 2, feedback: 2, webhook_deliveries: 2 };
      const dry = await store.privacy.pruneTexts({ before, dryRun: true });
      expect(dry).toEqual({ cutoff: before, dryRun: true, blanked: counts });
      expect((await store.predictions.get(old1.id)).input).toEqual({ text: 'old and pending' });

      expect(await store.privacy.pruneTexts({ before })).toEqual({ cutoff: before, dryRun: false, blanked: counts });
      // The old rows stay, with everything but their text.
      const kept = await store.predictions.get(old1.id);
      expect(kept).toEqual({ ...old1, input: null, createdAt: expect.any(String) });
      expect(kept).toMatchObject({ label: null, confidence: 0.51, probs: base.probs, review: 'pending', subject: 'ann' });
      expect(await store.predictions.get(old2.id)).toMatchObject({ input: null, label: 'positive', confidence: 0.93 });
      expect((await store.predictions.get(fresh.id)).input).toEqual({ text: 'fresh and pending' });
      expect(await store.predictions.list({ since: daysAgo(60) })).toHaveLength(3);
      // The review queue and feedback → examples skip what has no text left.
      expect((await store.predictions.list({ review: 'pending', hasText: true })).map((p) => p.id)).toEqual([fresh.id]);
      expect(await store.predictions.list({ review: 'pending' })).toHaveLength(2);
      expect(await store.feedback.get(onOld.id)).toMatchObject({ input: null, correctLabel: 'negative', predictionId: old1.id });
      expect(await store.feedback.get(oldBare.id)).toMatchObject({ input: null, rating: 1, prediction: 'positive' });
      expect((await store.feedback.get(onFresh.id)).input).toEqual({ text: 'fresh and pending' });
      expect((await store.feedback.exportExamples('reviews')).map((e) => e.provenance.feedbackId)).toEqual([onFresh.id]);
      // Webhook payloads: blanked; one never sent is given up rather than sent without its body.
      expect(await store.webhooks.get(oldSent.id)).toMatchObject({ payload: null, status: 'delivered', attempts: 1 });
      expect(await store.webhooks.get(oldPending.id)).toMatchObject({
        payload: null,
        status: 'failed',
        lastError: 'payload removed by text retention before it was delivered',
        leaseOwner: null,
      });
      expect(await store.webhooks.get(freshPending.id)).toMatchObject({
        payload: { data: { input: { text: 'fresh and pending' } } },
        status: 'pending',
      });
      for (const old of ['old and pending', 'old and sure', 'old bare thumbs-up'])
        expect((await everyRow()).filter((r) => r.text.includes(old))).toEqual([]);

      // Idempotent: a second sweep finds nothing more.
      expect((await store.privacy.pruneTexts({ before })).blanked).toEqual({
        predictions: 0,
        feedback: 0,
        webhook_deliveries: 0,
      });
      expect((await storeError(store.privacy.pruneTexts({ before: 'last month' }))).code).toBe('STORE_INVALID');
    });
  });

  describe('erasure', () => {
    it('deletes every row of one subject in every table, and nothing of another', async () => {
      const [a1, a2, b1] = await store.predictions.recordMany([
        { ...base, input: { text: 'alice writes about her rash' }, label: 'negative', confidence: 0.8, subject: 'alice@x' },
        { ...base, input: { text: 'alice again, unsure' }, label: null, confidence: 0.5, review: 'pending', subject: 'alice@x' },
        { ...base, input: { text: 'bob likes the tea' }, label: 'positive', confidence: 0.9, subject: 'bob@x' },
      ]);
      if (!a1 || !a2 || !b1) throw new Error('three predictions expected');
      expect(a1.subject).toBe('alice@x');
      // Feedback on a subject's prediction is the subject's, without saying so.
      const onA1 = await store.feedback.record({
        ...base,
        predictionId: a1.id,
        input: a1.input,
        rating: 1,
        prediction: 'negative',
      });
      expect(onA1.subject).toBe('alice@x');
      const onA2 = await store.feedback.record({ ...base, predictionId: a2.id, input: a2.input, correctLabel: 'negative' });
      // Feedback stored before subjects existed finds its subject through the prediction it names.
      await raw.run('UPDATE feedback SET subject = NULL WHERE id = ?', [onA2.id]);
      const named = await store.feedback.record({
        ...base,
        input: { text: 'alice typed this in the studio' },
        comment: 'spam?',
        subject: 'alice@x',
      });
      const onB1 = await store.feedback.record({
        ...base,
        predictionId: b1.id,
        input: b1.input,
        rating: 1,
        prediction: 'positive',
      });
      const hook = (subject: string, text: string) => ({
        endpoint: 'crm',
        url: 'https://example.test/hook',
        eventType: 'prediction.review_needed',
        payload: { data: { subject, input: { text } } },
        subject,
      });
      const [, bHook] = await store.webhooks.enqueue([
        hook('alice@x', 'alice again, unsure'),
        hook('bob@x', 'bob likes the tea'),
      ]);
      const bobRowsBefore = (await everyRow()).filter((r) => r.text.includes('bob'));

      const report = await store.privacy.eraseSubject('alice@x');
      expect(report).toEqual({ subject: 'alice@x', deleted: { predictions: 2, feedback: 3, webhook_deliveries: 1 } });
      const rows = await everyRow();
      for (const trace of ['alice', a1.id, a2.id, onA1.id, onA2.id, named.id])
        expect(rows.filter((r) => r.text.includes(trace))).toEqual([]);
      // Bob: every row as it was.
      expect(rows.filter((r) => r.text.includes('bob'))).toEqual(bobRowsBefore);
      expect(await store.predictions.get(b1.id)).toEqual(b1);
      expect((await store.feedback.get(onB1.id)).subject).toBe('bob@x');
      expect((await store.webhooks.get((bHook as { id: string }).id)).subject).toBe('bob@x');
      expect((await storeError(store.predictions.get(a1.id))).code).toBe('STORE_NOT_FOUND');

      expect((await store.privacy.eraseSubject('alice@x')).deleted).toEqual({
        predictions: 0,
        feedback: 0,
        webhook_deliveries: 0,
      });
      expect((await storeError(store.privacy.eraseSubject(''))).code).toBe('STORE_INVALID');
      expect((await storeError(store.privacy.eraseSubject('x'.repeat(257)))).code).toBe('STORE_INVALID');
      expect(
        (await storeError(store.predictions.recordMany([{ ...base, input: {}, label: 'x', confidence: 1, subject: '' }])))
          .message,
      ).toBe('prediction subject must be 1 to 256 characters, got 0.');
    });

    it('is one transaction: a failure midway leaves the subject whole', async () => {
      const [p] = await store.predictions.recordMany([
        { ...base, input: { text: 'carol' }, label: 'positive', confidence: 0.9, subject: 'carol' },
      ]);
      await store.feedback.record({ ...base, predictionId: p?.id, input: { text: 'carol' }, rating: 1, prediction: 'positive' });
      await expect(
        store.transaction(async (tx) => {
          await tx.privacy.eraseSubject('carol');
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect((await everyRow()).filter((r) => r.text.includes('carol'))).toHaveLength(2);
    });
  });
});
