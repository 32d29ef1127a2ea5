// The integrations file (`promptune serve --integrations <file>`, YAML or JSON): outgoing webhook endpoints, the
// CRM mapping (which record fields feed which model inputs, and how results are written back), and the delivery
// policy. `${NAME}` in any string is replaced by that environment variable, so secrets stay out of the file.
// Every error names the file, the line, the field, the value found and the fix.
import { existsSync, readFileSync } from 'node:fs';
import { LineCounter, type Node, parseDocument } from 'yaml';
import { z } from 'zod';
import { CodedError } from '../../shared/index.js';

/** Events the server sends; an endpoint subscribes to some of them, or to "*" for all. */
export const WEBHOOK_EVENTS = ['prediction.review_needed', 'feedback.created', 'drift.alert'] as const;

/** An event the server sends. */
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

/** Placeholders a CRM write-back URL or body may use, e.g. `{label}`. */
export const WRITE_BACK_FIELDS = [
  'id',
  'label',
  'confidence',
  'predictionId',
  'model',
  'modelVersion',
  'prompt',
  'notSure',
] as const;

/** What went wrong with an integrations file. */
export type IntegrationsErrorCode = 'INTEGRATIONS_NOT_FOUND' | 'INTEGRATIONS_SYNTAX' | 'INTEGRATIONS_INVALID';

/** An integrations file that cannot be used, with the place and the fix in the message. */
export class IntegrationsError extends CodedError<IntegrationsErrorCode> {}

const PLACEHOLDER = /\{(\w+)\}/g;

const httpUrl = z.string().refine(
  (u) => {
    try {
      const p = new URL(u.replace(PLACEHOLDER, 'x')).protocol;
      return p === 'http:' || p === 'https:';
    } catch {
      return false;
    }
  },
  { message: 'not an http(s) URL; expected e.g. https://hooks.example.com/promptune' },
);

const headers = z
  .record(z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'header names are letters, digits and -'), z.string())
  .describe('Extra request headers, e.g. { Authorization: "Bearer ${CRM_TOKEN}" }');

const secret = z
  .string()
  .min(16, 'a signing secret needs at least 16 characters; expected e.g. the output of `openssl rand -hex 32`');

const name = z.string().regex(/^[\w.-]{1,64}$/, 'a name is 1 to 64 letters, digits, _ . or -');

/** One outgoing webhook endpoint. */
const endpointSchema = z
  .object({
    name,
    url: httpUrl,
    secret,
    events: z
      .array(z.enum([...WEBHOOK_EVENTS, '*']))
      .min(1)
      .describe(`Which events to send: ${WEBHOOK_EVENTS.join(', ')}, or "*"`),
    headers: headers.optional(),
  })
  .strict();

/** Strings of a template that use placeholders other than WRITE_BACK_FIELDS, with their paths. */
function unknownPlaceholders(value: unknown, path: (string | number)[] = []): { path: (string | number)[]; name: string }[] {
  if (typeof value === 'string')
    return [...value.matchAll(PLACEHOLDER)]
      .map((m) => m[1] as string)
      .filter((n) => !(WRITE_BACK_FIELDS as readonly string[]).includes(n))
      .map((n) => ({ path, name: n }));
  if (Array.isArray(value)) return value.flatMap((v, i) => unknownPlaceholders(v, [...path, i]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => unknownPlaceholders(v, [...path, k]));
  return [];
}

const placeholderCheck = (value: unknown, ctx: z.RefinementCtx) => {
  for (const bad of unknownPlaceholders(value))
    ctx.addIssue({
      code: 'custom',
      path: bad.path,
      message: `unknown placeholder {${bad.name}}; use ${WRITE_BACK_FIELDS.map((f) => `{${f}}`).join(', ')}`,
    });
};

/** The CRM mapping: records in, predictions out, results written back to the CRM. */
const crmSchema = z
  .object({
    name: name.default('crm').describe('The write-back endpoint in the outbox and logs'),
    model: z.string().optional().describe('Pin a served model by name (else the traffic split decides)'),
    inputs: z
      .record(z.string(), z.string().min(1))
      .refine((m) => Object.keys(m).length > 0, 'map at least one model input, e.g. { text: description }')
      .describe('Model input → CRM record field, e.g. { text: description }'),
    writeBack: z
      .object({
        method: z.enum(['POST', 'PUT', 'PATCH']).default('PATCH'),
        url: httpUrl
          .refine((u) => u.includes('{id}'), 'the URL needs {id} (the record id), e.g. https://crm.example.com/records/{id}')
          .superRefine(placeholderCheck),
        headers: headers.optional(),
        secret: secret.optional().describe('Also sign write-backs (Promptune-Signature) with this secret'),
        body: z.json().superRefine(placeholderCheck).describe('The JSON body; strings may hold placeholders'),
      })
      .strict(),
  })
  .strict();

/** Retries and pacing of every outgoing call. */
const deliverySchema = z
  .object({
    maxAttempts: z.number().int().min(1).max(50).default(10),
    timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    baseDelayMs: z.number().int().min(1).default(10_000),
    maxDelayMs: z.number().int().min(1).default(3_600_000),
    pollMs: z.number().int().min(10).default(1000),
    concurrency: z.number().int().min(1).max(64).default(4),
  })
  .strict();

/** The whole integrations file. */
export const integrationsSchema = z
  .object({
    webhooks: z.array(endpointSchema).default([]),
    crm: crmSchema.optional(),
    delivery: deliverySchema.default(deliverySchema.parse({})),
  })
  .strict()
  .superRefine((v, ctx) => {
    const seen = new Map<string, string>();
    if (v.crm) seen.set(v.crm.name, 'crm.name');
    v.webhooks.forEach((w, i) => {
      const clash = seen.get(w.name);
      if (clash)
        ctx.addIssue({ code: 'custom', path: ['webhooks', i, 'name'], message: `the name is taken by ${clash}; pick another` });
      seen.set(w.name, `webhooks.${i}.name`);
    });
    if (v.delivery.maxDelayMs < v.delivery.baseDelayMs)
      ctx.addIssue({ code: 'custom', path: ['delivery', 'maxDelayMs'], message: 'must be ≥ delivery.baseDelayMs' });
  });

/** A validated integrations file. */
export type Integrations = z.infer<typeof integrationsSchema>;
/** One outgoing webhook endpoint. */
export type WebhookEndpointConfig = Integrations['webhooks'][number];
/** The CRM mapping. */
export type CrmMapping = NonNullable<Integrations['crm']>;
/** Retries and pacing. */
export type DeliveryPolicy = Integrations['delivery'];

// What each top-level part should look like, for messages.
const FIXES: Record<string, string> = {
  webhooks: 'a list of { name, url, secret, events }',
  crm: '{ model?, inputs: { <model input>: <record field> }, writeBack: { method, url, headers?, body } }',
  delivery: '{ maxAttempts, timeoutMs, baseDelayMs, maxDelayMs, pollMs, concurrency }',
};

type Where = (path: readonly PropertyKey[]) => string;

/** Replaces `${NAME}` in every string by the environment variable; a missing one is an error naming the field. */
function expandEnv(value: unknown, env: NodeJS.ProcessEnv, where: Where, path: PropertyKey[] = []): unknown {
  if (typeof value === 'string')
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, v: string) => {
      const got = env[v];
      if (got === undefined)
        throw new IntegrationsError(
          'INTEGRATIONS_INVALID',
          `${where(path)}: ${path.map(String).join('.')} uses \${${v}}, which is not set in the environment: export ${v} before starting the server.`,
        );
      return got;
    });
  if (Array.isArray(value)) return value.map((v, i) => expandEnv(v, env, where, [...path, i]));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandEnv(v, env, where, [...path, k])]));
  return value;
}

/** Validates a parsed integrations object; `where` maps a field path to "file:line" for messages. */
export function parseIntegrations(
  value: unknown,
  source = 'integrations',
  env: NodeJS.ProcessEnv = process.env,
  where: Where = () => source,
): Integrations {
  const expanded = expandEnv(value ?? {}, env, where);
  const r = integrationsSchema.safeParse(expanded);
  if (r.success) return r.data;
  const issues = r.error.issues.map((issue) => {
    const field = issue.path.length ? issue.path.map(String).join('.') : '(top level)';
    // Show the value as written (before ${…} expansion), so a secret never lands in a message.
    const got = issue.path.reduce<unknown>((o, k) => (o as Record<PropertyKey, unknown> | undefined)?.[k], value);
    const shown = got === undefined ? 'missing' : (JSON.stringify(got)?.slice(0, 120) ?? String(got));
    const unknownKeys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
    const fix = FIXES[String(issue.path[0])];
    return `${where(issue.path)}: ${field} is ${shown}: ${issue.message}${unknownKeys}${fix ? `. Expected ${issue.path[0] as string}: ${fix}.` : '.'}`;
  });
  throw new IntegrationsError('INTEGRATIONS_INVALID', `${issues.join('\n')}\nSee docs/integrations.md for the format.`);
}

/** Reads and validates an integrations file (YAML or JSON). */
export function loadIntegrations(path: string, env: NodeJS.ProcessEnv = process.env): Integrations {
  if (!existsSync(path))
    throw new IntegrationsError(
      'INTEGRATIONS_NOT_FOUND',
      `${path} not found: pass the path of your integrations file (docs/integrations.md has an example).`,
    );
  const lines = new LineCounter();
  const doc = parseDocument(readFileSync(path, 'utf8'), { lineCounter: lines, prettyErrors: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const pos = e?.linePos?.[0];
    throw new IntegrationsError(
      'INTEGRATIONS_SYNTAX',
      `${path}${pos ? `:${pos.line}:${pos.col}` : ''}: not valid YAML or JSON: ${e?.message.split('\n')[0]}`,
    );
  }
  const where: Where = (p) => {
    for (let n = p.length; n >= 0; n--) {
      const node = doc.getIn(p.slice(0, n) as unknown[], true) as Node | undefined;
      if (node?.range) return `${path}:${lines.linePos(node.range[0]).line}`;
    }
    return path;
  };
  return parseIntegrations(doc.toJS(), path, env, where);
}
