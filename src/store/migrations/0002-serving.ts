// The serving schema: API keys (only a hash of each secret), every prediction the server answered (so feedback
// can name it by id, low-confidence answers can wait for review, and drift can compare windows of live traffic),
// and the link from feedback to the prediction it judges.
import type { Migration } from '../migrate.js';

/** Migration 2: API keys, served predictions, feedback → prediction. */
export const serving: Migration = {
  version: 2,
  name: 'serving',
  statements: [
    `CREATE TABLE api_keys (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      key_hash TEXT NOT NULL UNIQUE,
      scopes TEXT NOT NULL,
      rate_per_minute INTEGER,
      created_at TEXT NOT NULL,
      revoked_at TEXT
    )`,
    `CREATE TABLE predictions (
      id TEXT PRIMARY KEY,
      task_id TEXT NOT NULL,
      model_version TEXT NOT NULL,
      prompt_hash TEXT,
      input TEXT NOT NULL,
      label TEXT,
      confidence DOUBLE PRECISION NOT NULL,
      probs TEXT NOT NULL,
      review TEXT CHECK (review IN ('pending', 'done')),
      api_key_id TEXT,
      created_at TEXT NOT NULL
    )`,
    'CREATE INDEX predictions_by_task ON predictions (task_id, created_at)',
    'CREATE INDEX predictions_for_review ON predictions (review, created_at)',
    'ALTER TABLE feedback ADD COLUMN prediction_id TEXT REFERENCES predictions (id)',
  ],
};
