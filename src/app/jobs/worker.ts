// A worker process's loop over the store's job queue: claim a job, keep its lease alive while the handler runs,
// record the result or the failure, repeat. A worker that dies stops renewing; when the lease runs out another
// worker claims the job again, and resumable handlers (batch scoring) continue where the dead one stopped.
import { hostname } from 'node:os';
import { DivergedError } from '../../core/train/index.js';
import type { Job, JobLogLevel, Store } from '../../store/index.js';
import { AppError } from '../errors.js';

/** Where a worker's log lines go (the server's JSON logger fits). */
export interface JobLogger {
  log(level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>): void;
}

/**
 * Runs one job; resolves to its result. When `signal` aborts, stop early and resumably: either throw (training
 * checkpoints, then throws) or resolve to a result with `completed: false` (batch scoring). Either way the job is
 * handed back without spending an attempt; a result without `completed: false` is a finished job, even if the
 * signal came while it finished. An AppError (the input is wrong) or a diverged run fails the job at once: another
 * attempt would fail the same way; any other error is retried while attempts remain.
 */
export type JobHandler = (
  job: Job,
  ctx: {
    signal: AbortSignal;
    /** Progress to record with the next lease renewal. */
    progress(p: unknown): void;
    /** Records progress now (what a successor must know even if this worker dies in the next second). */
    checkpoint(p: unknown): Promise<void>;
    workerId: string;
    /** The worker's store: handlers use it rather than opening another connection. */
    store: Store;
    /** Adds a line to the job's log (what a person reading the job later should know). */
    log(level: JobLogLevel, message: string): void;
  },
) => Promise<unknown>;

/** How a worker runs. */
export interface WorkerOptions {
  /** Unique per process (default host:pid). */
  workerId?: string;
  /** How long a claim lasts without renewal; renewed every third of it. */
  leaseMs?: number;
  /** Wait between polls of an empty queue. */
  pollMs?: number;
  /** Stop when the queue is empty instead of waiting for more. */
  untilEmpty?: boolean;
  /** Stop after the current job. */
  signal?: AbortSignal;
  logger?: JobLogger;
}

/** How often a running job's changed progress is written. */
const PROGRESS_MS = 500;

/** Processes jobs of the handlers' kinds until stopped; resolves to the number of jobs finished. */
export async function runWorker(store: Store, handlers: Record<string, JobHandler>, opts: WorkerOptions = {}): Promise<number> {
  const workerId = opts.workerId ?? `${hostname()}:${process.pid}`;
  const leaseMs = opts.leaseMs ?? 30_000;
  const pollMs = opts.pollMs ?? 1000;
  const log = (level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}) =>
    opts.logger?.log(level, msg, { workerId, ...fields });
  const logLost = (id: string, reason: unknown) =>
    reason === 'cancelled'
      ? log('info', 'job cancelled; stopped', { job: id })
      : log('warn', 'job taken over by another worker; result dropped', { job: id });
  let done = 0;
  log('info', 'worker started', { kinds: Object.keys(handlers) });
  while (!opts.signal?.aborted) {
    const job = await store.jobs.claim(workerId, Object.keys(handlers), leaseMs);
    if (!job) {
      if (opts.untilEmpty) break;
      await sleep(pollMs, opts.signal);
      continue;
    }
    log('info', 'job claimed', { job: job.id, kind: job.kind, attempt: job.attempts });
    // The job's own log, written in order without holding the job up; flushed before the next claim.
    let logged: Promise<void> = Promise.resolve();
    const say = (level: JobLogLevel, message: string): void => {
      logged = logged
        .then(() => store.jobLogs.append(job.id, level, message))
        .catch((e: Error) => log('warn', 'job log not written', { job: job.id, error: e.message }));
    };
    say('info', `claimed by ${workerId} (attempt ${job.attempts} of ${job.maxAttempts})`);
    const stop = new AbortController();
    const onOuterAbort = () => stop.abort('stopping');
    opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
    let progress: unknown;
    let lost = false;
    // A job this worker no longer holds was cancelled, or taken over after a lease it failed to renew in time; the
    // handler is stopped either way, and told which (its signal's reason).
    const loseJob = async () => {
      if (lost) return;
      lost = true;
      const now = await store.jobs.get(job.id).catch(() => undefined);
      stop.abort(now?.status === 'cancelled' ? 'cancelled' : 'lost');
    };
    // The lease is renewed every third of it; progress that changed is written sooner (twice a second), so a live
    // view (the API's SSE stream) follows a job step by step without waiting for the next renewal.
    let written: unknown;
    let lastRenewal = Date.now();
    const renew = setInterval(
      () => {
        const due = Date.now() - lastRenewal >= leaseMs / 3;
        if (!due && progress === written) return;
        lastRenewal = Date.now();
        written = progress;
        store.jobs
          .heartbeat(job.id, workerId, leaseMs, progress)
          .then((held) => (held ? undefined : loseJob()))
          .catch((e: Error) => log('warn', 'lease renewal failed', { job: job.id, error: e.message }));
      },
      Math.max(50, Math.min(PROGRESS_MS, leaseMs / 3)),
    );
    try {
      const handler = handlers[job.kind] as JobHandler;
      const result = await handler(job, {
        signal: stop.signal,
        workerId,
        store,
        progress: (p) => {
          progress = p;
        },
        log: say,
        checkpoint: async (p) => {
          progress = p;
          if (!(await store.jobs.heartbeat(job.id, workerId, leaseMs, p))) await loseJob();
        },
      });
      const stoppedEarly = (result as { completed?: unknown } | null)?.completed === false;
      if (lost) {
        logLost(job.id, stop.signal.reason);
        say('warn', lostText(workerId, stop.signal.reason));
      } else if (stop.signal.aborted && stoppedEarly) {
        // Stopped on request: hand the job back, without spending an attempt, so another worker (or this one,
        // restarted) resumes it.
        await store.jobs.release(job.id, workerId);
        log('info', 'job handed back', { job: job.id });
        say('info', `handed back by ${workerId} (stopping); the attempt does not count`);
      } else {
        // The latest progress since the last renewal, so a finished job shows where it ended.
        if (progress !== undefined) await store.jobs.heartbeat(job.id, workerId, leaseMs, progress);
        await store.jobs.complete(job.id, workerId, result ?? null);
        done++;
        log('info', 'job completed', { job: job.id });
        say('info', `completed by ${workerId}`);
      }
    } catch (e) {
      const message = (e as Error).message;
      if (lost) {
        logLost(job.id, stop.signal.reason);
        say('warn', lostText(workerId, stop.signal.reason));
      } else if (stop.signal.aborted) {
        // A handler that stops by throwing (training checkpoints, then throws) was asked to: a hand-back too.
        await store.jobs.release(job.id, workerId).catch(() => undefined);
        log('info', 'job handed back', { job: job.id, reason: message });
        say('info', `handed back by ${workerId} (stopping: ${message}); the attempt does not count`);
      } else {
        const retry = retryable(e);
        log('error', 'job failed', { job: job.id, error: message, retry });
        say(
          'error',
          `failed on ${workerId}: ${message}${retry ? (job.attempts < job.maxAttempts ? ' (will be retried)' : ' (no attempts left)') : ' (not retried: another attempt would fail the same way)'}`,
        );
        await store.jobs.fail(job.id, workerId, message, { retry }).catch(() => undefined);
      }
    } finally {
      await logged;
      clearInterval(renew);
      opts.signal?.removeEventListener('abort', onOuterAbort);
    }
  }
  log('info', 'worker stopped', { jobs: done });
  return done;
}

/** Why a worker let a job go, for the job's log. */
function lostText(workerId: string, reason: unknown): string {
  return reason === 'cancelled'
    ? `cancelled; ${workerId} stopped it`
    : `${workerId} lost its claim (it renewed too late) and dropped its result; another worker has the job`;
}

/** Whether another attempt could succeed: not when the input is wrong (an AppError) or the run diverged. */
function retryable(e: unknown): boolean {
  return !(AppError.isInstance(e) || DivergedError.isInstance(e));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}
