// POST /v1/predict: one example or many, answered by the pinned version or the traffic split's pick, with the
// model and prompt version and a prediction id (for feedback) in every answer. Each prediction is stored; the
// unsure ones wait in the review queue.
import type { Prediction } from '../../core/train/index.js';
import type { RouteTable } from '../api/route.js';
import type { ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import type { ServedModel } from '../models/served-model.js';
import { redactPii } from '../monitoring/redact.js';
import { predictRequestSchema, predictResponseSchema } from './schemas.js';

type Instance = { text: string } | { inputs: Record<string, string> };

/** The model's input fields for one instance; 400 naming the index and the missing field. */
function toInputs(model: ServedModel, instance: Instance, where: string, maxChars: number): Record<string, string> {
  const fields = model.meta.inputs;
  let inputs: Record<string, string>;
  if ('text' in instance) {
    if (fields.length !== 1)
      throw new ServerError(
        400,
        'BAD_REQUEST',
        `${where}: model "${model.identity.name}" reads ${fields.join(', ')}: send "inputs": { ${fields.map((f) => `"${f}": "…"`).join(', ')} } instead of "text".`,
      );
    inputs = { [fields[0] as string]: instance.text };
  } else inputs = instance.inputs;
  for (const f of fields)
    if (typeof inputs[f] !== 'string')
      throw new ServerError(
        400,
        'BAD_REQUEST',
        `${where}.inputs.${f}: missing — model "${model.identity.name}" reads ${fields.join(', ')}.`,
      );
  for (const [f, v] of Object.entries(inputs))
    if (v.length > maxChars)
      throw new ServerError(
        413,
        'TEXT_TOO_LONG',
        `${where}.${f} has ${v.length} characters, over the limit of ${maxChars}: shorten it (the model reads only its first ${model.meta.maxLength} tokens anyway).`,
      );
  return Object.fromEntries(fields.map((f) => [f, inputs[f] as string]));
}

/** One answer as the API gives it: the stored prediction's id, the label (null: not sure), the probabilities. */
export interface PredictionAnswer {
  id: string;
  label: string | null;
  notSure: boolean;
  confidence: number;
  probs: Record<string, number>;
  labels?: string[];
}

/**
 * Predicts `inputs` with `model` (through its batcher), stores every prediction (the unsure ones join the review
 * queue and are announced to webhooks), counts and optionally logs them; the answers come back in order.
 */
export async function predictAndRecord(
  ctx: ServerContext,
  model: ServedModel,
  inputs: Record<string, string>[],
  caller: { apiKeyId: string | null; requestId: string; subject?: string | null },
): Promise<PredictionAnswer[]> {
  const preds: Prediction[] = await model.predict(inputs);
  const stored = await ctx.store.predictions.recordMany(
    preds.map((p, i) => ({
      taskId: model.meta.task,
      modelVersion: `${model.identity.name}@${model.identity.version}`,
      promptHash: model.identity.prompt,
      input: inputs[i],
      label: p.labels ? p.labels.join('|') : (p.label ?? null),
      confidence: p.confidence,
      probs: p.probs,
      review: p.label === undefined || p.confidence < ctx.reviewBelow ? 'pending' : null,
      apiKeyId: caller.apiKeyId,
      subject: caller.subject ?? null,
    })),
  );
  for (const p of stored)
    if (p.review === 'pending')
      await ctx.webhooks?.emit({
        type: 'prediction.review_needed',
        subject: p.subject,
        data: {
          id: p.id,
          taskId: p.taskId,
          modelVersion: p.modelVersion,
          promptHash: p.promptHash,
          input: p.input,
          label: p.label,
          confidence: p.confidence,
          probs: p.probs,
          createdAt: p.createdAt,
        },
      });
  for (const p of preds)
    ctx.metrics.predictions.inc({
      model: model.identity.name,
      version: model.identity.version,
      label: p.label ?? '(not sure)',
    });
  if (ctx.logInputs)
    ctx.logger.log('info', 'predictions', {
      requestId: caller.requestId,
      model: model.identity.name,
      inputs: inputs.map((x) => Object.fromEntries(Object.entries(x).map(([k, v]) => [k, redactPii(v)]))),
      labels: preds.map((p) => p.label ?? null),
    });
  return preds.map((p, i) => ({
    id: (stored[i] as { id: string }).id,
    label: p.label ?? null,
    notSure: p.label === undefined && !p.labels,
    confidence: p.confidence,
    probs: p.probs,
    ...(p.labels ? { labels: p.labels } : {}),
  }));
}

/** Mounts POST /v1/predict. */
export function predictRoutes(routes: RouteTable, ctx: ServerContext): void {
  routes.route(
    {
      method: 'post',
      path: '/v1/predict',
      access: 'predict',
      tag: 'serving',
      summary: 'Predict one example or a batch',
      body: predictRequestSchema,
      response: predictResponseSchema,
      errors: [404],
    },
    async (c, { body }) => {
      const model = ctx.models.choose(body.model, body.routingKey);
      const instances: Instance[] = body.instances ?? [
        body.text !== undefined ? { text: body.text } : { inputs: body.inputs as Record<string, string> },
      ];
      if (instances.length > ctx.limits.maxInstances)
        throw new ServerError(
          413,
          'BODY_TOO_LARGE',
          `instances has ${instances.length} examples, over the limit of ${ctx.limits.maxInstances} per request: split it, or use promptune score for files.`,
        );
      const inputs = instances.map((x, i) =>
        toInputs(model, x, body.instances ? `instances.${i}` : '(body)', ctx.limits.maxTextChars),
      );
      const answers = await predictAndRecord(ctx, model, inputs, {
        apiKeyId: c.var.apiKey?.id ?? null,
        requestId: c.var.requestId,
        subject: body.subject ?? null,
      });
      const head = { model: { name: model.identity.name, version: model.identity.version }, prompt: model.identity.prompt };
      return c.json(body.instances ? { ...head, predictions: answers } : { ...head, prediction: answers[0] });
    },
  );
}
