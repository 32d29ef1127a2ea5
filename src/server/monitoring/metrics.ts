// Prometheus metrics of one server process: request latency, batch sizes, queue depth, predictions per label and
// version, errors by code. A private registry, so two servers in one process (tests) never share counters.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The server's metrics. */
export interface ServerMetrics {
  registry: Registry;
  requestSeconds: Histogram<'route' | 'method' | 'status'>;
  batchSize: Histogram<'model'>;
  batchSeconds: Histogram<'model'>;
  queueDepth: Gauge<'model'>;
  predictions: Counter<'model' | 'version' | 'label'>;
  errors: Counter<'code'>;
  driftPsi: Gauge<'model' | 'feature'>;
}

/** A fresh set of metrics with the process defaults (memory, CPU, event-loop lag). */
export function serverMetrics(): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'promptune_' });
  return {
    registry,
    requestSeconds: new Histogram({
      name: 'promptune_http_request_duration_seconds',
      help: 'HTTP request latency by route, method and status',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'promptune_batch_size',
      help: 'Examples per forward pass',
      labelNames: ['model'],
      buckets: [1, 2, 4, 8, 16, 32, 64, 128],
      registers: [registry],
    }),
    batchSeconds: new Histogram({
      name: 'promptune_batch_duration_seconds',
      help: 'Seconds per forward pass',
      labelNames: ['model'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'promptune_queue_depth',
      help: 'Examples waiting for a batch',
      labelNames: ['model'],
      registers: [registry],
    }),
    predictions: new Counter({
      name: 'promptune_predictions_total',
      help: 'Predictions by model, version and label ("(not sure)" when abstaining)',
      labelNames: ['model', 'version', 'label'],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'promptune_errors_total',
      help: 'Error answers by code',
      labelNames: ['code'],
      registers: [registry],
    }),
    driftPsi: new Gauge({
      name: 'promptune_drift_psi',
      help: "Population stability index of the last window against the model's reference profile, per feature",
      labelNames: ['model', 'feature'],
      registers: [registry],
    }),
  };
}
