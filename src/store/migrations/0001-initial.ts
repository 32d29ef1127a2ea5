// The first schema: tasks, dataset versions with their rows, prompt versions, runs with step metrics,
// evaluations (with the prompt versions they involve) and feedback. Portable DDL only: TEXT, INTEGER and
// DOUBLE PRECISION columns, ISO-8601 timestamps as TEXT, JSON as TEXT, ids and hashes as TEXT keys.
import type { Migration } from '../migrate.js';

/** Migration 1: the initial schema. */
export const initial: Migration = {
  version: 1,
  name: 'initial',
  statements: [
    `CREATE TABLE tasks (
      id TEXT PRIMARY KEY,
      spec TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    )`,
    `CREATE TABLE datasets (
      hash TEXT PRIMARY KEY,
      task_id TEXT NOT NULL REFERENCES tasks (id),
      role TEXT NOT NULL,
      source TEXT NOT NULL,
      row_count INTEGER NOT NULL,
      label_counts TEXT NOT NULL,
      parent_hash TEXT REFERENCES datasets (hash),
      created_at TEXT NOT NULL
    )`,
    'CREATE INDEX datasets_by_task ON datasets (task_id, created_at)',
    'CREATE INDEX datasets_by_parent ON datasets (parent_hash)',
    `CREATE TABLE dataset_rows (
      dataset_hash TEXT NOT NULL REFERENCES datasets (hash) ON DELETE CASCADE,
      row_index INTEGER NOT NULL,
      example TEXT NOT NULL,
      PRIMARY KEY (dataset_hash, row_index)
    )`,
    `CREATE TABLE prompts (
      hash TEXT PRIMARY KEY,
      task_id TEXT NOT NULL REFERENCES tasks (id),
      name TEXT NOT NULL,
      parent_hash TEXT REFERENCES prompts (hash),
      author TEXT,
      note TEXT,
      spec TEXT NOT NULL,
      created_at TEXT NOT NULL
    )`,
    'CREATE INDEX prompts_by_task ON prompts (task_id, created_at)',
    'CREATE INDEX prompts_by_parent ON prompts (parent_hash)',
    `CREATE TABLE runs (
      id TEXT PRIMARY KEY,
      task_id TEXT NOT NULL REFERENCES tasks (id),
      recipe TEXT NOT NULL,
      config TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'killed')),
      base_model TEXT NOT NULL,
      dataset_hash TEXT REFERENCES datasets (hash),
      prompt_hash TEXT REFERENCES prompts (hash),
      worker_id TEXT,
      error TEXT,
      best_metric_name TEXT,
      best_metric DOUBLE PRECISION,
      checkpoint_path TEXT,
      created_at TEXT NOT NULL,
      started_at TEXT,
      finished_at TEXT
    )`,
    'CREATE INDEX runs_by_status ON runs (status, created_at)',
    'CREATE INDEX runs_by_task ON runs (task_id, created_at)',
    `CREATE TABLE run_metrics (
      run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      step INTEGER NOT NULL,
      value DOUBLE PRECISION,
      recorded_at TEXT NOT NULL,
      PRIMARY KEY (run_id, name, step)
    )`,
    `CREATE TABLE evaluations (
      id TEXT PRIMARY KEY,
      task_id TEXT NOT NULL REFERENCES tasks (id),
      kind TEXT NOT NULL,
      dataset_hash TEXT REFERENCES datasets (hash),
      model_ref TEXT,
      run_id TEXT REFERENCES runs (id),
      metrics TEXT NOT NULL,
      details TEXT,
      created_at TEXT NOT NULL
    )`,
    'CREATE INDEX evaluations_by_task ON evaluations (task_id, created_at)',
    'CREATE INDEX evaluations_by_dataset ON evaluations (dataset_hash)',
    'CREATE INDEX evaluations_by_run ON evaluations (run_id)',
    `CREATE TABLE evaluation_prompts (
      evaluation_id TEXT NOT NULL REFERENCES evaluations (id) ON DELETE CASCADE,
      ordinal INTEGER NOT NULL,
      prompt_hash TEXT NOT NULL REFERENCES prompts (hash),
      PRIMARY KEY (evaluation_id, ordinal)
    )`,
    'CREATE INDEX evaluation_prompts_by_prompt ON evaluation_prompts (prompt_hash)',
    `CREATE TABLE feedback (
      id TEXT PRIMARY KEY,
      task_id TEXT NOT NULL REFERENCES tasks (id),
      prompt_hash TEXT REFERENCES prompts (hash),
      model_version TEXT,
      input TEXT NOT NULL,
      prediction TEXT,
      correct_label TEXT,
      rating INTEGER CHECK (rating IN (-1, 0, 1)),
      comment TEXT,
      author TEXT,
      created_at TEXT NOT NULL
    )`,
    'CREATE INDEX feedback_by_task ON feedback (task_id, created_at)',
  ],
};
