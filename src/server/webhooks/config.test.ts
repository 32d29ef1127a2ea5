// The integrations file: defaults, ${ENV} expansion, errors that name the file, line, field, value and fix; and
// how write-back templates are filled in.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Integrations, IntegrationsError, loadIntegrations, parseIntegrations } from './config.js';
import { renderTemplate, renderUrl, writeBackDelivery } from './write-back.js';

const ENV = { HOOK_SECRET: 'whsec_0123456789abcdef', CRM_TOKEN: 'tok_123' };
const good = {
  webhooks: [{ name: 'ops', url: 'https://hooks.example.com/promptune', secret: '${HOOK_SECRET}', events: ['*'] }],
  crm: {
    inputs: { text: 'description' },
    writeBack: {
      url: 'https://crm.example.com/api/records/{id}',
      headers: { Authorization: 'Bearer ${CRM_TOKEN}' },
      body: { ai_label: '{label}', ai_confidence: '{confidence}', note: 'by {model}@{modelVersion}' },
    },
  },
};

function problem(value: unknown, env: NodeJS.ProcessEnv = ENV): string {
  try {
    parseIntegrations(value, 'integrations.yaml', env);
  } catch (e) {
    expect(IntegrationsError.isInstance(e)).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected the file to be refused');
}

describe('integrations file', () => {
  it('fills in defaults and expands ${ENV} variables', () => {
    const c = parseIntegrations(good, 'integrations.yaml', ENV);
    expect(c.webhooks[0]?.secret).toBe(ENV.HOOK_SECRET);
    expect(c.crm).toMatchObject({ name: 'crm', writeBack: { method: 'PATCH', headers: { Authorization: 'Bearer tok_123' } } });
    expect(c.delivery).toEqual({
      maxAttempts: 10,
      timeoutMs: 10_000,
      baseDelayMs: 10_000,
      maxDelayMs: 3_600_000,
      pollMs: 1000,
      concurrency: 4,
    });
    expect(parseIntegrations({}, 'x', {})).toMatchObject({ webhooks: [], delivery: { maxAttempts: 10 } });
  });

  it('names the field, the value and the fix, and never prints an expanded secret', () => {
    const hook = good.webhooks[0] as Record<string, unknown>;
    expect(problem({ webhooks: [{ ...hook, events: ['feedback.create'] }] })).toMatch(
      /^integrations\.yaml: webhooks\.0\.events\.0 is "feedback\.create": Invalid option: expected one of "prediction\.review_needed"\|"feedback\.created"\|"drift\.alert"\|"\*"\. Expected webhooks: a list of \{ name, url, secret, events \}\./,
    );
    const short = problem({ webhooks: [{ ...hook, secret: '${HOOK_SECRET}' }] }, { HOOK_SECRET: 'short' });
    expect(short).toContain('webhooks.0.secret is "${HOOK_SECRET}": a signing secret needs at least 16 characters');
    expect(short).not.toContain('"short"');
    expect(problem({ webhooks: [{ ...hook, url: 'ftp://x' }] })).toContain('webhooks.0.url is "ftp://x": not an http(s) URL');
    expect(problem(good, {})).toBe(
      'integrations.yaml: webhooks.0.secret uses ${HOOK_SECRET}, which is not set in the environment: export HOOK_SECRET before starting the server.',
    );
    expect(problem({ ...good, webhooks: [{ ...hook, name: 'crm' }] })).toContain(
      'webhooks.0.name is "crm": the name is taken by crm.name; pick another',
    );
    const crm = good.crm;
    expect(problem({ crm: { ...crm, writeBack: { ...crm.writeBack, url: 'https://crm.example.com/records' } } })).toContain(
      'crm.writeBack.url is "https://crm.example.com/records": the URL needs {id}',
    );
    expect(problem({ crm: { ...crm, writeBack: { ...crm.writeBack, body: { x: ['{lable}'] } } } })).toContain(
      'crm.writeBack.body.x.0 is "{lable}": unknown placeholder {lable}; use {id}, {label}',
    );
    expect(problem({ crm: { ...crm, inputs: {} } })).toContain('crm.inputs is {}: map at least one model input');
    expect(problem({ webhook: [] })).toContain('(top level) is {"webhook":[]}: Unrecognized key: "webhook" (webhook)');
  });

  it('reads YAML or JSON files, with line numbers in errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pt-integrations-'));
    const yaml = join(dir, 'integrations.yaml');
    writeFileSync(
      yaml,
      [
        'webhooks:',
        '  - name: ops',
        '    url: https://hooks.example.com/x',
        '    secret: ${HOOK_SECRET}',
        '    events: [drift.alert]',
        'delivery:',
        '  maxAttempts: 0',
        '',
      ].join('\n'),
    );
    expect(() => loadIntegrations(yaml, ENV)).toThrow(
      `${yaml}:7: delivery.maxAttempts is 0: Too small: expected number to be >=1. Expected delivery: { maxAttempts, timeoutMs, baseDelayMs, maxDelayMs, pollMs, concurrency }.`,
    );
    const json = join(dir, 'integrations.json');
    writeFileSync(json, JSON.stringify(good));
    expect(loadIntegrations(json, ENV).crm?.writeBack.url).toBe('https://crm.example.com/api/records/{id}');
    writeFileSync(json, '{"webhooks": [');
    expect(() => loadIntegrations(json, ENV)).toThrow(/integrations\.json:1:\d+: not valid YAML or JSON/);
    expect(() => loadIntegrations(join(dir, 'nope.yaml'), ENV)).toThrow(/nope\.yaml not found: pass the path/);
  });
});

describe('CRM write-back templates', () => {
  const values = {
    id: 'acct/42 ü',
    label: null,
    confidence: 0.87,
    predictionId: 'pred_1',
    model: 'live',
    modelVersion: 'run_1',
    prompt: null,
    notSure: true,
  };

  it('keep the type of a whole-string placeholder and splice text into longer strings', () => {
    expect(
      renderTemplate(
        { a: '{confidence}', b: '{label}', c: ['{notSure}', 'p={predictionId} by {model}'], d: 3, e: '{other}' },
        values,
      ),
    ).toEqual({ a: 0.87, b: null, c: [true, 'p=pred_1 by live'], d: 3, e: '{other}' });
  });

  it('percent-encode placeholders in the URL, so a record id cannot change the path', () => {
    expect(renderUrl('https://crm.example.com/records/{id}?v={modelVersion}', values)).toBe(
      'https://crm.example.com/records/acct%2F42%20%C3%BC?v=run_1',
    );
    const crm = parseIntegrations(good, 'x', ENV).crm as NonNullable<Integrations['crm']>;
    expect(writeBackDelivery(crm, { ...values, id: '7', label: 'great' })).toEqual({
      endpoint: 'crm',
      method: 'PATCH',
      url: 'https://crm.example.com/api/records/7',
      eventType: 'crm.write_back',
      payload: { ai_label: 'great', ai_confidence: 0.87, note: 'by live@run_1' },
    });
  });
});
