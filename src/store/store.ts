// The Store: every repository over one database, plus transactions that span several of them.
import { type ApiKeyRepository, apiKeyRepository } from './api-keys.js';
import { type DatasetRepository, datasetRepository } from './datasets.js';
import type { Dialect, Driver, Executor } from './driver.js';
import { type EvaluationRepository, evaluationRepository } from './evaluations.js';
import { type FeedbackRepository, feedbackRepository } from './feedback.js';
import { type JobLogRepository, type JobRepository, jobLogRepository, sqlJobQueue } from './jobs/index.js';
import { schemaVersion } from './migrate.js';
import { type PredictionRepository, predictionRepository } from './predictions.js';
import { type PrivacyRepository, privacyRepository } from './privacy.js';
import { type PromptRepository, promptRepository } from './prompts.js';
import { type RunRepository, runRepository } from './runs.js';
import { type TaskRepository, taskRepository } from './tasks.js';
import { type WebhookRepository, webhookRepository } from './webhooks.js';

/** The repositories over one connection or transaction. */
export interface Repositories {
  readonly dialect: Dialect;
  readonly tasks: TaskRepository;
  readonly datasets: DatasetRepository;
  readonly prompts: PromptRepository;
  readonly evaluations: EvaluationRepository;
  readonly feedback: FeedbackRepository;
  readonly runs: RunRepository;
  readonly predictions: PredictionRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly jobs: JobRepository;
  /** What workers logged while running each job (both queue runners). */
  readonly jobLogs: JobLogRepository;
  readonly webhooks: WebhookRepository;
  /** Text retention and erasure of one subject, across the tables above. */
  readonly privacy: PrivacyRepository;
  /**
   * Runs `fn` in one transaction: everything it writes through `tx` is committed together when it resolves, or
   * rolled back when it throws. Use `tx`, not the store, inside the callback.
   */
  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T>;
}

/** An open store: the repositories, the database's location and schema version, and close(). */
export interface Store extends Repositories {
  /** The SQLite file, ":memory:", or the PostgreSQL URL with its password hidden. */
  readonly location: string;
  /** The highest migration applied to the database. */
  schemaVersion(): Promise<number>;
  /** Closes the connection(s). */
  close(): Promise<void>;
}

// A queue engine outside the store's connection (pg-boss) is shared by transactions rather than joined to them.
function repositories(ex: Executor, jobs?: JobRepository): Repositories {
  return {
    dialect: ex.dialect,
    tasks: taskRepository(ex),
    datasets: datasetRepository(ex),
    prompts: promptRepository(ex),
    evaluations: evaluationRepository(ex),
    feedback: feedbackRepository(ex),
    runs: runRepository(ex),
    predictions: predictionRepository(ex),
    apiKeys: apiKeyRepository(ex),
    jobs: jobs ?? sqlJobQueue(ex),
    jobLogs: jobLogRepository(ex),
    webhooks: webhookRepository(ex),
    privacy: privacyRepository(ex),
    transaction: (fn) => ex.transaction((tx) => fn(repositories(tx, jobs))),
  };
}

/** A Store over an open (and migrated) driver; `jobs` replaces the store's own job queue (pg-boss on PostgreSQL). */
export function createStore(driver: Driver, opts: { jobs?: JobRepository } = {}): Store {
  return {
    ...repositories(driver, opts.jobs),
    location: driver.location,
    schemaVersion: () => schemaVersion(driver),
    close: async () => {
      // The queue first: pg-boss's last writes go through the driver's pool.
      await opts.jobs?.close();
      await driver.close();
    },
  };
}
