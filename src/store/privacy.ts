// Privacy over every table that keeps what callers sent: retention blanks stored texts past an age (the rows and
// their metrics stay, so dashboards, drift on labels and accuracy still add up), and erasure deletes everything
// stored about one subject (the id a caller gave with its predictions), in one transaction.
//
// The tables: predictions (the input), feedback (its copy of the input; feedback on a prediction belongs to that
// prediction's subject), and the webhook outbox (payloads carry inputs and feedback). The review queue is
// predictions waiting for review, so it is covered with them. A blanked text is the JSON text `null`, read back
// as input: null; readers that need the text (the review queue, feedback → examples, drift) skip such rows.
import type { Executor, SqlValue } from './driver.js';
import { StoreError } from './errors.js';
import { BLANK_INPUT, MAX_SUBJECT_CHARS } from './predictions.js';

/** The tables retention and erasure touch, in the order they are reported. */
export const PRIVACY_TABLES = ['predictions', 'feedback', 'webhook_deliveries'] as const;

/** One of those tables. */
export type PrivacyTable = (typeof PRIVACY_TABLES)[number];

/** Rows per table. */
export type TableCounts = Record<PrivacyTable, number>;

/** What a retention sweep blanked (or, on a dry run, would blank). */
export interface PruneTextsReport {
  /** Texts stored before this ISO time were blanked. */
  cutoff: string;
  dryRun: boolean;
  /** Rows whose text was blanked, per table. */
  blanked: TableCounts;
}

/** What erasing a subject deleted. */
export interface EraseReport {
  subject: string;
  /** Rows deleted, per table. */
  deleted: TableCounts;
}

/** Retention and erasure in the store. */
export interface PrivacyRepository {
  /**
   * Blanks the texts stored before `before` (an ISO time): predictions' inputs, feedback's inputs (also feedback
   * on a prediction from before then), webhook payloads (a still-pending one is given up: its body is gone). The
   * rows, labels, probabilities, model versions and timestamps stay. With `dryRun`, only counts.
   */
  pruneTexts(opts: { before: string; dryRun?: boolean }): Promise<PruneTextsReport>;
  /** Deletes every row about `subject` (predictions, feedback on them or naming it, webhook deliveries), at once. */
  eraseSubject(subject: string): Promise<EraseReport>;
}

const count = async (ex: Executor, table: string, where: string, params: SqlValue[]): Promise<number> => {
  const [row] = await ex.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`, params);
  return Number(row?.n ?? 0);
};

/** The privacy repository over one executor. */
export function privacyRepository(ex: Executor): PrivacyRepository {
  return {
    async pruneTexts({ before, dryRun = false }) {
      if (Number.isNaN(Date.parse(before)))
        throw new StoreError('STORE_INVALID', `prune cutoff "${before}" is not an ISO time, e.g. 2026-11-01T00:00:00Z.`);
      const cutoff = new Date(before).toISOString();
      const predictions = ['created_at < ? AND input <> ?', [cutoff, BLANK_INPUT]] as const;
      const feedback = [
        'input <> ? AND (created_at < ? OR prediction_id IN (SELECT id FROM predictions WHERE created_at < ?))',
        [BLANK_INPUT, cutoff, cutoff],
      ] as const;
      const deliveries = ['created_at < ? AND payload <> ?', [cutoff, BLANK_INPUT]] as const;
      if (dryRun)
        return {
          cutoff,
          dryRun,
          blanked: {
            predictions: await count(ex, 'predictions', predictions[0], [...predictions[1]]),
            feedback: await count(ex, 'feedback', feedback[0], [...feedback[1]]),
            webhook_deliveries: await count(ex, 'webhook_deliveries', deliveries[0], [...deliveries[1]]),
          },
        };
      return ex.transaction(async (tx) => {
        const fb = await tx.run(`UPDATE feedback SET input = ? WHERE ${feedback[0]}`, [BLANK_INPUT, ...feedback[1]]);
        const pr = await tx.run(`UPDATE predictions SET input = ? WHERE ${predictions[0]}`, [BLANK_INPUT, ...predictions[1]]);
        // A delivery still pending after the whole window has no body left to send: it is given up, and its
        // sender (if one holds it) loses the lease, so it cannot mark it delivered.
        const dl = await tx.run(
          `UPDATE webhook_deliveries SET payload = ?,
             last_error = CASE WHEN status = 'pending' THEN ? ELSE last_error END,
             lease_owner = NULL, lease_until = NULL,
             status = CASE WHEN status = 'pending' THEN 'failed' ELSE status END
           WHERE ${deliveries[0]}`,
          [BLANK_INPUT, 'payload removed by text retention before it was delivered', ...deliveries[1]],
        );
        return {
          cutoff,
          dryRun,
          blanked: { predictions: pr.changes, feedback: fb.changes, webhook_deliveries: dl.changes },
        };
      });
    },
    async eraseSubject(subject) {
      if (typeof subject !== 'string' || subject === '' || subject.length > MAX_SUBJECT_CHARS)
        throw new StoreError(
          'STORE_INVALID',
          `subject must be 1 to ${MAX_SUBJECT_CHARS} characters, got ${JSON.stringify(subject)?.slice(0, 40)}.`,
        );
      return ex.transaction(async (tx) => {
        // Feedback before the predictions it references.
        const fb = await tx.run(
          'DELETE FROM feedback WHERE subject = ? OR prediction_id IN (SELECT id FROM predictions WHERE subject = ?)',
          [subject, subject],
        );
        const dl = await tx.run('DELETE FROM webhook_deliveries WHERE subject = ?', [subject]);
        const pr = await tx.run('DELETE FROM predictions WHERE subject = ?', [subject]);
        return { subject, deleted: { predictions: pr.changes, feedback: fb.changes, webhook_deliveries: dl.changes } };
      });
    },
  };
}
