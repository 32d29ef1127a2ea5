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
import { ModelRegistry, type TrafficSplit } from './traffic/registry.js';

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
  logger?: Logger;
  logLevel?: LogLevel;
  /** Drift checks (default: a 1-hour window every 5 minutes, PSI threshold 0.2, at least 100 predictions). */
  drift?: Partial<DriftOptions>;
  /** Called when a drift check finds a feature over the threshold (besides the warning log line). */
  onDriftAlert?: (drift: ModelDrift) => void;
}

/** Drift defaults: an hour of traffic, checked every five minutes. */
export const DRIFT_DEFAULTS: DriftOptions = { windowSeconds: 3600, intervalSeconds: 300, threshold: 0.2, minExamples: 100 };

/** A running server. */
export interface RunningServer {
  url: string;
  context: ServerContext;
  /** Graceful stop: waits for in-flight work (at most `timeoutMs`), then closes models and the store. */
  close(timeoutMs?: number): Promise<void>;
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
  } catch (e) {
    await Promise.all(registry.list().map((m) => m.close()));
    throw e;
  }
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
    draining: false,
    drift: new DriftMonitor(
      opts.store,
      () => registry.list(),
      metrics,
      logger,
      { ...DRIFT_DEFAULTS, ...opts.drift },
      opts.onDriftAlert,
    ),
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
  let closing: Promise<void> | undefined;
  return {
    url,
    context,
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
        await Promise.all(registry.list().map((m) => m.close()));
        logger.log('info', 'stopped', { url });
      })();
      return closing;
    },
  };
}
