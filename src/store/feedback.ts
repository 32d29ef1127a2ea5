// Feedback on predictions (from the server, the studio or a reviewer): thumbs and corrections that become new
// labelled examples, each carrying where it came from (prompt version, model version, who, when).
import type { Executor, SqlValue } from './driver.js';
import { StoreError } from './errors.js';
import { BLANK_INPUT, optionalSubject } from './predictions.js';
import { requireRef } from './refs.js';
import { checkText, fromJson, newId, now, optionalHash, optionalText, toJson, whereGiven } from './values.js';

/** A thumbs rating of a prediction: -1 wrong, 0 unsure, 1 right (what a serving UI's thumbs map to). */
export type FeedbackRating = -1 | 0 | 1;

/** Feedback to record; it needs at least a rating, a correct label or a comment. */
export interface FeedbackInput {
  taskId: string;
  /** The prompt version that produced the prediction. */
  promptHash?: string | null;
  /** The model version that produced the prediction. */
  modelVersion?: string | null;
  /** The served prediction this judges (its id from the server's answer). */
  predictionId?: string | null;
  /** The input fields as the model saw them, e.g. { text: "…" }. */
  input: unknown;
  /** The label the model predicted. */
  prediction?: string | null;
  /** The label it should have been, when the reviewer gave one. */
  correctLabel?: string | null;
  rating?: FeedbackRating | null;
  comment?: string | null;
  author?: string | null;
  /** Whom the input is about; by default the subject of the prediction it names. */
  subject?: string | null;
}

/** A recorded piece of feedback. */
export interface Feedback {
  id: string;
  taskId: string;
  promptHash: string | null;
  modelVersion: string | null;
  predictionId: string | null;
  /** The input; null once text retention has blanked it. */
  input: unknown;
  prediction: string | null;
  correctLabel: string | null;
  rating: FeedbackRating | null;
  comment: string | null;
  author: string | null;
  subject: string | null;
  createdAt: string;
}

/** Where an exported example's label came from. */
export interface FeedbackProvenance {
  feedbackId: string;
  /** correction: the reviewer gave the label; confirmation: a thumbs-up on the model's prediction. */
  labelSource: 'correction' | 'confirmation';
  promptHash: string | null;
  modelVersion: string | null;
  prediction: string | null;
  rating: FeedbackRating | null;
  author: string | null;
  createdAt: string;
}

/** Feedback turned into a labelled example. */
export interface LabelledExample {
  input: unknown;
  label: string;
  provenance: FeedbackProvenance;
}

/** Which feedback to list or export; every given field must match. */
export interface FeedbackFilter {
  taskId?: string;
  promptHash?: string;
  modelVersion?: string;
  /** Only feedback recorded at or after this ISO time. */
  since?: string;
  /** At most this many, newest first (list only). */
  limit?: number;
}

/** Feedback in the store. */
export interface FeedbackRepository {
  /** Records feedback; its task and prompt version must already be stored. */
  record(input: FeedbackInput): Promise<Feedback>;
  /** The feedback with this id; STORE_NOT_FOUND when absent. */
  get(id: string): Promise<Feedback>;
  /** Feedback matching a filter, newest first. */
  list(filter?: FeedbackFilter): Promise<Feedback[]>;
  /**
   * A task's feedback as labelled examples, oldest first: a correction gives its label, a thumbs-up confirms the
   * prediction, anything else (a thumbs-down without a correction, a bare comment) is left out; when the same
   * input got several, the latest wins.
   */
  exportExamples(taskId: string, filter?: Omit<FeedbackFilter, 'taskId' | 'limit'>): Promise<LabelledExample[]>;
}

interface Row {
  id: string;
  task_id: string;
  prompt_hash: string | null;
  model_version: string | null;
  prediction_id: string | null;
  input: string;
  prediction: string | null;
  correct_label: string | null;
  rating: number | null;
  comment: string | null;
  author: string | null;
  created_at: string;
  subject: string | null;
}

const COLUMNS =
  'id, task_id, prompt_hash, model_version, prediction_id, input, prediction, correct_label, rating, comment, author, created_at, subject';

const toFeedback = (r: Row): Feedback => ({
  id: r.id,
  taskId: r.task_id,
  promptHash: r.prompt_hash,
  modelVersion: r.model_version,
  predictionId: r.prediction_id,
  input: fromJson(r.input),
  prediction: r.prediction,
  correctLabel: r.correct_label,
  rating: r.rating as FeedbackRating | null,
  comment: r.comment,
  author: r.author,
  subject: r.subject,
  createdAt: r.created_at,
});

function where(filter: FeedbackFilter): { sql: string; params: SqlValue[] } {
  return whereGiven([
    ['task_id = ?', filter.taskId],
    ['prompt_hash = ?', filter.promptHash],
    ['model_version = ?', filter.modelVersion],
    ['created_at >= ?', filter.since],
  ]);
}

/** The feedback repository over one executor. */
export function feedbackRepository(ex: Executor): FeedbackRepository {
  const repo: FeedbackRepository = {
    async record(input) {
      const taskId = checkText(input.taskId, 'feedback taskId');
      const promptHash = optionalHash(input.promptHash, 'feedback promptHash');
      const rating = input.rating ?? null;
      if (rating !== null && rating !== -1 && rating !== 0 && rating !== 1) {
        throw new StoreError('STORE_INVALID', `feedback rating ${String(rating)} must be -1 (wrong), 0 (unsure) or 1 (right).`);
      }
      const correctLabel = optionalText(input.correctLabel, 'feedback correctLabel');
      const comment = optionalText(input.comment, 'feedback comment');
      if (rating === null && correctLabel === null && comment === null) {
        throw new StoreError('STORE_INVALID', 'feedback needs a rating, a correctLabel or a comment: it has none.');
      }
      const predictionId = optionalText(input.predictionId, 'feedback predictionId');
      const subject = optionalSubject(input.subject, 'feedback subject');
      const id = newId('fb');
      const row: SqlValue[] = [
        id,
        taskId,
        promptHash,
        optionalText(input.modelVersion, 'feedback modelVersion'),
        predictionId,
        toJson(input.input, 'feedback input'),
        optionalText(input.prediction, 'feedback prediction'),
        correctLabel,
        rating,
        comment,
        optionalText(input.author, 'feedback author'),
        now(),
        subject,
      ];
      return ex.transaction(async (tx) => {
        await requireRef(tx, 'task', taskId, 'feedback');
        if (promptHash) await requireRef(tx, 'prompt', promptHash, 'feedback');
        if (predictionId) {
          const [named] = await tx.query<{ subject: string | null }>('SELECT subject FROM predictions WHERE id = ?', [
            predictionId,
          ]);
          if (!named)
            throw new StoreError('STORE_NOT_FOUND', `feedback names prediction "${predictionId}", which is not in the store.`);
          // Feedback on a subject's prediction is that subject's too, so erasing the subject erases it.
          if (subject === null) row[12] = named.subject;
        }
        await tx.run(`INSERT INTO feedback (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, row);
        return feedbackRepository(tx).get(id);
      });
    },
    async get(id) {
      const [row] = await ex.query<Row>(`SELECT ${COLUMNS} FROM feedback WHERE id = ?`, [id]);
      if (!row) throw new StoreError('STORE_NOT_FOUND', `feedback "${id}" is not in the store: check the id.`);
      return toFeedback(row);
    },
    async list(filter = {}) {
      const w = where(filter);
      const limit = filter.limit === undefined ? '' : ' LIMIT ?';
      const params = filter.limit === undefined ? w.params : [...w.params, filter.limit];
      const rows = await ex.query<Row>(
        `SELECT ${COLUMNS} FROM feedback${w.sql} ORDER BY created_at DESC, id DESC${limit}`,
        params,
      );
      return rows.map(toFeedback);
    },
    async exportExamples(taskId, filter = {}) {
      const w = where({ ...filter, taskId });
      // Feedback whose input text retention blanked is no example: it is left out, never trained on as "".
      const rows = await ex.query<Row>(
        `SELECT ${COLUMNS} FROM feedback${w.sql} AND (correct_label IS NOT NULL OR (rating = 1 AND prediction IS NOT NULL))
         AND input <> ? ORDER BY created_at, id`,
        [...w.params, BLANK_INPUT],
      );
      // Keyed by the stored input text: a later verdict on the same input replaces the earlier one.
      const latest = new Map<string, Row>();
      for (const r of rows) {
        latest.delete(r.input);
        latest.set(r.input, r);
      }
      return [...latest.values()].map((r) => ({
        input: fromJson(r.input),
        label: (r.correct_label ?? r.prediction) as string,
        provenance: {
          feedbackId: r.id,
          labelSource: r.correct_label !== null ? 'correction' : 'confirmation',
          promptHash: r.prompt_hash,
          modelVersion: r.model_version,
          prediction: r.prediction,
          rating: r.rating as FeedbackRating | null,
          author: r.author,
          createdAt: r.created_at,
        },
      }));
    },
  };
  return repo;
}
