// Jobs on the store's queue. Claims take the oldest claimable job — queued, or running under a lease that expired
// because its worker died — atomically across processes (PostgreSQL skips rows another claimer has locked;
// SQLite has one writer at a time). Every change after the claim names the worker and holds only while its lease
// does, so a worker that lost its job to another cannot overwrite the newer worker's result. Leases are written and
// compared with the database's clock (one clock for every worker), and a worker that stops on request hands its
// job back without spending an attempt.
import type { Executor, SqlValue } from './driver.js';
import { StoreError } from './errors.js';
import { checkText, databaseNow, fromJson, newId, toJson, whereGiven } from './values.js';

/** Where a job is. */
export type JobStatus = 'queued' | 'running' | 'completed' | 'failed';

/** A job. */
export interface Job {
  id: string;
  kind: string;
  payload: unknown;
  status: JobStatus;
  /** Claims so far (a retry after a failure or an expired lease counts). */
  attempts: number;
  maxAttempts: number;
  workerId: string | null;
  leaseUntil: string | null;
  /** The handler's latest progress report. */
  progress: unknown;
  result: unknown;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** The job queue in the store. */
export interface JobRepository {
  /** Queues a job. */
  enqueue(kind: string, payload: unknown, opts?: { maxAttempts?: number }): Promise<Job>;
  /** Claims the oldest claimable job of these kinds for `workerId` for `leaseMs`, or undefined when none. */
  claim(workerId: string, kinds: readonly string[], leaseMs: number): Promise<Job | undefined>;
  /** Extends the lease and records progress; false when the worker no longer holds the job. */
  heartbeat(id: string, workerId: string, leaseMs: number, progress?: unknown): Promise<boolean>;
  /** Finishes the job with its result; false when the worker no longer holds it. */
  complete(id: string, workerId: string, result: unknown): Promise<boolean>;
  /** Records a failure: queued again while attempts remain, else failed; false when the worker no longer holds it. */
  fail(id: string, workerId: string, error: string): Promise<boolean>;
  /**
   * Hands a job back unfinished (a graceful stop): queued again with its attempts as before the claim, its progress
   * kept for the next claim to resume from; false when the worker no longer holds it.
   */
  release(id: string, workerId: string): Promise<boolean>;
  /** The job with this id; STORE_NOT_FOUND when absent. */
  get(id: string): Promise<Job>;
  /** Jobs, newest first. */
  list(filter?: { status?: JobStatus; kind?: string; limit?: number }): Promise<Job[]>;
}

interface Row {
  id: string;
  kind: string;
  payload: string;
  status: JobStatus;
  attempts: number;
  max_attempts: number;
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
  'id, kind, payload, status, attempts, max_attempts, worker_id, lease_until, progress, result, error, created_at, started_at, finished_at';

const toJob = (r: Row): Job => ({
  id: r.id,
  kind: r.kind,
  payload: fromJson(r.payload),
  status: r.status,
  attempts: Number(r.attempts),
  maxAttempts: Number(r.max_attempts),
  workerId: r.worker_id,
  leaseUntil: r.lease_until,
  progress: fromJson(r.progress),
  result: fromJson(r.result),
  error: r.error,
  createdAt: r.created_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
});

/** A time `ms` after the database's now, as stored text. */
const after = (t: Date, ms: number): string => new Date(t.getTime() + ms).toISOString();

/** The job repository over one executor. */
export function jobRepository(ex: Executor): JobRepository {
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
    async enqueue(kind, payload, opts = {}) {
      const maxAttempts = opts.maxAttempts ?? 3;
      if (!(Number.isInteger(maxAttempts) && maxAttempts > 0))
        throw new StoreError('STORE_INVALID', `job maxAttempts ${maxAttempts}: expected a whole number > 0.`);
      const id = newId('job');
      await ex.run(
        `INSERT INTO jobs (${COLUMNS}) VALUES (?, ?, ?, 'queued', 0, ?, NULL, NULL, NULL, NULL, NULL, ?, NULL, NULL)`,
        [id, checkText(kind, 'job kind'), toJson(payload, 'job payload'), maxAttempts, (await databaseNow(ex)).toISOString()],
      );
      return repo.get(id);
    },
    async claim(workerId, kinds, leaseMs) {
      checkText(workerId, 'workerId');
      if (!kinds.length) return undefined;
      const t = await databaseNow(ex);
      const at = t.toISOString();
      const lock = ex.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
      const claimable = `kind IN (${kinds.map(() => '?').join(', ')}) AND (status = 'queued' OR (status = 'running' AND lease_until <= ?))`;
      // "id = (scalar subquery)", not "id IN (…)": PostgreSQL may re-run an IN subquery for each row it scans, and
      // with SKIP LOCKED each run can pick a different row, so one claim could take several jobs. The outer WHERE
      // repeats the conditions: a row that changed while PostgreSQL waited is re-checked, not taken.
      const rows = await ex.query<Row>(
        `UPDATE jobs SET status = 'running', worker_id = ?, lease_until = ?, attempts = attempts + 1,
           started_at = COALESCE(started_at, ?), error = NULL
         WHERE id = (SELECT id FROM jobs WHERE ${claimable} ORDER BY created_at, id LIMIT 1${lock})
           AND ${claimable}
         RETURNING ${COLUMNS}`,
        [workerId, after(t, leaseMs), at, ...kinds, at, ...kinds, at],
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
    async fail(id, workerId, error) {
      const job = await repo.get(id);
      const retry = job.attempts < job.maxAttempts;
      return update(
        retry
          ? "status = 'queued', error = ?, lease_until = NULL, worker_id = NULL"
          : "status = 'failed', error = ?, finished_at = ?",
        (t) => (retry ? [error] : [error, t.toISOString()]),
        id,
        workerId,
      );
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
  };
  return repo;
}
