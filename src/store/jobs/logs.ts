// A job's log: what its workers said while they ran it (claims, hand-backs, warnings, the failure), kept beside the
// queue in the store's own table, so it reads the same on both runners and outlives the worker that wrote it.
import type { Executor } from '../driver.js';
import { checkText } from '../values.js';

/** How bad a log line is. */
export type JobLogLevel = 'info' | 'warn' | 'error';

/** One line of a job's log. */
export interface JobLogLine {
  /** 1, 2, 3… per job: read increments with `after`. */
  seq: number;
  at: string;
  level: JobLogLevel;
  message: string;
}

/** Job logs. */
export interface JobLogRepository {
  /** Appends a line to a job's log (long messages are cut at 4,000 characters). */
  append(jobId: string, level: JobLogLevel, message: string): Promise<void>;
  /** A job's lines in order, after line `after` (default 0: all). */
  list(jobId: string, opts?: { after?: number; limit?: number }): Promise<JobLogLine[]>;
}

const MAX_MESSAGE = 4000;

/** The job log over the store's executor. */
export function jobLogRepository(ex: Executor): JobLogRepository {
  return {
    async append(jobId, level, message) {
      checkText(jobId, 'job id');
      const text = message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}…` : message;
      // One worker writes a job's log at a time; a rare collision on the next number just tries the next one.
      for (let tries = 0; ; tries++) {
        try {
          await ex.run(
            `INSERT INTO job_logs (job_id, seq, at, level, message)
             SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ? FROM job_logs WHERE job_id = ?`,
            [jobId, new Date().toISOString(), level, text, jobId],
          );
          return;
        } catch (e) {
          if (tries >= 3) throw e;
        }
      }
    },
    async list(jobId, opts = {}) {
      const rows = await ex.query<{ seq: number; at: string; level: JobLogLevel; message: string }>(
        'SELECT seq, at, level, message FROM job_logs WHERE job_id = ? AND seq > ? ORDER BY seq LIMIT ?',
        [jobId, opts.after ?? 0, opts.limit ?? 1000],
      );
      return rows.map((r) => ({ seq: Number(r.seq), at: r.at, level: r.level, message: r.message }));
    },
  };
}
