// POST /v1/crm/records: CRM-style records in (an id and text fields), a prediction for each out, and each result
// written back to the CRM through the durable outbox, so a CRM outage delays write-backs but never loses one. The
// integrations file's CRM mapping says which record fields feed which model inputs and how to write back.
import type { RouteTable } from '../api/route.js';
import type { ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import type { ServedModel } from '../models/served-model.js';
import type { CrmMapping } from '../webhooks/config.js';
import { writeBackDelivery } from '../webhooks/write-back.js';
import { predictAndRecord } from './predict.js';
import { crmRecordsSchema } from './schemas.js';

/** Model inputs the mapping does not feed; empty when it covers the model. */
export function unmappedInputs(crm: CrmMapping, model: ServedModel): string[] {
  return model.meta.inputs.filter((f) => crm.inputs[f] === undefined);
}

/** One record's model inputs from its fields; 400 naming the record, the field and the fix. */
function recordInputs(
  crm: CrmMapping,
  model: ServedModel,
  record: { id: string; fields: Record<string, string> },
  i: number,
  maxChars: number,
): Record<string, string> {
  const missing = unmappedInputs(crm, model);
  if (missing.length)
    throw new ServerError(
      400,
      'BAD_REQUEST',
      `model "${model.identity.name}" reads ${missing.join(', ')}, which the CRM mapping does not feed: the operator must add crm.inputs.${missing[0]}: <record field> to the integrations file.`,
    );
  return Object.fromEntries(
    model.meta.inputs.map((input) => {
      const field = crm.inputs[input] as string;
      const value = record.fields[field];
      if (typeof value !== 'string')
        throw new ServerError(
          400,
          'BAD_REQUEST',
          `records.${i}.fields.${field}: missing in record "${record.id}" — the CRM mapping feeds the model's "${input}" from field "${field}": send it (an empty string is allowed). Fields sent: ${Object.keys(record.fields).join(', ') || 'none'}.`,
        );
      if (value.length > maxChars)
        throw new ServerError(
          413,
          'TEXT_TOO_LONG',
          `records.${i}.fields.${field} has ${value.length} characters, over the limit of ${maxChars}: shorten it (the model reads only its first ${model.meta.maxLength} tokens anyway).`,
        );
      return [input, value];
    }),
  );
}

/** Mounts POST /v1/crm/records. */
export function crmRoutes(routes: RouteTable, ctx: ServerContext): void {
  routes.route(
    {
      method: 'post',
      path: '/v1/crm/records',
      access: 'predict',
      tag: 'integrations',
      summary: 'CRM records in, a prediction each, results written back to the CRM (integrations file)',
      body: crmRecordsSchema,
      errors: [404],
    },
    async (c, { body }) => {
      const crm = ctx.integrations?.crm;
      const webhooks = ctx.webhooks;
      if (!crm || !webhooks)
        throw new ServerError(
          404,
          'NOT_FOUND',
          'no CRM mapping is configured on this server: start it with promptune serve --integrations <file> holding a crm section (docs/integrations.md).',
        );
      if (body.records.length > ctx.limits.maxInstances)
        throw new ServerError(
          413,
          'BODY_TOO_LARGE',
          `records has ${body.records.length} records, over the limit of ${ctx.limits.maxInstances} per request: send them in smaller batches.`,
        );
      const seen = new Map<string, number>();
      body.records.forEach((r, i) => {
        const first = seen.get(r.id);
        if (first !== undefined)
          throw new ServerError(
            400,
            'BAD_REQUEST',
            `records.${i}.id: "${r.id}" is also records.${first}.id — send each record once per request (both would be written back).`,
          );
        seen.set(r.id, i);
      });
      const model = ctx.models.choose(crm.model);
      const inputs = body.records.map((r, i) => recordInputs(crm, model, r, i, ctx.limits.maxTextChars));
      const answers = await predictAndRecord(ctx, model, inputs, {
        apiKeyId: c.var.apiKey?.id ?? null,
        requestId: c.var.requestId,
      });
      const deliveries = await webhooks.send(
        body.records.map((r, i) => {
          const a = answers[i] as (typeof answers)[number];
          return writeBackDelivery(crm, {
            id: r.id,
            label: a.labels ? a.labels.join('|') : a.label,
            confidence: a.confidence,
            predictionId: a.id,
            model: model.identity.name,
            modelVersion: model.identity.version,
            prompt: model.identity.prompt,
            notSure: a.notSure,
          });
        }),
      );
      return c.json({
        model: { name: model.identity.name, version: model.identity.version },
        prompt: model.identity.prompt,
        results: body.records.map((r, i) => ({
          id: r.id,
          prediction: answers[i],
          writeBack: { deliveryId: (deliveries[i] as { id: string }).id, status: 'queued' },
        })),
      });
    },
  );
}
