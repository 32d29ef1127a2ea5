import { z } from 'zod';
// Feedback on served predictions, by id: a rating, a correction or a comment, stored with the prediction's model
// and prompt version; and the review queue of unsure predictions that a person labels.
import type { FeedbackInput, StoredPrediction } from '../../store/index.js';
import { type RouteTable, pathParam } from '../api/route.js';
import type { ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import { feedbackRequestSchema, reviewSchema } from './schemas.js';

function checkLabel(p: StoredPrediction, label: string | undefined, field: string): void {
  const labels = Object.keys(p.probs);
  if (label !== undefined && !labels.includes(label))
    throw new ServerError(
      400,
      'BAD_REQUEST',
      `${field}: "${label}" is not a label of this model — use one of ${labels.join(', ')}.`,
    );
}

/** Mounts POST /v1/feedback, GET /v1/review and POST /v1/review/{id}. */
export function feedbackRoutes(routes: RouteTable, ctx: ServerContext): void {
  const created = z.object({ id: z.string(), predictionId: z.string() });
  routes.route(
    {
      method: 'post',
      path: '/v1/feedback',
      access: 'feedback',
      tag: 'feedback',
      summary: 'Rate or correct a prediction by its id',
      body: feedbackRequestSchema,
      response: created,
      status: 201,
      errors: [404],
    },
    async (c, { body }) => {
      const p = await ctx.store.predictions.get(body.predictionId);
      checkLabel(p, body.correctLabel, 'correctLabel');
      const id = await judge(ctx, p, {
        rating: body.rating ?? null,
        correctLabel: body.correctLabel ?? null,
        comment: body.comment ?? null,
        author: body.author ?? c.var.apiKey?.name ?? null,
      });
      return c.json({ id, predictionId: p.id }, 201);
    },
  );

  routes.route(
    {
      method: 'get',
      path: '/v1/review',
      access: 'feedback',
      tag: 'feedback',
      summary: 'Unsure predictions waiting for a person, the least confident first',
      query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50).describe('At most this many (1–500)') }),
    },
    async (c, { query }) => {
      const limit = query.limit;
      // A prediction whose text retention blanked cannot be labelled by a person: it stays out of the queue.
      const pending = await ctx.store.predictions.list({
        review: 'pending',
        hasText: true,
        limit,
        order: 'least-confident',
      });
      return c.json({
        predictions: pending.map((p) => ({
          id: p.id,
          input: p.input,
          label: p.label,
          confidence: p.confidence,
          probs: p.probs,
          model: p.modelVersion,
          createdAt: p.createdAt,
        })),
      });
    },
  );

  routes.route(
    {
      method: 'post',
      path: '/v1/review/:id',
      access: 'feedback',
      tag: 'feedback',
      summary: 'Label a prediction from the review queue',
      body: reviewSchema,
      response: created,
      status: 201,
    },
    async (c, { body }) => {
      const p = await ctx.store.predictions.get(pathParam(c, 'id'));
      checkLabel(p, body.label, 'label');
      const id = await judge(ctx, p, {
        correctLabel: body.label,
        rating: p.label === null ? null : p.label === body.label ? 1 : -1,
        comment: body.comment ?? null,
        author: c.var.apiKey?.name ?? null,
      });
      return c.json({ id, predictionId: p.id }, 201);
    },
  );
}

/**
 * Stores a verdict on a served prediction with the prediction's input, model version and answer, tells the
 * webhooks, and takes the prediction off the review queue once it has a label.
 */
async function judge(
  ctx: ServerContext,
  p: StoredPrediction,
  verdict: Pick<FeedbackInput, 'rating' | 'correctLabel' | 'comment' | 'author'>,
): Promise<string> {
  const fb = await ctx.store.feedback.record({
    taskId: p.taskId,
    modelVersion: p.modelVersion,
    predictionId: p.id,
    input: p.input,
    prediction: p.label,
    ...verdict,
  });
  await ctx.webhooks?.emit({ type: 'feedback.created', data: fb, subject: fb.subject });
  if (verdict.correctLabel && p.review === 'pending') await ctx.store.predictions.setReview(p.id, 'done');
  return fb.id;
}
