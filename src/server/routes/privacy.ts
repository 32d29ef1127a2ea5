import { z } from 'zod';
// Erasure over the API: DELETE /v1/subjects/{id} deletes every prediction, piece of feedback and webhook delivery
// about one subject (the `subject` given with predictions), in one transaction, and says how many rows per table.
import { MAX_SUBJECT_CHARS } from '../../store/index.js';
import { type RouteTable, pathParam } from '../api/route.js';
import type { ServerContext } from '../context.js';
import { ServerError } from '../errors.js';

/** The answer to DELETE /v1/subjects/{id}. */
export const eraseResponseSchema = z.object({
  subject: z.string(),
  deleted: z
    .object({ predictions: z.number().int(), feedback: z.number().int(), webhook_deliveries: z.number().int() })
    .describe('Rows deleted per table (all zero when the store held nothing about the subject)'),
});

/** Mounts DELETE /v1/subjects/{id}. */
export function privacyRoutes(routes: RouteTable, ctx: ServerContext): void {
  routes.route(
    {
      method: 'delete',
      path: '/v1/subjects/:id',
      access: 'admin',
      tag: 'privacy',
      summary: 'Erase everything stored about a subject: its predictions, the feedback on them, their webhook deliveries',
      response: eraseResponseSchema,
      errors: [400],
    },
    async (c) => {
      const subject = pathParam(c, 'id');
      if (subject.length > MAX_SUBJECT_CHARS)
        throw new ServerError(
          400,
          'BAD_REQUEST',
          `subject has ${subject.length} characters, over the limit of ${MAX_SUBJECT_CHARS}: use the id given with the predictions.`,
        );
      const report = await ctx.store.privacy.eraseSubject(subject);
      ctx.logger.log('info', 'subject erased', {
        requestId: c.var.requestId,
        apiKey: c.var.apiKey?.name ?? null,
        deleted: report.deleted,
      });
      return c.json(report);
    },
  );
}
