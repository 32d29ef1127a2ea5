// The job queue on PostgreSQL, on pg-boss: its queues (one per job kind) give what users who outgrow one machine
// expect of a queue engine — claims with SKIP LOCKED across many workers on many machines, liveness by heartbeat
// judged on the database's clock, retries with exponential back-off, priorities, deferred start, cancellation and
// retention — and every call here is pg-boss's public API. What pg-boss has no place for, a running job's
// progress and how many times it was handed back, lives in the store's job_progress table.
//
// A graceful hand-back must not spend an attempt, and pg-boss counts every re-fetch of a started job as a retry;
// so a hand-back cancels, resumes and raises the job's retry limit by one in one transaction, and the hand-backs
// are subtracted when a job's attempts are reported. pg-boss fails terminally only inside its batch handlers; a
// failure that retrying cannot fix is a fail and a cancel in one transaction, with the error kept beside it, and
// is reported as failed.
//
// Before the queue moved to pg-boss, PostgreSQL stores queued jobs in the store's own jobs table. Those still
// waiting (or running under a lease that ran out: their worker is gone) are moved onto pg-boss the first time the
// queue is used, each in one transaction with its row marked moved, so an upgrade loses no job and two processes
// starting at once move each job once; the old id still finds the job.
import pg from 'pg';
import { PgBoss } from 'pg-boss';
import type { JobWithMetadata } from 'pg-boss';
import type { Executor } from '../driver.js';
import { StoreError } from '../errors.js';
import { checkText, databaseNow, fromJson, toJson } from '../values.js';
import { envNumber, retentionDays, retentionPruner } from './retention.js';
import { type Job, type JobRepository, type JobStatus, enqueueSettings } from './types.js';

/** How the pg-boss runner is tuned; each has an environment variable for operators. */
export interface PgBossQueueOptions {
  /** A running job whose worker sent no heartbeat for this long is retried elsewhere (≥ 10; PROMPTUNE_JOB_HEARTBEAT_S, default 30). */
  heartbeatSeconds?: number;
  /** How often dead workers' jobs are looked for (PROMPTUNE_JOB_SUPERVISE_S, default 10). */
  superviseSeconds?: number;
  /** Finished jobs are deleted after this many days (PROMPTUNE_JOB_RETENTION_DAYS, default 30). */
  retentionDays?: number;
}

const PREFIX = 'promptune.';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const queueName = (kind: string): string => `${PREFIX}${kind}`;
// pg-boss fails an active job after its expiry whatever its heartbeats say; the heartbeat is the liveness check, so
// the expiry is pg-boss's maximum (training can run for hours).
const EXPIRE_SECONDS = 24 * 60 * 60;

interface Held {
  kind: string;
  workerId: string;
  retryCount: number;
}

interface Side {
  progress: unknown;
  handBacks: number;
  workerId: string | null;
  /** A failure that was not to be retried (the job is cancelled in pg-boss). */
  failure: string | null;
}

const STATUS: Record<JobWithMetadata['state'], JobStatus> = {
  created: 'queued',
  retry: 'queued',
  active: 'running',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
};

const iso = (d: Date | string | null | undefined): string | null => (d ? new Date(d).toISOString() : null);

function toJob(j: JobWithMetadata, kind: string, side: Side | undefined): Job {
  const handBacks = side?.handBacks ?? 0;
  const failedForGood = j.state === 'cancelled' && typeof side?.failure === 'string';
  const status = failedForGood ? 'failed' : STATUS[j.state];
  const output = (j.output ?? null) as { result?: unknown; message?: string } | null;
  return {
    id: j.id,
    kind,
    payload: j.data,
    status,
    // pg-boss counts a re-fetch of a started job as a retry; hand-backs are not attempts.
    attempts: j.startedOn ? j.retryCount + 1 - handBacks : 0,
    maxAttempts: j.retryLimit + 1 - handBacks,
    priority: j.priority,
    startAfter: iso(j.startAfter) ?? iso(j.createdOn) ?? '',
    workerId: status === 'queued' ? null : (side?.workerId ?? null),
    progress: side?.progress ?? null,
    result: status === 'completed' ? (output?.result ?? null) : null,
    error: failedForGood
      ? (side?.failure ?? null)
      : j.state === 'failed' || j.state === 'retry'
        ? (output?.message ?? null)
        : null,
    createdAt: iso(j.createdOn) ?? '',
    startedAt: iso(j.startedOn),
    finishedAt: status === 'completed' || status === 'failed' || status === 'cancelled' ? iso(j.completedOn) : null,
  };
}

/** The pg-boss job queue for the PostgreSQL store at `url`; `ex` is the store's executor (for job_progress). */
export function pgBossJobQueue(url: string, ex: Executor, options: PgBossQueueOptions = {}): JobRepository {
  const heartbeatSeconds = Math.max(10, Math.round(options.heartbeatSeconds ?? envNumber('PROMPTUNE_JOB_HEARTBEAT_S', 30)));
  const superviseSeconds = Math.max(1, Math.round(options.superviseSeconds ?? envNumber('PROMPTUNE_JOB_SUPERVISE_S', 10)));
  const keepDays = retentionDays(options.retentionDays);
  const prune = retentionPruner(ex, keepDays, false);
  let started: Promise<PgBoss> | undefined;
  let txPool: pg.Pool | undefined;
  const queues = new Set<string>();
  const held = new Map<string, Held>();
  const kinds = new Map<string, string>();

  // pg-boss installs its schema on first start, so a store that never touches jobs never creates it.
  const boss = (): Promise<PgBoss> => {
    started ??= (async () => {
      const b = new PgBoss({
        connectionString: url,
        max: 3,
        superviseIntervalSeconds: superviseSeconds,
        monitorIntervalSeconds: superviseSeconds,
        schedule: false,
      });
      b.on('error', () => {
        // Maintenance errors (a dropped connection) are retried by pg-boss on its next pass; calls report their own.
      });
      try {
        await b.start();
      } catch (e) {
        throw new StoreError('STORE_CONNECT', `the job queue (pg-boss) could not start: ${(e as Error).message}`);
      }
      return b;
    })();
    return started;
  };
  const queue = async (kind: string): Promise<PgBoss> => {
    const b = await boss();
    const name = queueName(kind);
    if (!queues.has(name)) {
      if (!(await b.getQueue(name)))
        await b
          .createQueue(name, {
            heartbeatSeconds,
            expireInSeconds: EXPIRE_SECONDS,
            deleteAfterSeconds: Math.round(keepDays * 86_400),
          })
          // Another process may have created it between the look and the create.
          .catch(async (e: Error) => {
            if (!(await b.getQueue(name))) throw e;
          });
      queues.add(name);
    }
    return b;
  };
  const sides = async (ids: string[]): Promise<Map<string, Side>> => {
    const out = new Map<string, Side>();
    if (!ids.length) return out;
    const rows = await ex.query<{
      job_id: string;
      progress: string | null;
      hand_backs: number;
      worker_id: string | null;
      failure: string | null;
    }>(
      `SELECT job_id, progress, hand_backs, worker_id, failure FROM job_progress WHERE job_id IN (${ids.map(() => '?').join(', ')})`,
      ids,
    );
    for (const r of rows)
      out.set(r.job_id, {
        progress: fromJson(r.progress),
        handBacks: Number(r.hand_backs),
        workerId: r.worker_id,
        failure: r.failure,
      });
    return out;
  };
  const writeSide = async (
    id: string,
    set: { progress?: unknown; workerId?: string | null; handBack?: boolean; failure?: string },
  ) => {
    const progress = set.progress === undefined ? null : toJson(set.progress, 'job progress');
    await ex.run(
      `INSERT INTO job_progress (job_id, progress, hand_backs, worker_id, failure, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (job_id) DO UPDATE SET
         progress = COALESCE(excluded.progress, job_progress.progress),
         hand_backs = job_progress.hand_backs + excluded.hand_backs,
         worker_id = ${set.workerId === undefined ? 'job_progress.worker_id' : 'excluded.worker_id'},
         failure = COALESCE(excluded.failure, job_progress.failure),
         updated_at = excluded.updated_at`,
      [id, progress, set.handBack ? 1 : 0, set.workerId ?? null, set.failure ?? null, new Date().toISOString()],
    );
  };
  const find = async (id: string): Promise<{ job: JobWithMetadata; kind: string } | undefined> => {
    await adopt();
    // pg-boss ids are UUIDs; anything else is an old table job that was moved, or no job of ours.
    if (!UUID.test(id)) {
      const to = await movedTo(id);
      return to ? find(to) : undefined;
    }
    const b = await boss();
    const known = kinds.get(id);
    const names = known ? [queueName(known)] : (await b.getQueues()).map((q) => q.name).filter((n) => n.startsWith(PREFIX));
    for (const name of names) {
      const [job] = await b.findJobs(name, { id });
      if (job) {
        const kind = name.slice(PREFIX.length);
        kinds.set(id, kind);
        return { job: job as JobWithMetadata, kind };
      }
    }
    return undefined;
  };
  const holding = (id: string, workerId: string): Held | undefined => {
    const h = held.get(id);
    return h && h.workerId === workerId ? h : undefined;
  };
  const affected = (r: unknown): number => Number((r as { affected?: number } | undefined)?.affected ?? 0);
  const settle = async (id: string, workerId: string, how: (b: PgBoss, h: Held) => Promise<unknown>): Promise<boolean> => {
    checkText(workerId, 'workerId');
    const h = holding(id, workerId);
    if (!h) return false;
    held.delete(id);
    try {
      return affected(await how(await queue(h.kind), h)) > 0;
    } catch {
      // pg-boss rejects settling an attempt that is no longer active (retried elsewhere, or cancelled).
      return false;
    }
  };

  const moved = (newId: string): string => `moved to the pg-boss queue as job ${newId}`;
  const MOVED = /^moved to the pg-boss queue as job ([0-9a-f-]{36})$/;
  let adoption: Promise<void> | undefined;
  const adopt = (): Promise<void> => {
    adoption ??= (async () => {
      const t = await databaseNow(ex);
      const rows = await ex.query<{ id: string; kind: string }>(
        "SELECT id, kind FROM jobs WHERE status = 'queued' OR (status = 'running' AND lease_until < ?) ORDER BY created_at",
        [t.toISOString()],
      );
      for (const { id, kind } of rows) {
        const b = await queue(kind);
        txPool ??= new pg.Pool({ connectionString: url, max: 1 });
        const client = await txPool.connect();
        try {
          await client.query('BEGIN');
          const { rows: taken } = await client.query<{
            payload: string | null;
            attempts: number;
            max_attempts: number;
            priority: number;
            start_after: string;
            retry_delay_ms: number;
          }>(
            `UPDATE jobs SET status = 'cancelled', finished_at = $2 WHERE id = $1
               AND (status = 'queued' OR (status = 'running' AND lease_until < $2))
             RETURNING payload, attempts, max_attempts, priority, start_after, retry_delay_ms`,
            [id, t.toISOString()],
          );
          const row = taken[0];
          if (!row) {
            await client.query('ROLLBACK');
            continue;
          }
          const retryDelay = Math.round(Number(row.retry_delay_ms) / 1000);
          const startAfter = new Date(row.start_after);
          const newId = await b.send(queueName(kind), (fromJson(row.payload) ?? null) as object, {
            // The attempts it already spent stay spent.
            retryLimit: Math.max(0, Number(row.max_attempts) - Number(row.attempts) - 1),
            priority: Number(row.priority),
            ...(startAfter.getTime() > t.getTime() ? { startAfter } : {}),
            ...(retryDelay > 0 ? { retryDelay, retryBackoff: true } : { retryDelay: 0 }),
            db: { executeSql: (text: string, values?: unknown[]) => client.query(text, values) },
          });
          if (!newId) throw new Error(`pg-boss did not accept job ${id}`);
          await client.query('UPDATE jobs SET error = $2 WHERE id = $1', [id, moved(newId)]);
          await client.query('COMMIT');
          kinds.set(newId, kind);
        } catch (e) {
          await client.query('ROLLBACK').catch(() => undefined);
          // Tried again by the next process to start; the job stays in the old table meanwhile.
          adoption = undefined;
          throw new StoreError('STORE_QUERY', `moving job ${id} onto the pg-boss queue failed: ${(e as Error).message}`);
        } finally {
          client.release();
        }
      }
    })();
    return adoption;
  };
  /** The pg-boss id an old table job was moved to. */
  const movedTo = async (id: string): Promise<string | undefined> => {
    const [row] = await ex.query<{ error: string | null }>('SELECT error FROM jobs WHERE id = ?', [id]);
    return row?.error?.match(MOVED)?.[1];
  };

  // pg-boss calls in one transaction on a connection of our own; false (and the job let go) when any of them fails.
  type Db = { executeSql: (text: string, values?: unknown[]) => Promise<{ rows: unknown[] }> };
  const inTransaction = async (id: string, body: (b: PgBoss, db: Db) => Promise<void>): Promise<boolean> => {
    const b = await boss();
    txPool ??= new pg.Pool({ connectionString: url, max: 1 });
    const client = await txPool.connect();
    const db: Db = { executeSql: (text, values) => client.query(text, values) };
    try {
      await client.query('BEGIN');
      await body(b, db);
      await client.query('COMMIT');
      return true;
    } catch {
      await client.query('ROLLBACK').catch(() => undefined);
      return false;
    } finally {
      client.release();
      held.delete(id);
    }
  };

  const repo: JobRepository = {
    engine: 'pg-boss',
    async enqueue(kind, payload, opts = {}) {
      const s = enqueueSettings(kind, opts);
      const b = await queue(kind);
      const retryDelay = Math.round(s.retryDelayMs / 1000);
      const id = await b.send(queueName(kind), (payload ?? null) as object, {
        retryLimit: s.maxAttempts - 1,
        priority: s.priority,
        ...(s.startAfter.getTime() > 0 ? { startAfter: s.startAfter } : {}),
        ...(retryDelay > 0 ? { retryDelay, retryBackoff: true } : { retryDelay: 0 }),
      });
      if (!id) throw new StoreError('STORE_QUERY', `the job queue did not accept the ${kind} job.`);
      kinds.set(id, kind);
      return repo.get(id);
    },
    async claim(workerId, want) {
      checkText(workerId, 'workerId');
      await adopt();
      await prune(await databaseNow(ex));
      for (const kind of want) {
        const b = await queue(kind);
        const [job] = await b.fetch<object>(queueName(kind), { includeMetadata: true, batchSize: 1 });
        if (!job) continue;
        held.set(job.id, { kind, workerId, retryCount: job.retryCount });
        kinds.set(job.id, kind);
        await writeSide(job.id, { workerId });
        return toJob(job, kind, (await sides([job.id])).get(job.id));
      }
      return undefined;
    },
    async heartbeat(id, workerId, _leaseMs, progress) {
      const h = holding(id, workerId);
      if (!h) return false;
      const b = await queue(h.kind);
      // Fenced to this worker's attempt: after a retry elsewhere, or a cancel, it touches nothing.
      const touched = affected(await b.touch(queueName(h.kind), { id, retryCount: h.retryCount }));
      if (!touched) {
        held.delete(id);
        return false;
      }
      if (progress !== undefined) await writeSide(id, { progress });
      return true;
    },
    complete(id, workerId, result) {
      return settle(id, workerId, (b, h) =>
        b.complete(queueName(h.kind), { id, retryCount: h.retryCount }, { result: result ?? null }),
      );
    },
    async fail(id, workerId, error, opts = {}) {
      if (opts.retry !== false)
        return settle(id, workerId, (b, h) => b.fail(queueName(h.kind), { id, retryCount: h.retryCount }, { message: error }));
      const h = holding(id, workerId);
      if (!h) return false;
      const failed = await inTransaction(id, async (b, db) => {
        const name = queueName(h.kind);
        if (!affected(await b.fail(name, { id, retryCount: h.retryCount }, { message: error }, { db })))
          throw new Error('the job was no longer active');
        await b.cancel(name, id, { db });
      });
      // A cancelled job with a failure beside it reads as failed.
      if (failed) await writeSide(id, { failure: error });
      return failed;
    },
    async release(id, workerId) {
      const h = holding(id, workerId);
      if (!h) return false;
      const b = await queue(h.kind);
      const name = queueName(h.kind);
      const found = await find(id);
      if (!found || found.job.state !== 'active' || found.job.retryCount !== h.retryCount) {
        held.delete(id);
        return false;
      }
      const handedBack = await inTransaction(id, async (_b, db) => {
        if (!affected(await b.cancel(name, id, { db }))) throw new Error('the job was no longer active');
        await b.resume(name, id, { db });
        // The next fetch counts a retry; one more allowed keeps the attempts left as they were.
        await b.update(name, undefined, { id, retryLimit: found.job.retryLimit + 1, db });
      });
      if (handedBack) await writeSide(id, { handBack: true, workerId: null });
      return handedBack;
    },
    async cancel(id) {
      const found = await find(id);
      if (!found) throw new StoreError('STORE_NOT_FOUND', `job "${id}" is not in the store: check the id.`);
      const b = await boss();
      const done = affected(await b.cancel(queueName(found.kind), id));
      const job = await repo.get(id);
      if (!done)
        throw new StoreError('STORE_CONFLICT', `job "${id}" is ${job.status}: only a queued or running job can be cancelled.`);
      return job;
    },
    async get(id) {
      const found = await find(id);
      if (!found) throw new StoreError('STORE_NOT_FOUND', `job "${id}" is not in the store: check the id.`);
      return toJob(found.job, found.kind, (await sides([id])).get(id));
    },
    async list(filter = {}) {
      await adopt();
      const b = await boss();
      const names = filter.kind
        ? [queueName(filter.kind)]
        : (await b.getQueues()).map((q) => q.name).filter((n) => n.startsWith(PREFIX));
      const all: { job: JobWithMetadata; kind: string }[] = [];
      for (const name of names) {
        if (!(await b.getQueue(name))) continue;
        for (const job of await b.findJobs(name, { limit: 100_000 }))
          all.push({ job: job as JobWithMetadata, kind: name.slice(PREFIX.length) });
      }
      const side = await sides(all.map((a) => a.job.id));
      const jobs = all
        .map((a) => toJob(a.job, a.kind, side.get(a.job.id)))
        .filter((j) => !filter.status || j.status === filter.status)
        .sort((x, y) => (x.createdAt === y.createdAt ? y.id.localeCompare(x.id) : y.createdAt.localeCompare(x.createdAt)));
      return filter.limit === undefined ? jobs : jobs.slice(0, filter.limit);
    },
    async close() {
      const b = started;
      started = undefined;
      if (b) await (await b.catch(() => undefined))?.stop({ graceful: false, close: true, timeout: 2000 });
      await txPool?.end();
      txPool = undefined;
    },
  };
  return repo;
}
