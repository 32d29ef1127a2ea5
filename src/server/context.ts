// What every route and middleware of one server shares: the store, the served models, limits, metrics, logs.
import type { ApiKey, Store } from '../store/index.js';
import type { DriftMonitor } from './monitoring/drift-monitor.js';
import type { Logger } from './monitoring/logger.js';
import type { ServerMetrics } from './monitoring/metrics.js';
import type { ModelRegistry } from './traffic/registry.js';
import type { Integrations } from './webhooks/config.js';
import type { WebhookDispatcher } from './webhooks/dispatcher.js';

/** Request limits; every one is answered with a clear 4xx when crossed. */
export interface ServerLimits {
  /** Largest request body in bytes (413 BODY_TOO_LARGE). */
  maxBodyBytes: number;
  /** Longest input text in characters (413 TEXT_TOO_LONG). */
  maxTextChars: number;
  /** Most examples in one predict request. */
  maxInstances: number;
  /** Requests per minute per API key unless the key sets its own. */
  ratePerMinute: number;
}

/** The shared state of one server process. */
export interface ServerContext {
  store: Store;
  models: ModelRegistry;
  metrics: ServerMetrics;
  logger: Logger;
  limits: ServerLimits;
  /** No API keys needed (only allowed on a loopback address). */
  authDisabled: boolean;
  /** Origins allowed by CORS; empty: CORS off. */
  corsOrigins: string[];
  /** Log the inputs of each prediction, PII-redacted (off by default). */
  logInputs: boolean;
  /** Predictions below this confidence (and every "not sure") go to the review queue. */
  reviewBelow: number;
  /** Where tasks defined over the API live, one folder each; absent: those routes answer 409. */
  workspace?: string;
  /** Set on shutdown: readiness fails so the load balancer stops sending traffic. */
  draining: boolean;
  /** Drift checks of the served models against their reference profiles. */
  drift: DriftMonitor;
  /** Outgoing webhooks and CRM write-backs (the durable outbox's sender); absent without an integrations file. */
  webhooks?: WebhookDispatcher;
  /** The integrations file: webhook endpoints, the CRM mapping, the delivery policy. */
  integrations?: Integrations;
}

/** Hono's per-request variables. */
export interface ServerEnv {
  Variables: {
    requestId: string;
    /** The caller's key; null when auth is disabled. */
    apiKey: ApiKey | null;
  };
}
