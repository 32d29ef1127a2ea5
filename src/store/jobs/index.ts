// The job queue: one interface, two runners (the store's own table for SQLite, pg-boss for PostgreSQL).
export { type PgBossQueueOptions, pgBossJobQueue } from './pg-boss-queue.js';
export { type JobLogLevel, type JobLogLine, type JobLogRepository, jobLogRepository } from './logs.js';
export { sqlJobQueue } from './sql-queue.js';
export {
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_RETRY_DELAY_MS,
  type EnqueueOptions,
  JOB_STATUSES,
  type Job,
  type JobRepository,
  type JobStatus,
  enqueueSettings,
} from './types.js';
