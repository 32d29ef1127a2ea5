// Training runs and their step metrics. A run is queued, claimed by one worker (the seam for a job queue:
// PostgreSQL skips rows another worker has locked, SQLite serialises claims with an immediate transaction),
// then finishes as completed, failed or killed.
import { insertMany } from './bulk.js';
import type { Executor, SqlValue } from './driver.js';
import { StoreError } from './errors.js';
import { requireRef } from './refs.js';
import { checkText, fromJson, newId, now, optionalHash, optionalText, toJson, whereGiven } from './values.js';

/** Where a run is in its life. */
export type RunStatus = 'queued' | 'running' | 'completed' | 'failed' | 'killed';

/** How a run can end. */
export type RunEnd = 'completed' | 'failed' | 'killed';

/** A training run to queue. */
export interface RunInput {
  /** A caller-chosen id (letters, digits, `_.:-`); creating a second run with it is STORE_CONFLICT. Default: a new id. */
  id?: string;
  taskId: string;
  /** The training recipe, e.g. prompt-mlm, setfit, head. */
  recipe: string;
  /** The recipe's settings (learning rate, epochs, …), as the recipe defines them. */
  config: unknown;
  /** The model trained from: hf:org/name@revision or a directory. */
  baseModel: string;
  datasetHash?: string | null;
  promptHash?: string | null;
}

/** The best score so far, by the task's metric. */
export interface BestMetric {
  name: string;
  value: number;
}

/** A stored run. */
export interface Run {
  id: string;
  taskId: string;
  recipe: string;
  config: unknown;
  status: RunStatus;
  baseModel: string;
  datasetHash: string | null;
  promptHash: string | null;
  /** The worker that claimed it. */
  workerId: string | null;
  /** Why it failed or was killed. */
  error: string | null;
  bestMetric: BestMetric | null;
  checkpointPath: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** One metric value at one training step. NaN (a diverged loss) is kept as NaN. */
export interface MetricPoint {
  step: number;
  name: string;
  value: number;
  /** ISO time it was measured; defaults to when it is logged. */
  time?: string;
}

/** Progress a running run reports. */
export interface RunProgress {
  bestMetric?: BestMetric;
  checkpointPath?: string;
}

/** Runs in the store. */
export interface RunRepository {
  /** Queues a run; its task, dataset and prompt version must already be stored. */
  create(input: RunInput): Promise<Run>;
  /** The run with this id; STORE_NOT_FOUND when absent. */
  get(id: string): Promise<Run>;
  /** Runs, newest first; optionally one task's or one status's. */
  list(filter?: { taskId?: string; status?: RunStatus; limit?: number }): Promise<Run[]>;
  /** Starts a queued run (a search trial's worker, or a run trained in-process); only one caller can start it. */
  start(id: string, workerId: string): Promise<Run>;
  /** Puts a run that was interrupted (still marked running after a crash, failed or killed) back to running. */
  resume(id: string, workerId: string): Promise<Run>;
  /** Records a running run's best score or latest checkpoint. */
  update(id: string, progress: RunProgress): Promise<Run>;
  /** Ends a running run (or kills a queued one), with its final best score, checkpoint or error. */
  finish(id: string, end: RunProgress & { status: RunEnd; error?: string }): Promise<Run>;
  /** Stores metric points in bulk; a point logged again for the same step and name replaces the earlier value. */
  logMetrics(runId: string, points: readonly MetricPoint[]): Promise<void>;
  /** A run's metric points, by name then step; optionally one name only. */
  metrics(runId: string, filter?: { name?: string; afterStep?: number }): Promise<Required<MetricPoint>[]>;
}

interface Row {
  id: string;
  task_id: string;
  recipe: string;
  config: string;
  status: RunStatus;
  base_model: string;
  dataset_hash: string | null;
  prompt_hash: string | null;
  worker_id: string | null;
  error: string | null;
  best_metric_name: string | null;
  best_metric: number | null;
  checkpoint_path: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

const COLUMNS =
  'id, task_id, recipe, config, status, base_model, dataset_hash, prompt_hash, worker_id, error, best_metric_name, best_metric, ' +
  'checkpoint_path, created_at, started_at, finished_at';

const toRun = (r: Row): Run => ({
  id: r.id,
  taskId: r.task_id,
  recipe: r.recipe,
  config: fromJson(r.config),
  status: r.status,
  baseModel: r.base_model,
  datasetHash: r.dataset_hash,
  promptHash: r.prompt_hash,
  workerId: r.worker_id,
  error: r.error,
  bestMetric: r.best_metric_name === null ? null : { name: r.best_metric_name, value: r.best_metric ?? Number.NaN },
  checkpointPath: r.checkpoint_path,
  createdAt: r.created_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
});

const STATUSES: readonly RunStatus[] = ['queued', 'running', 'completed', 'failed', 'killed'];

// NaN has no portable representation (SQLite turns it into NULL anyway): NULL stands for it in both databases.
const toReal = (v: number): number | null => (Number.isNaN(v) ? null : v);
const fromReal = (v: number | null): number => (v === null ? Number.NaN : v);

function progressColumns(p: RunProgress): { sets: string[]; params: SqlValue[] } {
  const sets: string[] = [];
  const params: SqlValue[] = [];
  if (p.bestMetric !== undefined) {
    const name = checkText(p.bestMetric?.name, 'bestMetric name');
    if (typeof p.bestMetric.value !== 'number') throw new StoreError('STORE_INVALID', 'bestMetric value must be a number.');
    sets.push('best_metric_name = ?', 'best_metric = ?');
    params.push(name, toReal(p.bestMetric.value));
  }
  if (p.checkpointPath !== undefined) {
    sets.push('checkpoint_path = ?');
    params.push(checkText(p.checkpointPath, 'checkpointPath'));
  }
  return { sets, params };
}

/** The run repository over one executor. */
export function runRepository(ex: Executor): RunRepository {
  // An UPDATE guarded by the statuses it may leave; when it matches nothing, say why.
  async function transition(id: string, from: readonly RunStatus[], sets: string[], params: SqlValue[], action: string) {
    const { changes } = await ex.run(
      `UPDATE runs SET ${sets.join(', ')} WHERE id = ? AND status IN (${from.map(() => '?').join(', ')})`,
      [...params, id, ...from],
    );
    const run = await repo.get(id);
    if (changes === 0) {
      throw new StoreError(
        'STORE_INVALID',
        `run ${id} is ${run.status}, so it cannot ${action}: only a ${from.join(' or ')} run can.`,
      );
    }
    return run;
  }

  const checkRunId = (id: string): string => {
    if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(id))
      throw new StoreError('STORE_INVALID', `run id "${id}": expected 1–128 letters, digits, "_", ".", ":" or "-".`);
    return id;
  };

  const repo: RunRepository = {
    async create(input) {
      const taskId = checkText(input.taskId, 'run taskId');
      const datasetHash = optionalHash(input.datasetHash, 'run datasetHash');
      const promptHash = optionalHash(input.promptHash, 'run promptHash');
      const id = input.id === undefined ? newId('run') : checkRunId(input.id);
      const row: SqlValue[] = [
        id,
        taskId,
        checkText(input.recipe, 'run recipe'),
        toJson(input.config ?? {}, 'run config'),
        'queued',
        checkText(input.baseModel, 'run baseModel'),
        datasetHash,
        promptHash,
        now(),
      ];
      return ex.transaction(async (tx) => {
        await requireRef(tx, 'task', taskId, 'run');
        if (datasetHash) await requireRef(tx, 'dataset', datasetHash, 'run');
        if (promptHash) await requireRef(tx, 'prompt', promptHash, 'run');
        const { changes } = await tx.run(
          'INSERT INTO runs (id, task_id, recipe, config, status, base_model, dataset_hash, prompt_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
          row,
        );
        if (!changes) throw new StoreError('STORE_CONFLICT', `a run with id "${id}" exists: pick another id, or read that run.`);
        return runRepository(tx).get(id);
      });
    },
    async get(id) {
      const [row] = await ex.query<Row>(`SELECT ${COLUMNS} FROM runs WHERE id = ?`, [id]);
      if (!row)
        throw new StoreError('STORE_NOT_FOUND', `run "${id}" is not in the store: check the id (store.runs.list() shows them).`);
      return toRun(row);
    },
    async list(filter = {}) {
      const clauses: string[] = [];
      const params: SqlValue[] = [];
      if (filter.taskId !== undefined) {
        clauses.push('task_id = ?');
        params.push(filter.taskId);
      }
      if (filter.status !== undefined) {
        if (!STATUSES.includes(filter.status)) {
          throw new StoreError('STORE_INVALID', `run status "${filter.status}" is not one of ${STATUSES.join(', ')}.`);
        }
        clauses.push('status = ?');
        params.push(filter.status);
      }
      let sql = `SELECT ${COLUMNS} FROM runs${clauses.length ? ` WHERE ${clauses.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC`;
      if (filter.limit !== undefined) {
        sql += ' LIMIT ?';
        params.push(filter.limit);
      }
      return (await ex.query<Row>(sql, params)).map(toRun);
    },
    async start(id, workerId) {
      checkText(workerId, 'workerId');
      return transition(id, ['queued'], ["status = 'running'", 'worker_id = ?', 'started_at = ?'], [workerId, now()], 'start');
    },
    async resume(id, workerId) {
      checkText(workerId, 'workerId');
      return transition(
        id,
        ['running', 'failed', 'killed'],
        ["status = 'running'", 'worker_id = ?', 'finished_at = NULL', 'error = NULL'],
        [workerId],
        'be resumed',
      );
    },
    async update(id, progress) {
      const { sets, params } = progressColumns(progress);
      if (sets.length === 0) return repo.get(id);
      return transition(id, ['running'], sets, params, 'be updated');
    },
    async finish(id, end) {
      if (end.status !== 'completed' && end.status !== 'failed' && end.status !== 'killed') {
        throw new StoreError('STORE_INVALID', `a run ends as completed, failed or killed, not "${String(end.status)}".`);
      }
      const { sets, params } = progressColumns(end);
      sets.unshift('status = ?', 'finished_at = ?', 'error = ?');
      params.unshift(end.status, now(), optionalText(end.error, 'run error'));
      // A queued run can only be killed (cancelled); completing or failing needs a run that started.
      const from: RunStatus[] = end.status === 'killed' ? ['queued', 'running'] : ['running'];
      return transition(id, from, sets, params, `be marked ${end.status}`);
    },
    async logMetrics(runId, points) {
      const at = now();
      // One value per (name, step): PostgreSQL refuses to upsert the same key twice in one statement.
      const unique = new Map<string, SqlValue[]>();
      for (const [i, p] of points.entries()) {
        if (!Number.isInteger(p.step) || p.step < 0) {
          throw new StoreError('STORE_INVALID', `metric point ${i}: step ${String(p.step)} must be a whole number ≥ 0.`);
        }
        const name = checkText(p.name, `metric point ${i} name`);
        if (typeof p.value !== 'number')
          throw new StoreError('STORE_INVALID', `metric point ${i} (${name}): value must be a number.`);
        unique.set(`${name}\u0000${p.step}`, [runId, name, p.step, toReal(p.value), p.time ?? at]);
      }
      if (unique.size === 0) return;
      await ex.transaction(async (tx) => {
        await requireRef(tx, 'run', runId, 'metrics');
        await insertMany(
          tx,
          'run_metrics',
          ['run_id', 'name', 'step', 'value', 'recorded_at'],
          [...unique.values()],
          'ON CONFLICT (run_id, name, step) DO UPDATE SET value = excluded.value, recorded_at = excluded.recorded_at',
        );
      });
    },
    async metrics(runId, filter = {}) {
      const w = whereGiven([
        ['run_id = ?', runId],
        ['name = ?', filter.name],
        ['step > ?', filter.afterStep],
      ]);
      const rows = await ex.query<{ name: string; step: number; value: number | null; recorded_at: string }>(
        `SELECT name, step, value, recorded_at FROM run_metrics${w.sql} ORDER BY name, step`,
        w.params,
      );
      return rows.map((r) => ({ step: r.step, name: r.name, value: fromReal(r.value), time: r.recorded_at }));
    },
  };
  return repo;
}
