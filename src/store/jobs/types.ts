// What a job is and what every queue runner offers: the SQLite runner (our own table, one machine) and pg-boss on
// PostgreSQL (many workers on many machines) behind one interface, so workers, the CLI and the server never ask
// which one they have.
import { StoreError } from '../errors.js';

/** Where a job is. */
export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

/** Every job status, for validating filters. */
export const JOB_STATUSES: readonly JobStatus[] = ['queued', 'running', 'completed', 'failed', 'cancelled'];

/** A job. */
export interface Job {
  id: string;
  kind: string;
  payload: unknown;
  status: JobStatus;
  /** Claims that counted so far (a retry after a failure or a dead worker counts; a graceful hand-back does not). */
  attempts: number;
  maxAttempts: number;
  /** Higher runs first among claimable jobs of one kind. */
  priority: number;
  /** Not claimable before this time (deferred start, or a retry's back-off). */
  startAfter: string;
  /** The worker holding the job, where the runner records it. */
  workerId: string | null;
  /** The handler's latest progress report. */
  progress: unknown;
  result: unknown;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** How a job is queued. */
export interface EnqueueOptions {
  /** Claims before the job is given up (default 3). */
  maxAttempts?: number;
  /** Higher runs first (default 0). */
  priority?: number;
  /** Not before this time (default now). */
  startAfter?: Date;
  /** Wait before the first retry after a failure, doubling each time (default 10 s; 0 retries at once). */
  retryDelayMs?: number;
}

/** A job queue. */
export interface JobRepository {
  /** Which runner this is: `sql` (the store's own table; SQLite) or `pg-boss` (PostgreSQL). */
  readonly engine: 'sql' | 'pg-boss';
  /** Queues a job. */
  enqueue(kind: string, payload: unknown, opts?: EnqueueOptions): Promise<Job>;
  /**
   * Claims the claimable job of these kinds that should run first for `workerId`, or undefined when none. The claim
   * lasts `leaseMs` without renewal on the SQL runner; pg-boss uses its queue's heartbeat window.
   */
  claim(workerId: string, kinds: readonly string[], leaseMs: number): Promise<Job | undefined>;
  /** Extends the lease and records progress; false when the worker no longer holds the job (lost or cancelled). */
  heartbeat(id: string, workerId: string, leaseMs: number, progress?: unknown): Promise<boolean>;
  /** Finishes the job with its result; false when the worker no longer holds it. */
  complete(id: string, workerId: string, result: unknown): Promise<boolean>;
  /**
   * Records a failure: queued again (after the back-off) while attempts remain, else failed. With `retry: false`
   * (an error that retrying cannot fix: a bad payload, a diverged run) failed now, whatever attempts remain.
   */
  fail(id: string, workerId: string, error: string, opts?: { retry?: boolean }): Promise<boolean>;
  /**
   * Hands a job back unfinished (a graceful stop): queued again with its attempts as before the claim, its progress
   * kept for the next claim to resume from; false when the worker no longer holds it.
   */
  release(id: string, workerId: string): Promise<boolean>;
  /**
   * Cancels a queued or running job: it is never claimed again, and its worker stops it at the next lease renewal.
   * STORE_CONFLICT when it has already finished.
   */
  cancel(id: string): Promise<Job>;
  /** The job with this id; STORE_NOT_FOUND when absent. */
  get(id: string): Promise<Job>;
  /** Jobs, newest first. */
  list(filter?: { status?: JobStatus; kind?: string; limit?: number }): Promise<Job[]>;
  /** Releases what the runner holds (pg-boss's connections and timers). */
  close(): Promise<void>;
}

/** The default wait before a failed job's first retry. */
export const DEFAULT_RETRY_DELAY_MS = 10_000;

/** The default number of claims a job gets. */
export const DEFAULT_MAX_ATTEMPTS = 3;

/** Enqueue options with defaults applied, or STORE_INVALID naming the bad one. */
export function enqueueSettings(kind: string, opts: EnqueueOptions): Required<EnqueueOptions> {
  if (!/^[a-z][a-z0-9-]{0,62}$/.test(kind))
    throw new StoreError('STORE_INVALID', `job kind "${kind}": expected lower-case letters, digits and hyphens.`);
  const s = {
    maxAttempts: opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    priority: opts.priority ?? 0,
    startAfter: opts.startAfter ?? new Date(0),
    retryDelayMs: opts.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS,
  };
  if (!(Number.isInteger(s.maxAttempts) && s.maxAttempts > 0))
    throw new StoreError('STORE_INVALID', `job maxAttempts ${s.maxAttempts}: expected a whole number > 0.`);
  if (!Number.isInteger(s.priority))
    throw new StoreError('STORE_INVALID', `job priority ${s.priority}: expected a whole number.`);
  if (!(Number.isInteger(s.retryDelayMs) && s.retryDelayMs >= 0))
    throw new StoreError('STORE_INVALID', `job retryDelayMs ${s.retryDelayMs}: expected a whole number of milliseconds ≥ 0.`);
  if (Number.isNaN(s.startAfter.getTime())) throw new StoreError('STORE_INVALID', 'job startAfter: expected a valid date.');
  return s;
}
