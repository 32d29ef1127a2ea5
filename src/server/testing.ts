// For the server's tests: tiny classifier directories (the toy XLM-R, seeded, so two seeds are two versions) and
// a server on 127.0.0.1 over a temp SQLite store.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClassifierMeta, writeClassifierMeta } from '../core/train/index.js';
import { toyModel } from '../core/train/testing/toy-task.js';
import { manualSeed } from '../engine/index.js';
import { type Store, openStore } from '../store/index.js';
import { sampleTask } from '../store/testing/fixtures.js';
import { initWeights, savePretrained } from '../transformers/index.js';
import type { Logger } from './monitoring/logger.js';
import { type RunningServer, type ServeOptions, startServer } from './serve.js';

/** A saved tiny classifier ("prompt-mlm" or "classification"), initialised from `seed`. */
export function tinyClassifierDir(
  recipe: 'prompt-mlm' | 'classification',
  seed: number,
  extra: Partial<Pick<ClassifierMeta, 'abstainBelow' | 'runId' | 'task'>> = {},
): string {
  const p = toyModel(recipe === 'prompt-mlm' ? 'masked-lm' : 'sequence-classification');
  manualSeed(seed);
  initWeights(p.model, 0.5, p.model.config.padTokenId);
  const dir = mkdtempSync(join(tmpdir(), `pt-serve-${recipe}-`));
  savePretrained(p, dir);
  p.model.dispose();
  writeClassifierMeta(dir, {
    format: 'promptune-classifier/1',
    task: 'reviews',
    recipe,
    inputs: ['text'],
    labels: ['great', 'other'],
    ...(recipe === 'prompt-mlm'
      ? { prompt: { template: '{text} All in all, it was {mask}.', verbalizer: { great: 'great', other: 'bad' } } }
      : {}),
    maxLength: 32,
    ...extra,
  });
  return dir;
}

/** Log lines a test can read. */
export function memoryLogger(): Logger & { lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  return {
    lines,
    log(level, msg, fields = {}) {
      lines.push(JSON.parse(JSON.stringify({ level, msg, ...fields })));
    },
  };
}

/** A server on 127.0.0.1 (free port) over a fresh SQLite store; options override the defaults. */
export async function testServer(
  models: { name: string; dir: string }[],
  opts: Partial<Omit<ServeOptions, 'store' | 'models'>> & { store?: Store } = {},
): Promise<RunningServer & { store: Store; logger: ReturnType<typeof memoryLogger> }> {
  const store = opts.store ?? (await openStore(`sqlite:${join(mkdtempSync(join(tmpdir(), 'pt-serve-db-')), 'store.db')}`));
  // The task the tiny models name, as `promptune serve` saves the project's task before serving.
  await store.tasks.upsert(sampleTask('reviews'));
  const logger = memoryLogger();
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    limits: { maxBodyBytes: 64 * 1024, maxTextChars: 2000, maxInstances: 64, ratePerMinute: 10_000 },
    batching: { maxBatch: 16, maxWaitMs: 5, maxQueue: 256, threads: 1 },
    authDisabled: false,
    corsOrigins: [],
    logInputs: false,
    reviewBelow: 0,
    logger,
    ...opts,
    store,
    models,
  });
  return { ...server, store, logger };
}
