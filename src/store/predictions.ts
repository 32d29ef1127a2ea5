// Predictions the server answered: each with its id (what feedback names), the model and prompt version that
// made it, the input as the model saw it, and whether it waits for a human review (low confidence or "not sure").
import type { Executor, SqlValue } from './driver.js';
import { StoreError } from './errors.js';
import { checkText, fromJson, newId, now, optionalHash, optionalText, toJson, whereGiven } from './values.js';

/** A prediction to record. */
export interface PredictionInput {
  taskId: string;
  modelVersion: string;
  promptHash?: string | null;
  input: unknown;
  /** The answer; null when the model was not sure (abstained). */
  label: string | null;
  confidence: number;
  probs: Record<string, number>;
  /** "pending": send it to the review queue. */
  review?: 'pending' | null;
  apiKeyId?: string | null;
  /** Whom the input is about (a person or account id the caller chose), so it can be erased; at most 256 characters. */
  subject?: string | null;
}

/** A recorded prediction. */
export interface StoredPrediction {
  id: string;
  taskId: string;
  modelVersion: string;
  promptHash: string | null;
  /** The input as the model saw it; null once text retention has blanked it (the metrics stay). */
  input: unknown;
  label: string | null;
  confidence: number;
  probs: Record<string, number>;
  review: 'pending' | 'done' | null;
  apiKeyId: string | null;
  subject: string | null;
  createdAt: string;
}

/** Which predictions to list; every given field must match. */
export interface PredictionFilter {
  taskId?: string;
  modelVersion?: string;
  review?: 'pending' | 'done';
  /** true: only predictions whose input text is still stored (not blanked by retention). */
  hasText?: boolean;
  /** Recorded at or after this ISO time. */
  since?: string;
  /** Recorded before this ISO time. */
  until?: string;
  /** At most this many (newest first, unless `order` says otherwise). */
  limit?: number;
  /** "least-confident": the model's least sure answers first (the review queue's order); default newest first. */
  order?: 'newest' | 'least-confident';
}

/** Served predictions in the store. */
export interface PredictionRepository {
  /** Records predictions in one statement batch; returns them with their new ids, in order. */
  recordMany(inputs: readonly PredictionInput[]): Promise<StoredPrediction[]>;
  /** The prediction with this id; STORE_NOT_FOUND when absent. */
  get(id: string): Promise<StoredPrediction>;
  /** Predictions matching a filter, newest first. */
  list(filter?: PredictionFilter): Promise<StoredPrediction[]>;
  /** Marks a prediction's review as done (or sends it back to the queue). */
  setReview(id: string, review: 'pending' | 'done'): Promise<void>;
}

interface Row {
  id: string;
  task_id: string;
  model_version: string;
  prompt_hash: string | null;
  input: string;
  label: string | null;
  confidence: number;
  probs: string;
  review: 'pending' | 'done' | null;
  api_key_id: string | null;
  created_at: string;
  subject: string | null;
}

const COLUMNS =
  'id, task_id, model_version, prompt_hash, input, label, confidence, probs, review, api_key_id, created_at, subject';

/** The stored input of a text blanked by retention: JSON null (the column is NOT NULL). */
export const BLANK_INPUT = 'null';

/** A subject id: a non-empty string of at most this many characters. */
export const MAX_SUBJECT_CHARS = 256;

/** Checks an optional subject id. */
export function optionalSubject(value: unknown, what: string): string | null {
  const s = optionalText(value, what);
  if (s !== null && (s === '' || s.length > MAX_SUBJECT_CHARS))
    throw new StoreError('STORE_INVALID', `${what} must be 1 to ${MAX_SUBJECT_CHARS} characters, got ${s.length}.`);
  return s;
}

const toPrediction = (r: Row): StoredPrediction => ({
  id: r.id,
  taskId: r.task_id,
  modelVersion: r.model_version,
  promptHash: r.prompt_hash,
  input: fromJson(r.input),
  label: r.label,
  confidence: Number(r.confidence),
  probs: fromJson(r.probs),
  review: r.review,
  apiKeyId: r.api_key_id,
  subject: r.subject,
  createdAt: r.created_at,
});

/** The prediction repository over one executor. */
export function predictionRepository(ex: Executor): PredictionRepository {
  const repo: PredictionRepository = {
    async recordMany(inputs) {
      const rows = inputs.map((p): SqlValue[] => {
        if (!(p.confidence >= 0 && p.confidence <= 1))
          throw new StoreError('STORE_INVALID', `prediction confidence ${p.confidence} must be a probability in [0, 1].`);
        return [
          newId('pred'),
          checkText(p.taskId, 'prediction taskId'),
          checkText(p.modelVersion, 'prediction modelVersion'),
          optionalHash(p.promptHash, 'prediction promptHash'),
          toJson(p.input, 'prediction input'),
          optionalText(p.label, 'prediction label'),
          p.confidence,
          toJson(p.probs, 'prediction probs'),
          p.review ?? null,
          optionalText(p.apiKeyId, 'prediction apiKeyId'),
          now(),
          optionalSubject(p.subject, 'prediction subject'),
        ];
      });
      if (!rows.length) return [];
      await ex.transaction(async (tx) => {
        for (const row of rows)
          await tx.run(`INSERT INTO predictions (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, row);
      });
      return rows.map((r, i) => {
        const p = inputs[i] as PredictionInput;
        return {
          id: r[0] as string,
          taskId: p.taskId,
          modelVersion: p.modelVersion,
          promptHash: p.promptHash ?? null,
          input: p.input,
          label: p.label,
          confidence: p.confidence,
          probs: p.probs,
          review: p.review ?? null,
          apiKeyId: p.apiKeyId ?? null,
          subject: r[11] as string | null,
          createdAt: r[10] as string,
        };
      });
    },
    async get(id) {
      const [row] = await ex.query<Row>(`SELECT ${COLUMNS} FROM predictions WHERE id = ?`, [id]);
      if (!row)
        throw new StoreError('STORE_NOT_FOUND', `prediction "${id}" is not in the store: use the id a predict answer gave.`);
      return toPrediction(row);
    },
    async list(filter = {}) {
      const w = whereGiven([
        ['task_id = ?', filter.taskId],
        ['model_version = ?', filter.modelVersion],
        ['review = ?', filter.review],
        ['input <> ?', filter.hasText ? BLANK_INPUT : undefined],
        ['created_at >= ?', filter.since],
        ['created_at < ?', filter.until],
      ]);
      const whereSql = w.sql;
      const params = filter.limit === undefined ? w.params : [...w.params, filter.limit];
      const rows = await ex.query<Row>(
        `SELECT ${COLUMNS} FROM predictions${whereSql} ORDER BY ${filter.order === 'least-confident' ? 'confidence ASC, ' : ''}created_at DESC, id DESC${filter.limit === undefined ? '' : ' LIMIT ?'}`,
        params,
      );
      return rows.map(toPrediction);
    },
    async setReview(id, review) {
      await repo.get(id);
      await ex.run('UPDATE predictions SET review = ? WHERE id = ?', [review, id]);
    },
  };
  return repo;
}
