// GET /openapi.json: the API described from the same zod schemas that validate requests.
import type { Hono } from 'hono';
import { z } from 'zod';
import type { ServerEnv } from '../context.js';
import { jobRequestSchema } from './jobs.js';
import {
  crmRecordsSchema,
  errorSchema,
  feedbackRequestSchema,
  loadModelSchema,
  predictRequestSchema,
  predictResponseSchema,
  reviewSchema,
  trafficSchema,
} from './schemas.js';

const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema: z.toJSONSchema(schema, { io: 'input' }) } } });
const errors = {
  '400': { description: 'Invalid request (the message names the field and the fix)', ...json(errorSchema) },
  '401': { description: 'No or unknown API key', ...json(errorSchema) },
  '403': { description: 'The key lacks the scope', ...json(errorSchema) },
  '413': { description: 'Body or text too large', ...json(errorSchema) },
  '429': { description: 'Rate limited or saturated; see Retry-After', ...json(errorSchema) },
  '503': { description: 'Not ready or shutting down; see Retry-After', ...json(errorSchema) },
};
const op = (summary: string, scope: string | null, body?: z.ZodType, ok: z.ZodType | null = null) => ({
  summary,
  ...(scope ? { security: [{ apiKey: [] }], description: `Needs an API key with scope "${scope}" (admin implies all).` } : {}),
  ...(body ? { requestBody: { required: true, ...json(body) } } : {}),
  responses: { '200': { description: 'OK', ...(ok ? json(ok) : {}) }, ...errors },
});

/** The OpenAPI 3.1 document of the server. */
export function openApiDocument(version: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: { title: 'Promptune model server', version },
    components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
    paths: {
      '/v1/predict': { post: op('Predict one example or a batch', 'predict', predictRequestSchema, predictResponseSchema) },
      '/v1/feedback': { post: op('Rate or correct a prediction by its id', 'feedback', feedbackRequestSchema) },
      '/v1/review': { get: op('Unsure predictions waiting for a person', 'feedback') },
      '/v1/review/{id}': { post: op('Label a prediction from the review queue', 'feedback', reviewSchema) },
      '/v1/models': {
        get: op('Served model versions and the traffic split', 'predict'),
        post: op('Load a model version beside the live ones', 'admin', loadModelSchema),
      },
      '/v1/models/{name}': { delete: op('Unload a version that takes no traffic', 'admin') },
      '/v1/models/{name}/promote': { post: op('Send all traffic to this version (promotion or rollback)', 'admin') },
      '/v1/traffic': { put: op('Set the traffic split between versions', 'admin', trafficSchema) },
      '/v1/drift': { get: op("Drift of recent traffic against each model's reference profile (?window=seconds)", 'admin') },
      '/v1/traffic/comparison': {
        get: op(
          'Online A/B comparison of two versions on judged predictions (always-valid sequential test; ?a=&b=&since=)',
          'admin',
        ),
      },
      '/v1/crm/records': {
        post: op(
          'CRM records in, a prediction each, results written back to the CRM (integrations file)',
          'predict',
          crmRecordsSchema,
        ),
      },
      '/v1/jobs': {
        get: op('Recent jobs (?status=queued|running|completed|failed|cancelled)', 'admin'),
        post: op('Queue a batch-scoring job for the workers (paths on shared storage)', 'admin', jobRequestSchema),
      },
      '/v1/jobs/{id}': { get: op('A job: status, attempts, progress, result or error', 'admin') },
      '/v1/jobs/{id}/cancel': { post: op('Cancel a queued or running job (409 when it has finished)', 'admin') },
      '/health/live': { get: op('The process answers', null) },
      '/health/ready': { get: op('Models loaded, store reachable, not shutting down', null) },
      '/metrics': { get: op('Prometheus metrics', 'admin') },
    },
  };
}

/** Mounts GET /openapi.json. */
export function openApiRoutes(app: Hono<ServerEnv>, version: string): void {
  const doc = openApiDocument(version);
  app.get('/openapi.json', (c) => c.json(doc));
}
