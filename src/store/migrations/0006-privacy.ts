// Privacy: the subject (a person or account the caller names) each prediction, piece of feedback and outgoing
// delivery is about, so one subject's data can be erased everywhere at once; and indexes for the retention sweep,
// which blanks stored texts by age. A blanked text is the JSON text `null` (the input columns stay NOT NULL:
// SQLite cannot drop a NOT NULL without rebuilding the table, and feedback references predictions).
import type { Migration } from '../migrate.js';

/** Migration 6: subjects, and what retention and erasure look rows up by. */
export const privacy: Migration = {
  version: 6,
  name: 'privacy',
  statements: [
    'ALTER TABLE predictions ADD COLUMN subject TEXT',
    'ALTER TABLE feedback ADD COLUMN subject TEXT',
    'ALTER TABLE webhook_deliveries ADD COLUMN subject TEXT',
    'CREATE INDEX predictions_by_subject ON predictions (subject)',
    'CREATE INDEX predictions_by_time ON predictions (created_at)',
    'CREATE INDEX feedback_by_subject ON feedback (subject)',
    'CREATE INDEX feedback_by_prediction ON feedback (prediction_id)',
    'CREATE INDEX webhook_deliveries_by_subject ON webhook_deliveries (subject)',
    'CREATE INDEX webhook_deliveries_by_time ON webhook_deliveries (created_at)',
  ],
};
