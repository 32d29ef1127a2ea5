// CRM write-back requests from the mapping's templates: `{id}` and friends in the URL are percent-encoded; in the
// JSON body a string that is exactly one placeholder takes the value's own type (a number stays a number, "not
// sure" stays null), and placeholders inside longer strings are spliced in as text.
import type { WebhookDeliveryInput } from '../../store/index.js';
import type { CrmMapping, WRITE_BACK_FIELDS } from './config.js';

/** The values a write-back template can use. */
export type WriteBackValues = Record<(typeof WRITE_BACK_FIELDS)[number], string | number | boolean | null>;

const PLACEHOLDER = /\{(\w+)\}/g;
const WHOLE = /^\{(\w+)\}$/;

const text = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

/** The template with its placeholders filled in (see the file comment for the typing rule). */
export function renderTemplate(template: unknown, values: WriteBackValues): unknown {
  if (typeof template === 'string') {
    const whole = template.match(WHOLE)?.[1];
    if (whole !== undefined && whole in values) return values[whole as keyof WriteBackValues];
    return template.replace(PLACEHOLDER, (m, k: string) => (k in values ? text(values[k as keyof WriteBackValues]) : m));
  }
  if (Array.isArray(template)) return template.map((t) => renderTemplate(t, values));
  if (template && typeof template === 'object')
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, renderTemplate(v, values)]));
  return template;
}

/** The URL template with every placeholder percent-encoded, so a record id cannot change the path. */
export function renderUrl(template: string, values: WriteBackValues): string {
  return template.replace(PLACEHOLDER, (m, k: string) =>
    k in values ? encodeURIComponent(text(values[k as keyof WriteBackValues])) : m,
  );
}

/** The outbox delivery that writes one record's result back to the CRM. */
export function writeBackDelivery(crm: CrmMapping, values: WriteBackValues): WebhookDeliveryInput {
  return {
    endpoint: crm.name,
    method: crm.writeBack.method,
    url: renderUrl(crm.writeBack.url, values),
    eventType: 'crm.write_back',
    payload: renderTemplate(crm.writeBack.body, values),
  };
}
