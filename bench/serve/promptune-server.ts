// bench:serve side A, in its own process: Promptune's model server as `promptune serve --no-auth` runs it (the CLI's
// batching and limit defaults, a SQLite store in a temp directory that records every prediction), except that
// the rate limit is lifted so the load test measures the model, not the limiter. Tells the parent its URL over
// IPC and stops gracefully when told.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Task } from '../../src/core/task/index.js';
import { startServer } from '../../src/server/index.js';
import { openStore } from '../../src/store/index.js';

interface Args {
  modelDir: string;
  threads: number;
  maxBatch: number;
  maxWaitMs: number;
}

const args = JSON.parse(process.argv[2] as string) as Args;
const db = join(mkdtempSync(join(tmpdir(), 'pt-bench-serve-db-')), 'store.db');
const store = await openStore(`sqlite:${db}`);
const task: Task = {
  name: 'reviews',
  objective: 'sort food reviews: great or not',
  type: 'single-label',
  inputs: [{ name: 'text', description: 'the review' }],
  labels: [
    { name: 'great', description: '' },
    { name: 'other', description: '' },
  ],
  languages: ['en'],
  metric: 'macro-f1',
  model: 'default',
};
await store.tasks.upsert(task);
const server = await startServer({
  store,
  models: [{ name: 'live', dir: args.modelDir }],
  host: '127.0.0.1',
  port: 0,
  limits: { maxBodyBytes: 1024 * 1024, maxTextChars: 20_000, maxInstances: 256, ratePerMinute: 1_000_000_000 },
  batching: { maxBatch: args.maxBatch, maxWaitMs: args.maxWaitMs, maxQueue: 512, threads: args.threads },
  authDisabled: true,
  corsOrigins: [],
  logInputs: false,
  reviewBelow: 0.6,
  logLevel: 'warn',
});
process.send?.({ url: server.url, db });
process.on('message', async (m: unknown) => {
  if (m !== 'stop') return;
  await server.close();
  await store.close();
  process.exit(0);
});
