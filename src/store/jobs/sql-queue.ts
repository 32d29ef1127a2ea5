// The store's own job queue, for SQLite (the embedded default): one machine, one writer at a time, so a plain table
// is the whole engine. Claims take the claimable job that should run first — queued and due (deferred start, retry
// back-off), or running under a lease that expired because its worker died — highest priority, then oldest. Every
// change after the claim names the worker and holds only while its lease does, so a worker that lost its job
// cannot overwrite the newer worker's result. Leases are written and compared with the database's clock, and a
// worker that stops on request hands its job back without spending an attempt.
import type { Executor, SqlValue } from '../driver.js';
import { StoreError } from '../errors.js';
import { checkText, databaseNow, fromJson, newId, toJson, whereGiven } from '../values.js';
import { retentionDays, retentionPruner } from './retention.js';
import { type Job, type JobRepository, type JobStatus, enqueueSettings } from './types.js';

interface Row {
  id: string;
  kind: string;
  payload: string;
  status: JobStatus;
  attempts: number;
  max_attempts: number;
  priority: number;
  start_after: string;
  retry_delay_ms: number;
  worker_id: string | null;
  lease_until: string | null;
  progress: string | null;
  result: string | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

const COLUMNS =
  'id, kind, payload, status, attempts, max_attempts, priority, start_after, retry_delay_ms, worker_id, lease_until, progress, result, error, created_at, started_at, finished_at';

const toJob = (r: Row): Job => ({
  id: r.id,
  kind: r.kind,
  payload: fromJson(r.payload),
  status: r.status,
  attempts: Number(r.attempts),
  maxAttempts: Number(r.max_attempts),
  priority: Number(r.priority),
  startAfter: r.start_after,
  workerId: r.worker_id,
  progress: fromJson(r.progress),
  result: fromJson(r.result),
  error: r.error,
  createdAt: r.created_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
});

/** A time `ms` after the database's now, as stored text. */
const after = (t: Date, ms: number): string => new Date(t.getTime() + ms).toISOString();

/** The SQL job queue over one executor; finished jobs are kept `retentionDays` (default 30, PROMPTUNE_JOB_RETENTION_DAYS). */
export function sqlJobQueue(ex: Executor, options: { retentionDays?: number } = {}): JobRepository {
  const prune = retentionPruner(ex, retentionDays(options.retentionDays), true);
  // Only the worker holding a live lease may change a running job.
  const held = "id = ? AND worker_id = ? AND status = 'running' AND lease_until > ?";
  const update = async (sql: string, params: (t: Date) => SqlValue[], id: string, workerId: string): Promise<boolean> => {
    checkText(workerId, 'workerId');
    const t = await databaseNow(ex);
    const changed = await ex.query<{ id: string }>(`UPDATE jobs SET ${sql} WHERE ${held} RETURNING id`, [
      ...params(t),
      id,
      workerId,
      t.toISOString(),
    ]);
    return changed.length > 0;
  };
  const repo: JobRepository = {
    engine: 'sql',
    async enqueue(kind, payload, opts = {}) {
      const s = enqueueSettings(kind, opts);
      const id = newId('job');
      const t = await databaseNow(ex);
      const startAfter = s.startAfter > t ? s.startAfter : t;
      await ex.run(
        `INSERT INTO jobs (${COLUMNS}) VALUES (?, ?, ?, 'queued', 0, ?, ?, ?, ?, NULL, NULL, NULL, NULL, NULL, ?, NULL, NULL)`,
        [
          id,
          kind,
          toJson(payload, 'job payload'),
          s.maxAttempts,
          s.priority,
          startAfter.toISOString(),
          s.retryDelayMs,
          t.toISOString(),
        ],
      );
      return repo.get(id);
    },
    async claim(workerId, kinds, leaseMs) {
      checkText(workerId, 'workerId');
      if (!kinds.length) return undefined;
      const t = await databaseNow(ex);
      await prune(t);
      const at = t.toISOString();
      const lock = ex.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
      const claimable = `kind IN (${kinds.map(() => '?').join(', ')}) AND ((status = 'queued' AND start_after <= ?) OR (status = 'running' AND lease_until <= ?))`;
      // "id = (scalar subquery)", not "id IN (…)": PostgreSQL may re-run an IN subquery for each row it scans, and
      // with SKIP LOCKED each run can pick a different row, so one claim could take several jobs. The outer WHERE
      // repeats the conditions: a row that changed while PostgreSQL waited is re-checked, not taken.
      const rows = await ex.query<Row>(
        `UPDATE jobs SET status = 'running', worker_id = ?, lease_until = ?, attempts = attempts + 1,
           started_at = COALESCE(started_at, ?), error = NULL
         WHERE id = (SELECT id FROM jobs WHERE ${claimable} ORDER BY priority DESC, created_at, id LIMIT 1${lock})
           AND ${claimable}
         RETURNING ${COLUMNS}`,
        [workerId, after(t, leaseMs), at, ...kinds, at, at, ...kinds, at, at],
      );
      const row = rows[0];
      if (!row) return undefined;
      // A job whose worker died on every attempt is given up rather than claimed forever.
      if (Number(row.attempts) > Number(row.max_attempts)) {
        await ex.run("UPDATE jobs SET status = 'failed', finished_at = ?, error = ? WHERE id = ?", [
          at,
          `gave up after ${row.max_attempts} attempts (the last worker stopped renewing its lease)`,
          row.id,
        ]);
        return repo.claim(workerId, kinds, leaseMs);
      }
      return toJob(row);
    },
    heartbeat(id, workerId, leaseMs, progress) {
      return progress === undefined
        ? update('lease_until = ?', (t) => [after(t, leaseMs)], id, workerId)
        : update('lease_until = ?, progress = ?', (t) => [after(t, leaseMs), toJson(progress, 'job progress')], id, workerId);
    },
    complete(id, workerId, result) {
      const json = toJson(result ?? null, 'job result');
      return update(
        "status = 'completed', result = ?, finished_at = ?, lease_until = NULL",
        (t) => [json, t.toISOString()],
        id,
        workerId,
      );
    },
    release(id, workerId) {
      // The claim counted an attempt; a hand-back is not one, so it is taken back.
      return update("status = 'queued', attempts = attempts - 1, lease_until = NULL, worker_id = NULL", () => [], id, workerId);
    },
    async fail(id, workerId, error, opts = {}) {
      const job = await repo.get(id);
      if (opts.retry === false || job.attempts >= job.maxAttempts)
        return update("status = 'failed', error = ?, finished_at = ?", (t) => [error, t.toISOString()], id, workerId);
      const [row] = await ex.query<{ retry_delay_ms: number }>('SELECT retry_delay_ms FROM jobs WHERE id = ?', [id]);
      // Exponential back-off: the delay doubles with each failed attempt.
      const delay = Number(row?.retry_delay_ms ?? 0) * 2 ** (job.attempts - 1);
      return update(
        "status = 'queued', error = ?, start_after = ?, lease_until = NULL, worker_id = NULL",
        (t) => [error, after(t, delay)],
        id,
        workerId,
      );
    },
    async cancel(id) {
      const t = await databaseNow(ex);
      const changed = await ex.query<{ id: string }>(
        "UPDATE jobs SET status = 'cancelled', finished_at = ?, lease_until = NULL WHERE id = ? AND status IN ('queued', 'running') RETURNING id",
        [t.toISOString(), id],
      );
      const job = await repo.get(id);
      if (!changed.length)
        throw new StoreError('STORE_CONFLICT', `job "${id}" is ${job.status}: only a queued or running job can be cancelled.`);
      return job;
    },
    async get(id) {
      const [row] = await ex.query<Row>(`SELECT ${COLUMNS} FROM jobs WHERE id = ?`, [id]);
      if (!row) throw new StoreError('STORE_NOT_FOUND', `job "${id}" is not in the store: check the id.`);
      return toJob(row);
    },
    async list(filter = {}) {
      const w = whereGiven([
        ['status = ?', filter.status],
        ['kind = ?', filter.kind],
      ]);
      const params = filter.limit === undefined ? w.params : [...w.params, filter.limit];
      const rows = await ex.query<Row>(
        `SELECT ${COLUMNS} FROM jobs${w.sql} ORDER BY created_at DESC, id DESC${filter.limit === undefined ? '' : ' LIMIT ?'}`,
        params,
      );
      return rows.map(toJob);
    },
    close: async () => {},
  };
  return repo;
}
