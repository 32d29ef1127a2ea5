// Request and answer shapes of the HTTP API, as zod schemas: they validate requests and generate /openapi.json,
// so the document cannot drift from what the server accepts.
import { z } from 'zod';
import { MAX_SUBJECT_CHARS } from '../../store/index.js';

const inputs = z.record(z.string(), z.string()).describe('Input fields by name, e.g. { "text": "…" }');

/** One example: `text` for single-input models, or every input field by name. */
export const instanceSchema = z.union([z.object({ text: z.string() }).strict(), z.object({ inputs }).strict()]);

/** POST /v1/predict */
export const predictRequestSchema = z
  .object({
    text: z.string().optional().describe('One example (single-input models)'),
    inputs: inputs.optional().describe('One example, by input field'),
    instances: z.array(instanceSchema).min(1).optional().describe('Several examples at once'),
    model: z.string().optional().describe('Pin a served model version by name (else the traffic split decides)'),
    routingKey: z
      .string()
      .max(256)
      .optional()
      .describe('Sticky assignment: the same key always meets the same version of a split (e.g. a customer id)'),
    subject: z
      .string()
      .min(1)
      .max(MAX_SUBJECT_CHARS)
      .optional()
      .describe(
        'Whom the input is about (your id for a person or account): stored with the predictions and the feedback on them, so DELETE /v1/subjects/{id} erases them all',
      ),
  })
  .strict()
  .refine((r) => [r.text, r.inputs, r.instances].filter((x) => x !== undefined).length === 1, {
    message: 'give exactly one of text, inputs or instances',
  });

const modelIdentity = z.object({ name: z.string(), version: z.string() });

/** One answer. */
export const predictionSchema = z.object({
  id: z.string().describe('Name this prediction in feedback'),
  label: z.string().nullable().describe('The answer; null when the model is not sure'),
  notSure: z.boolean(),
  confidence: z.number(),
  probs: z.record(z.string(), z.number()),
  labels: z.array(z.string()).optional().describe('Multi-label models: every label predicted'),
});

/** The answer to POST /v1/predict. */
export const predictResponseSchema = z.object({
  model: modelIdentity,
  prompt: z.string().nullable().describe('The prompt version (content hash) of prompt-based models'),
  prediction: predictionSchema.optional(),
  predictions: z.array(predictionSchema).optional(),
});

/** POST /v1/feedback */
export const feedbackRequestSchema = z
  .object({
    predictionId: z.string().min(1),
    rating: z
      .union([z.literal(-1), z.literal(0), z.literal(1)])
      .optional()
      .describe('-1 wrong, 0 unsure, 1 right'),
    correctLabel: z.string().min(1).optional(),
    comment: z.string().max(2000).optional(),
    author: z.string().max(200).optional(),
  })
  .strict()
  .refine((f) => f.rating !== undefined || f.correctLabel !== undefined || f.comment !== undefined, {
    message: 'feedback needs a rating, a correctLabel or a comment',
  });

/** POST /v1/models (admin) */
export const loadModelSchema = z.object({ name: z.string().regex(/^[\w.-]{1,64}$/), dir: z.string().min(1) }).strict();

/** PUT /v1/traffic (admin) */
export const trafficSchema = z
  .object({ split: z.record(z.string(), z.number().min(0)).describe('Shares by model name, e.g. { "v1": 90, "v2": 10 }') })
  .strict();

/** POST /v1/review/{id} */
export const reviewSchema = z.object({ label: z.string().min(1), comment: z.string().max(2000).optional() }).strict();

/** POST /v1/crm/records */
export const crmRecordsSchema = z
  .object({
    records: z
      .array(
        z
          .object({
            id: z.string().min(1).max(256).describe('The record id in the CRM: fills {id} in the write-back URL'),
            fields: z.record(z.string(), z.string()).describe("The record's text fields by name"),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

/** Every error answer. */
export const errorSchema = z.object({
  error: z.object({
    code: z.string().describe('Stable: BAD_REQUEST, NOT_FOUND, CONFLICT, FORBIDDEN, RATE_LIMITED, UNAVAILABLE, …'),
    message: z.string().describe('What is wrong and how to fix it, in one line'),
    problems: z
      .array(
        z.object({
          code: z.string(),
          path: z.string().describe('The field, dotted ("lora.r"); "" for the request as a whole'),
          message: z.string(),
          received: z.string().optional().describe('The value found, as JSON'),
          fix: z.string().optional(),
        }),
      )
      .optional()
      .describe('Every problem with the request, one entry each'),
    requestId: z.string(),
  }),
});
