// How long finished jobs and what lies beside them (logs, progress) are kept: both runners prune on the same rule,
// at most hourly from any process that claims jobs, so the tables do not grow with every job ever run.
import type { Executor } from '../driver.js';
import { StoreError } from '../errors.js';

/** A positive number from the environment, or `fallback` when unset. */
export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!(Number.isFinite(n) && n > 0)) throw new StoreError('STORE_INVALID', `${name}=${raw}: expected a number > 0.`);
  return n;
}

/** Days finished jobs are kept: the option, else PROMPTUNE_JOB_RETENTION_DAYS, else 30. */
export const retentionDays = (option: number | undefined): number => option ?? envNumber('PROMPTUNE_JOB_RETENTION_DAYS', 30);

const HOUR_MS = 3_600_000;

/**
 * A pruner that runs at most hourly: log lines and progress rows older than the retention, and (on the SQL runner,
 * `jobsTable`) finished jobs whose end is older. `now` is the database's clock.
 */
export function retentionPruner(ex: Executor, days: number, jobsTable: boolean): (now: Date) => Promise<void> {
  let last = Number.NEGATIVE_INFINITY;
  return async (now) => {
    if (now.getTime() - last < HOUR_MS) return;
    last = now.getTime();
    const cutoff = new Date(now.getTime() - days * 86_400_000).toISOString();
    if (jobsTable)
      await ex.run("DELETE FROM jobs WHERE status IN ('completed', 'failed', 'cancelled') AND finished_at < ?", [cutoff]);
    await ex.run('DELETE FROM job_logs WHERE at < ?', [cutoff]);
    await ex.run('DELETE FROM job_progress WHERE updated_at < ?', [cutoff]);
  };
}
