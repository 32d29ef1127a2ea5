// The job queue grows what a queue engine promises: cancellation (a status of its own), priorities, deferred start
// and retry back-off for the SQLite runner's table, and a progress table that both runners share — PostgreSQL's
// queue lives in pg-boss's own schema, which has nowhere to keep a running job's progress or its hand-backs — and a
// log per job that both runners share.
// SQLite cannot alter a CHECK constraint, so the table is rebuilt (portable DDL both databases accept).
import type { Migration } from '../migrate.js';

/** Migration 5: cancellable, prioritised, deferred jobs, their progress and their logs. */
export const jobQueue: Migration = {
  version: 5,
  name: 'job-queue',
  statements: [
    `CREATE TABLE jobs_v5 (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      payload TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
      attempts INTEGER NOT NULL,
      max_attempts INTEGER NOT NULL,
      priority INTEGER NOT NULL,
      start_after TEXT NOT NULL,
      retry_delay_ms INTEGER NOT NULL,
      worker_id TEXT,
      lease_until TEXT,
      progress TEXT,
      result TEXT,
      error TEXT,
      created_at TEXT NOT NULL,
      started_at TEXT,
      finished_at TEXT
    )`,
    `INSERT INTO jobs_v5 (id, kind, payload, status, attempts, max_attempts, priority, start_after, retry_delay_ms,
       worker_id, lease_until, progress, result, error, created_at, started_at, finished_at)
     SELECT id, kind, payload, status, attempts, max_attempts, 0, created_at, 0,
       worker_id, lease_until, progress, result, error, created_at, started_at, finished_at FROM jobs`,
    'DROP TABLE jobs',
    'ALTER TABLE jobs_v5 RENAME TO jobs',
    'CREATE INDEX jobs_claimable ON jobs (status, priority, start_after)',
    `CREATE TABLE job_progress (
      job_id TEXT PRIMARY KEY,
      progress TEXT,
      hand_backs INTEGER NOT NULL,
      worker_id TEXT,
      failure TEXT,
      updated_at TEXT NOT NULL
    )`,
    `CREATE TABLE job_logs (
      job_id TEXT NOT NULL,
      seq INTEGER NOT NULL,
      at TEXT NOT NULL,
      level TEXT NOT NULL,
      message TEXT NOT NULL,
      PRIMARY KEY (job_id, seq)
    )`,
  ],
};
