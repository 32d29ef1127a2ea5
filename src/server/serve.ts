// Starts the HTTP server on a port and stops it gracefully: readiness fails first, the listener closes, requests
// in flight and queued batches finish, then the model workers and the store close.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Store } from '../store/index.js';
import { createApp } from './app.js';
import type { ServerContext, ServerLimits } from './context.js';
import { ServedModel, type ServedModelOptions } from './models/served-model.js';
import { DriftMonitor, type DriftOptions, type ModelDrift } from './monitoring/drift-monitor.js';
import { type LogLevel, type Logger, jsonLogger } from './monitoring/logger.js';
import { serverMetrics } from './monitoring/metrics.js';
import { type TextRetention, startTextRetention } from './monitoring/text-retention.js';
import { unmappedInputs } from './routes/crm.js';
import { ModelRegistry, type TrafficSplit } from './traffic/registry.js';
import { type Integrations, IntegrationsError } from './webhooks/config.js';
import { WebhookDispatcher } from './webhooks/dispatcher.js';

/** Everything `promptune serve` can set. */
export interface ServeOptions {
  store: Store;
  /** Versions to load at start, by name. */
  models: { name: string; dir: string }[];
  split?: TrafficSplit;
  host: string;
  /** 0 picks a free port. */
  port: number;
  limits: ServerLimits;
  batching: Omit<ServedModelOptions, 'onBatch'>;
  authDisabled: boolean;
  corsOrigins: string[];
  logInputs: boolean;
  reviewBelow: number;
  /** Where tasks defined over the API live (<workspace>/<task>/promptune.yaml); without it those routes answer 409. */
  workspace?: string;
  logger?: Logger;
  logLevel?: LogLevel;
  /** Drift checks (default: a 1-hour window every 5 minutes, PSI threshold 0.2, at least 100 predictions). */
  drift?: Partial<DriftOptions>;
  /** Called when a drift check finds a feature over the threshold (besides the warning log line). */
  onDriftAlert?: (drift: ModelDrift) => void;
  /** Webhook endpoints, the CRM mapping and the delivery policy (promptune serve --integrations <file>). */
  integrations?: Integrations;
  /**
   * Milliseconds stored texts are kept (promptune serve --retain-texts): older ones are blanked at start and
   * hourly, the rows and their metrics kept. Unset: texts are kept until erased or pruned.
   */
  retainTextsMs?: number;
}

/** Drift defaults: an hour of traffic, checked every five minutes. */
export const DRIFT_DEFAULTS: DriftOptions = { windowSeconds: 3600, intervalSeconds: 300, threshold: 0.2, minExamples: 100 };

/** A running server. */
export interface RunningServer {
  url: string;
  context: ServerContext;
  /** Every route the app mounted, as "METHOD /path" (Hono's form), for checking them against the document. */
  mountedRoutes: readonly string[];
  /** Graceful stop: waits for in-flight work (at most `timeoutMs`), then closes models and the store. */
  close(timeoutMs?: number): Promise<void>;
  /** The text retention sweeper, when retainTextsMs is set. */
  retention?: TextRetention;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Loads the models and starts listening. */
export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  if (opts.authDisabled && !LOOPBACK.has(opts.host))
    throw new Error(
      `auth can be turned off only on a loopback address, not ${opts.host}: make a key (promptune keys create) or bind 127.0.0.1`,
    );
  const metrics = serverMetrics();
  const logger = opts.logger ?? jsonLogger(process.stdout, opts.logLevel);
  const serving: ServedModelOptions = {
    ...opts.batching,
    onBatch: (model, size, seconds) => {
      metrics.batchSize.observe({ model }, size);
      metrics.batchSeconds.observe({ model }, seconds);
    },
  };
  const registry = new ModelRegistry();
  try {
    for (const m of opts.models) registry.add(await ServedModel.load(m.name, m.dir, serving));
    if (opts.split) registry.setSplit(opts.split);
    checkCrmMapping(opts.integrations, registry);
  } catch (e) {
    await Promise.all(registry.list().map((m) => m.close()));
    throw e;
  }
  const integrations = opts.integrations;
  const crm = integrations?.crm;
  const webhooks =
    integrations &&
    new WebhookDispatcher({
      store: opts.store,
      endpoints: integrations.webhooks,
      targets: crm ? [{ name: crm.name, secret: crm.writeBack.secret, headers: crm.writeBack.headers }] : [],
      policy: integrations.delivery,
      logger,
      registry: metrics.registry,
    });
  const context: ServerContext = {
    store: opts.store,
    models: registry,
    metrics,
    logger,
    limits: opts.limits,
    authDisabled: opts.authDisabled,
    corsOrigins: opts.corsOrigins,
    logInputs: opts.logInputs,
    reviewBelow: opts.reviewBelow,
    ...(opts.workspace ? { workspace: opts.workspace } : {}),
    draining: false,
    drift: new DriftMonitor(
      opts.store,
      () => registry.list(),
      metrics,
      logger,
      { ...DRIFT_DEFAULTS, ...opts.drift },
      (d) => {
        opts.onDriftAlert?.(d);
        void webhooks?.emit({ type: 'drift.alert', data: d });
      },
    ),
    ...(webhooks ? { webhooks, integrations } : {}),
  };
  context.drift.start();
  const app = createApp(context, serving);
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: opts.host, port: opts.port }, () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const url = `http://${host}:${port}`;
  logger.log('info', 'listening', { url, models: registry.list().map((m) => m.identity) });
  webhooks?.start();
  const retention = opts.retainTextsMs === undefined ? undefined : startTextRetention(opts.store, opts.retainTextsMs, logger);
  let closing: Promise<void> | undefined;
  return {
    url,
    context,
    // A route with middleware is listed once per handler.
    mountedRoutes: [...new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`))],
    ...(retention ? { retention } : {}),
    close(timeoutMs = 30_000) {
      closing ??= (async () => {
        context.draining = true;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        // Idle keep-alive connections would hold close() open; in-flight requests keep theirs until answered.
        (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
        const timer = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
        await Promise.race([stopped, timer]);
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        await context.drift.stop();
        await retention?.stop();
        await Promise.all(registry.list().map((m) => m.close()));
        // After the models: requests still answering may queue events; a delivery in flight finishes.
        await webhooks?.stop();
        logger.log('info', 'stopped', { url });
      })();
      return closing;
    },
  };
}

/** Refuses a CRM mapping that names a model not served, or does not feed every input of the models it may use. */
function checkCrmMapping(integrations: Integrations | undefined, registry: ModelRegistry): void {
  const crm = integrations?.crm;
  if (!crm) return;
  if (crm.model && !registry.list().some((m) => m.identity.name === crm.model))
    throw new IntegrationsError(
      'INTEGRATIONS_INVALID',
      `integrations file: crm.model is "${crm.model}", which is not served (served: ${registry
        .list()
        .map((m) => m.identity.name)
        .join(', ')}): serve it (--model ${crm.model}=<dir>) or change crm.model.`,
    );
  for (const m of crm.model ? [registry.get(crm.model)] : registry.list()) {
    const missing = unmappedInputs(crm, m);
    if (missing.length)
      throw new IntegrationsError(
        'INTEGRATIONS_INVALID',
        `integrations file: crm.inputs maps ${Object.keys(crm.inputs).join(', ')}, but model "${m.identity.name}" reads ${m.meta.inputs.join(', ')}: add crm.inputs.${missing[0]}: <record field>.`,
      );
  }
}
