// The job queue: long work (batch scoring, retraining) that server processes enqueue and worker processes on any
// machine claim. A claim is a lease: a worker that dies (kill -9, a lost machine) stops renewing it, and after it
// expires another worker takes the job over, so nothing is stuck and, with resumable handlers, nothing is lost.
import type { Migration } from '../migrate.js';

/** Migration 4: jobs. */
export const jobs: Migration = {
  version: 4,
  name: 'jobs',
  statements: [
    `CREATE TABLE jobs (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      payload TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed')),
      attempts INTEGER NOT NULL,
      max_attempts INTEGER NOT NULL,
      worker_id TEXT,
      lease_until TEXT,
      progress TEXT,
      result TEXT,
      error TEXT,
      created_at TEXT NOT NULL,
      started_at TEXT,
      finished_at TEXT
    )`,
    'CREATE INDEX jobs_claimable ON jobs (status, created_at)',
  ],
};
