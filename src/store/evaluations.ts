// Evaluations: what was measured (metrics and details), of which prompt version(s), on which dataset version,
// with which model or run, so every number in a report traces back to its inputs.
import { insertMany } from './bulk.js';
import type { Executor, SqlValue } from './driver.js';
import { StoreError } from './errors.js';
import { requireRef } from './refs.js';
import { checkHash, checkText, fromJson, newId, now, optionalHash, optionalText, toJson } from './values.js';

/** What kind of evaluation: the known ones, or any other lower-case name. */
export type EvaluationKind = 'zero-shot' | 'ab-test' | 'fine-tune' | 'search' | (string & {});

/** An evaluation to record. */
export interface EvaluationInput {
  taskId: string;
  kind: EvaluationKind;
  /** The prompt version(s) evaluated, in order (an A/B test has two: A then B). */
  promptHashes?: readonly string[];
  datasetHash?: string | null;
  /** The model evaluated: hf:org/name@revision, a directory, or a model version. */
  modelRef?: string | null;
  /** The training run that produced the model, if any. */
  runId?: string | null;
  /** Named scores, e.g. { "macro-f1": 0.81, accuracy: 0.84 }. */
  metrics: Record<string, number>;
  /** Anything else worth keeping: confusion matrix, per-class scores, confidence intervals. */
  details?: unknown;
}

/** A recorded evaluation. */
export interface Evaluation {
  id: string;
  taskId: string;
  kind: EvaluationKind;
  promptHashes: string[];
  datasetHash: string | null;
  modelRef: string | null;
  runId: string | null;
  metrics: Record<string, number>;
  details: unknown;
  createdAt: string;
}

/** Which evaluations to list; every given field must match. */
export interface EvaluationFilter {
  taskId?: string;
  kind?: EvaluationKind;
  /** Evaluations that involve this prompt version (in any position). */
  promptHash?: string;
  datasetHash?: string;
  runId?: string;
  /** At most this many, newest first. */
  limit?: number;
}

/** Evaluations in the store. */
export interface EvaluationRepository {
  /** Records an evaluation; its task, prompts, dataset and run must already be stored. */
  record(input: EvaluationInput): Promise<Evaluation>;
  /** The evaluation with this id; STORE_NOT_FOUND when absent. */
  get(id: string): Promise<Evaluation>;
  /** Evaluations matching a filter, newest first. */
  list(filter?: EvaluationFilter): Promise<Evaluation[]>;
}

interface Row {
  id: string;
  task_id: string;
  kind: string;
  dataset_hash: string | null;
  model_ref: string | null;
  run_id: string | null;
  metrics: string;
  details: string | null;
  created_at: string;
}

const COLUMNS = 'id, task_id, kind, dataset_hash, model_ref, run_id, metrics, details, created_at';

function checkMetrics(metrics: unknown): Record<string, number> {
  if (metrics === null || typeof metrics !== 'object' || Array.isArray(metrics)) {
    throw new StoreError('STORE_INVALID', 'evaluation metrics must be an object of named numbers, e.g. { "macro-f1": 0.8 }.');
  }
  for (const [name, value] of Object.entries(metrics)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new StoreError('STORE_INVALID', `evaluation metric "${name}" is ${String(value)}: metrics must be finite numbers.`);
    }
  }
  return metrics as Record<string, number>;
}

/** The evaluation repository over one executor. */
export function evaluationRepository(ex: Executor): EvaluationRepository {
  async function withPrompts(rows: Row[]): Promise<Evaluation[]> {
    if (rows.length === 0) return [];
    const byId = new Map<string, string[]>();
    // In chunks, to stay under the databases' limits on placeholders per statement.
    for (let start = 0; start < rows.length; start += 1000) {
      const ids = rows.slice(start, start + 1000).map((r) => r.id);
      const links = await ex.query<{ evaluation_id: string; prompt_hash: string }>(
        `SELECT evaluation_id, prompt_hash FROM evaluation_prompts WHERE evaluation_id IN (${ids.map(() => '?').join(', ')})
         ORDER BY evaluation_id, ordinal`,
        ids,
      );
      for (const l of links) byId.set(l.evaluation_id, [...(byId.get(l.evaluation_id) ?? []), l.prompt_hash]);
    }
    return rows.map((r) => ({
      id: r.id,
      taskId: r.task_id,
      kind: r.kind,
      promptHashes: byId.get(r.id) ?? [],
      datasetHash: r.dataset_hash,
      modelRef: r.model_ref,
      runId: r.run_id,
      metrics: fromJson<Record<string, number>>(r.metrics),
      details: fromJson(r.details),
      createdAt: r.created_at,
    }));
  }

  const repo: EvaluationRepository = {
    async record(input) {
      const taskId = checkText(input.taskId, 'evaluation taskId');
      const kind = checkText(input.kind, 'evaluation kind');
      if (!/^[a-z0-9][a-z0-9-]*$/.test(kind)) {
        throw new StoreError(
          'STORE_INVALID',
          `evaluation kind "${kind}" must be lower-case letters, digits and "-", e.g. zero-shot.`,
        );
      }
      const prompts = (input.promptHashes ?? []).map((h, i) => checkHash(h, `evaluation promptHashes[${i}]`));
      const datasetHash = optionalHash(input.datasetHash, 'evaluation datasetHash');
      const runId = optionalText(input.runId, 'evaluation runId');
      const id = newId('ev');
      const row: SqlValue[] = [
        id,
        taskId,
        kind,
        datasetHash,
        optionalText(input.modelRef, 'evaluation modelRef'),
        runId,
        toJson(checkMetrics(input.metrics), 'evaluation metrics'),
        input.details === undefined ? null : toJson(input.details, 'evaluation details'),
        now(),
      ];
      return ex.transaction(async (tx) => {
        await requireRef(tx, 'task', taskId, 'evaluation');
        for (const h of new Set(prompts)) await requireRef(tx, 'prompt', h, 'evaluation');
        if (datasetHash) await requireRef(tx, 'dataset', datasetHash, 'evaluation');
        if (runId) await requireRef(tx, 'run', runId, 'evaluation');
        await tx.run(`INSERT INTO evaluations (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, row);
        await insertMany(
          tx,
          'evaluation_prompts',
          ['evaluation_id', 'ordinal', 'prompt_hash'],
          prompts.map((h, i) => [id, i, h]),
        );
        return evaluationRepository(tx).get(id);
      });
    },
    async get(id) {
      const rows = await ex.query<Row>(`SELECT ${COLUMNS} FROM evaluations WHERE id = ?`, [id]);
      const [evaluation] = await withPrompts(rows);
      if (!evaluation) throw new StoreError('STORE_NOT_FOUND', `evaluation "${id}" is not in the store: check the id.`);
      return evaluation;
    },
    async list(filter = {}) {
      const where: string[] = [];
      const params: SqlValue[] = [];
      const add = (sql: string, value: SqlValue | undefined) => {
        if (value === undefined) return;
        where.push(sql);
        params.push(value);
      };
      add('task_id = ?', filter.taskId);
      add('kind = ?', filter.kind);
      add('dataset_hash = ?', filter.datasetHash);
      add('run_id = ?', filter.runId);
      add('id IN (SELECT evaluation_id FROM evaluation_prompts WHERE prompt_hash = ?)', filter.promptHash);
      let sql = `SELECT ${COLUMNS} FROM evaluations${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC`;
      if (filter.limit !== undefined) {
        sql += ' LIMIT ?';
        params.push(filter.limit);
      }
      return withPrompts(await ex.query<Row>(sql, params));
    },
  };
  return repo;
}
