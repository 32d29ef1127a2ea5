// Public API of the model server: start one, or build the Hono app to mount elsewhere.
export { createApp } from './app.js';
export type { ServerContext, ServerEnv, ServerLimits } from './context.js';
export { ServerError, type ServerErrorCode } from './errors.js';
export { Batcher, type BatcherOptions } from './batching/batcher.js';
export { ServedModel, type ModelIdentity, type ServedModelOptions, modelVersionOf } from './models/served-model.js';
export { ModelRegistry, type TrafficSplit, keyPosition } from './traffic/registry.js';
export { redactPii } from './monitoring/redact.js';
export { type LogLevel, type Logger, jsonLogger } from './monitoring/logger.js';
export { type ServerMetrics, serverMetrics } from './monitoring/metrics.js';
export { openApiDocument, openApiPath, routeStatuses } from './api/document.js';
export { type RouteAccess, type RouteSpec, RouteTable } from './api/route.js';
export { HTTP_ERRORS, toServerError } from './errors.js';
export { DRIFT_DEFAULTS, type RunningServer, type ServeOptions, startServer } from './serve.js';
export {
  DRIFT_PROFILE_FILE,
  DriftMonitor,
  type DriftOptions,
  type ModelDrift,
  modelDrift,
  readDriftProfile,
} from './monitoring/drift-monitor.js';
export { type OnlineComparison, compareOnline, outcome } from './traffic/online-comparison.js';
export {
  DEFAULT_TOLERANCE_SECONDS,
  DELIVERY_HEADER,
  EVENT_HEADER,
  SIGNATURE_HEADER,
  type WebhookVerification,
  signatureHeader,
  verifyWebhookSignature,
  webhookSignature,
} from './webhooks/signing.js';
export {
  type CrmMapping,
  type DeliveryPolicy,
  type Integrations,
  IntegrationsError,
  type IntegrationsErrorCode,
  WEBHOOK_EVENTS,
  WRITE_BACK_FIELDS,
  type WebhookEndpointConfig,
  type WebhookEventType,
  loadIntegrations,
  parseIntegrations,
} from './webhooks/config.js';
export {
  type DeliveryTarget,
  type DispatcherOptions,
  type WebhookEmitter,
  type WebhookEvent,
  WebhookDispatcher,
  parseRetryAfter,
  retryDelayMs,
} from './webhooks/dispatcher.js';
