// Public API of the store: one schema over SQLite (the default, no set-up) or PostgreSQL (by URL, for teams).
export { StoreError, type StoreErrorCode } from './errors.js';
export { type OpenStoreOptions, openDriver, openStore } from './open.js';
export { type Repositories, type Store, createStore } from './store.js';
export { DEFAULT_STORE_PATH, STORE_URL_ENV, type StoreTarget, parseStoreUrl, redactUrl } from './url.js';
export { type Dialect, type Driver, type Executor, type SqlRow, type SqlValue, numberPlaceholders } from './driver.js';
export { type SqliteOptions, openSqlite } from './sqlite-driver.js';
export { type PostgresOptions, openPostgres } from './postgres-driver.js';
export { type Migration, type MigrationReport, migrate, migrationChecksum, schemaVersion } from './migrate.js';
export { MIGRATIONS } from './migrations/index.js';
export type { TaskRecord, TaskRepository } from './tasks.js';
export type { DatasetInput, DatasetRecord, DatasetRepository, RowRange } from './datasets.js';
export type { PromptVersion, PromptVersionInput, PromptRepository } from './prompts.js';
export type {
  Evaluation,
  EvaluationFilter,
  EvaluationInput,
  EvaluationKind,
  EvaluationRepository,
} from './evaluations.js';
export type {
  Feedback,
  FeedbackFilter,
  FeedbackInput,
  FeedbackProvenance,
  FeedbackRating,
  FeedbackRepository,
  LabelledExample,
} from './feedback.js';
export type {
  BestMetric,
  MetricPoint,
  Run,
  RunEnd,
  RunInput,
  RunProgress,
  RunRepository,
  RunStatus,
} from './runs.js';
export {
  API_KEY_SCOPES,
  type ApiKey,
  type ApiKeyRepository,
  type ApiKeyScope,
  hashApiKey,
} from './api-keys.js';
export {
  MAX_SUBJECT_CHARS,
  type PredictionFilter,
  type PredictionInput,
  type PredictionRepository,
  type StoredPrediction,
} from './predictions.js';
export {
  type EraseReport,
  PRIVACY_TABLES,
  type PrivacyRepository,
  type PrivacyTable,
  type PruneTextsReport,
  type TableCounts,
} from './privacy.js';
export {
  type ClaimOptions,
  WEBHOOK_METHODS,
  type WebhookDelivery,
  type WebhookDeliveryFilter,
  type WebhookDeliveryInput,
  type WebhookDeliveryStatus,
  type WebhookMethod,
  type WebhookRepository,
} from './webhooks.js';
export {
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_RETRY_DELAY_MS,
  type EnqueueOptions,
  JOB_STATUSES,
  type Job,
  type JobLogLevel,
  type JobLogLine,
  type JobLogRepository,
  type JobRepository,
  type JobStatus,
  type PgBossQueueOptions,
  pgBossJobQueue,
  sqlJobQueue,
} from './jobs/index.js';
