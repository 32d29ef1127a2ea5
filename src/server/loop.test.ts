// The whole loop over HTTP only, against the real server and a worker on the same store: define a task, upload its
// data, add two prompt versions, score one zero-shot, A/B them, train as a queued job followed live by SSE, read
// the evaluation, load and promote the model, predict, give feedback, retrain as a job, and read the comparison.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOB_HANDLERS, runWorker } from '../app/index.js';
import { TINY_MODEL } from '../cli/testing.js';
import { type Store, openStore } from '../store/index.js';
import { testServer } from './testing.js';

const FIXTURES = new URL('../core/data/__fixtures__/', import.meta.url).pathname;
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

let server: Awaited<ReturnType<typeof testServer>>;
let store: Store;
let admin: string;
const stopWorker = new AbortController();
let worker: Promise<number>;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pt-loop-'));
  store = await openStore(`sqlite:${join(dir, 'store.db')}`);
  server = await testServer([], {
    store,
    workspace: join(dir, 'workspace'),
    limits: { maxBodyBytes: 1024 * 1024, maxTextChars: 5000, maxInstances: 64, ratePerMinute: 100_000 },
  });
  admin = (await store.apiKeys.create({ name: 'ops', scopes: ['admin'] })).secret;
  worker = runWorker(store, JOB_HANDLERS, { signal: stopWorker.signal, pollMs: 50, leaseMs: 10_000 });
}, 60_000);
afterAll(async () => {
  stopWorker.abort();
  await worker;
  await server?.close();
  await store?.close();
});

async function api<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: T }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as T };
}

interface SseEvent {
  event: string;
  data: unknown;
}

/** Reads a Server-Sent Events stream to its end; `onEvent` sees each event as it arrives. */
async function readSse(path: string, onEvent: (e: SseEvent) => void = () => undefined): Promise<SseEvent[]> {
  const res = await fetch(`${server.url}${path}`, { headers: { Authorization: `Bearer ${admin}` } });
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const events: SseEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      const e = { event, data: JSON.parse(data) as unknown };
      events.push(e);
      onEvent(e);
    }
  }
  return events;
}

/** Queues a job and follows it live to its end; the finished job. */
async function runJob(kind: string, payload: unknown, onEvent?: (e: SseEvent) => void) {
  const queued = await api<{ id: string }>('POST', '/v1/jobs', { kind, payload });
  expect(queued.status, JSON.stringify(queued.json)).toBe(201);
  const events = await readSse(`/v1/jobs/${queued.json.id}/events`, onEvent);
  expect(events.at(-1)?.event).toBe('end');
  const job = events.filter((e) => e.event === 'job').at(-1)?.data as {
    status: string;
    result: Record<string, unknown>;
    error: string | null;
  };
  expect(job.status, job.error ?? '').toBe('completed');
  return { job, events };
}

describe('the whole loop over HTTP', () => {
  it('task → data → prompts → zero-shot → A/B → prompt search → train (live) → evaluation → promote → predict → feedback → retrain → comparison', async () => {
    // Task: what goes in, what comes out, the labels and when each applies.
    const task = {
      name: 'review-stars',
      objective: 'Spot five-star reviews',
      inputs: [{ name: 'text', description: 'The review' }],
      labels: [
        { name: 'great', description: 'Five stars: the reviewer loves it' },
        { name: 'other', description: 'Anything less' },
      ],
      model: TINY_MODEL,
    };
    const bad = await api<{ error: { problems: { path: string }[] } }>('PUT', '/v1/tasks/review-stars', { ...task, labels: [] });
    expect(bad.status).toBe(400);
    expect(bad.json.error.problems.map((p) => p.path)).toContain('labels');
    const defined = await api<{ taskFile: string; created: boolean }>('PUT', '/v1/tasks/review-stars', task);
    expect(defined.json).toMatchObject({ created: true });
    const taskFile = defined.json.taskFile;

    // Data: uploaded, stored as versions, reported on.
    const train = await api<{ dataset: { hash: string; rowCount: number }; report: { labels: string[] } }>(
      'POST',
      '/v1/tasks/review-stars/data/train',
      { format: 'csv', content: fixture('reviews-train-200.csv') },
    );
    expect(train.status).toBe(201);
    expect(train.json.dataset.rowCount).toBe(200);
    expect(train.json.report.labels).toEqual(['great', 'other']);
    expect(
      (await api('POST', '/v1/tasks/review-stars/data/test', { format: 'csv', content: fixture('reviews-test-100.csv') })).status,
    ).toBe(201);
    const report = await api<{ splits: { rows: number }[] }>('GET', `/v1/datasets/${train.json.dataset.hash}/report`);
    expect(report.json.splits[0]?.rows).toBe(200);

    // Prompts: two versions, the second a child of the first, with their diff.
    const verbalizer = { great: 'great', other: 'bad' };
    const a = await api<{ version: { hash: string } }>('POST', '/v1/tasks/review-stars/prompts', {
      name: 'cloze',
      spec: { template: '{text} It was {mask}.', verbalizer },
    });
    expect(a.status, JSON.stringify(a.json)).toBe(201);
    const b = await api<{ version: { hash: string; parentHash: string } }>('POST', '/v1/tasks/review-stars/prompts', {
      name: 'cloze',
      parent: a.json.version.hash,
      spec: { template: '{text} All in all, it was {mask}.', verbalizer },
      note: 'a summary cue',
    });
    expect(b.json.version.parentHash).toBe(a.json.version.hash);
    const diff = await api<{ lines: { op: string; line: string }[] }>('GET', `/v1/prompts/${b.json.version.hash}/diff`);
    expect(diff.json.lines.filter((l) => l.op !== ' ').map((l) => l.op)).toEqual(['-', '+']);
    const unknownSlot = await api('POST', '/v1/tasks/review-stars/prompts', {
      name: 'x',
      spec: { template: '{body} {mask}', verbalizer },
    });
    expect(unknownSlot.status).toBe(400);

    // Zero-shot, then A/B with the examples that flipped.
    const zero = await runJob('prompt-eval', { task: taskFile, input: { prompts: [a.json.version.hash], limit: 40 } });
    const zeroEval = await api<{ kind: string; metrics: Record<string, number> }>(
      'GET',
      `/v1/evaluations/${zero.job.result.evaluationId}`,
    );
    expect(zeroEval.json).toMatchObject({ kind: 'zero-shot', metrics: { 'macro-f1': expect.any(Number) } });
    const ab = await runJob('prompt-ab', {
      task: taskFile,
      input: { a: a.json.version.hash, b: b.json.version.hash, limit: 40 },
    });
    const abEval = await api<{
      details: { verdict: string; aOnly: number; bOnly: number; flips: { better: string; label: string }[] };
    }>('GET', `/v1/evaluations/${ab.job.result.evaluationId}`);
    expect(abEval.json.details.verdict).toEqual(expect.any(String));
    expect(abEval.json.details.flips).toHaveLength(abEval.json.details.aOnly + abEval.json.details.bOnly);
    expect(abEval.json.details.flips.filter((f) => f.better === 'a')).toHaveLength(abEval.json.details.aOnly);

    // Label-word search from B: the winner stored as B's child, the search recorded as an evaluation.
    const searched = await runJob('prompt-search', {
      task: taskFile,
      input: { prompt: b.json.version.hash, limit: 40, perLabel: 3, keep: 4 },
    });
    const winner = searched.job.result as { kind: string; stored: { hash: string }; evaluationId: string };
    expect(winner.kind).toBe('label-words');
    const history = await api<{ versions: { hash: string; author: string | null }[] }>(
      'GET',
      `/v1/prompts/${winner.stored.hash}/history`,
    );
    if (winner.stored.hash !== b.json.version.hash) {
      expect(history.json.versions[0]?.author).toBe('promptune search');
      expect(history.json.versions.map((v) => v.hash)).toContain(b.json.version.hash);
    }
    const searchEval = await api<{ kind: string; promptHashes: string[] }>('GET', `/v1/evaluations/${winner.evaluationId}`);
    expect(searchEval.json).toMatchObject({ kind: 'search', promptHashes: [winner.stored.hash] });

    // Train as a job, followed live: the job's steps and the run's metric points arrive while it trains.
    let runStream: Promise<SseEvent[]> | undefined;
    // Long enough (a few seconds) that progress is seen more than once on the way.
    const spec = {
      recipe: 'prompt-mlm',
      prompt: b.json.version.hash,
      epochs: 12,
      batchSize: 8,
      maxLength: 48,
      learningRate: 1e-3,
    };
    const trained = await runJob('train', { task: taskFile, spec }, (e) => {
      const runId = (e.data as { progress?: { runId?: string } }).progress?.runId;
      if (runId && !runStream) runStream = readSse(`/v1/runs/${runId}/events`);
    });
    const steps = trained.events.filter((e) => (e.data as { progress?: { type?: string } }).progress?.type === 'step');
    expect(steps.length).toBeGreaterThan(1);
    const runEvents = await (runStream as Promise<SseEvent[]>);
    expect(runEvents.filter((e) => e.event === 'metrics').length).toBeGreaterThan(1);
    expect(runEvents.at(-1)).toMatchObject({ event: 'end', data: { status: 'completed' } });
    const runId = trained.job.result.runId as string;
    const losses = await api<{ points: { step: number; name: string }[] }>('GET', `/v1/runs/${runId}/metrics?name=loss`);
    const last = losses.json.points.at(-1)?.step as number;
    expect(last).toBeGreaterThan(10);
    const later = await api<{ points: { step: number }[] }>('GET', `/v1/runs/${runId}/metrics?name=loss&after=${last - 2}`);
    expect(later.json.points.map((p) => p.step)).toEqual([last - 1, last]);

    // The evaluation of the trained model on the test file.
    const evals = await api<{ evaluations: { kind: string; metrics: Record<string, number> }[] }>(
      'GET',
      `/v1/evaluations?run=${runId}`,
    );
    expect(evals.json.evaluations[0]).toMatchObject({ kind: 'fine-tune', metrics: { 'macro-f1': expect.any(Number) } });

    // Deploy: load the model beside nothing, promote it, predict, give feedback.
    const modelDir = trained.job.result.modelDir as string;
    expect((await api('POST', '/v1/models', { name: 'v1', dir: modelDir })).status).toBe(201);
    expect((await api('POST', '/v1/models/v1/promote')).status).toBe(200);
    const texts = ['Absolutely wonderful, I love it.', 'Stale and bland, never again.', 'Great value, will buy again.'];
    for (const [i, text] of texts.entries()) {
      const p = await api<{ prediction: { id: string } }>('POST', '/v1/predict', { text });
      expect(p.status).toBe(200);
      const fb = await api('POST', '/v1/feedback', {
        predictionId: p.json.prediction.id,
        correctLabel: i === 1 ? 'other' : 'great',
      });
      expect(fb.status).toBe(201);
    }

    // Retrain from the feedback as a job; its result compares the retrained model with the live one.
    const retrained = await runJob('retrain', {
      task: taskFile,
      input: { live: modelDir, minFeedback: 3, spec: { ...spec, epochs: 1 } },
    });
    expect(retrained.job.result).toMatchObject({ feedbackRows: 3, comparison: expect.any(Object) });
    const runs = await api<{ runs: { id: string; status: string }[] }>('GET', '/v1/runs?task=review-stars');
    expect(runs.json.runs.map((r) => r.status)).toEqual(['completed', 'completed']);
  }, 600_000);
});
