// Webhook deliveries behind a corporate proxy: a signed POST goes through HTTP_PROXY to the receiver, NO_PROXY
// sends it direct, and a proxy that wants credentials leaves a delivery error that says what to set.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProxyEnv } from '../../shared/proxy.js';
import { type ForwardProxy, startForwardProxy } from '../../shared/testing/proxy.js';
import { type Store, openStore } from '../../store/index.js';
import type { Logger } from '../monitoring/logger.js';
import { type DeliveryPolicy, parseIntegrations } from './config.js';
import { WebhookDispatcher } from './dispatcher.js';
import { verifyWebhookSignature } from './signing.js';
import { type StandInReceiver, standInReceiver, waitFor } from './testing.js';

const SECRET = 'whsec_proxy_test_0123456789';
const POLICY: DeliveryPolicy = { maxAttempts: 1, timeoutMs: 2000, baseDelayMs: 10, maxDelayMs: 100, pollMs: 20, concurrency: 2 };

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function setup(env: (proxy: ForwardProxy) => ProxyEnv, credentials?: string) {
  const store: Store = await openStore(`sqlite:${join(mkdtempSync(join(tmpdir(), 'pt-webhooks-proxy-')), 'store.db')}`);
  cleanup.push(() => store.close());
  const receiver: StandInReceiver = await standInReceiver(() => ({ status: 204 }));
  cleanup.push(() => receiver.close());
  const proxy = await startForwardProxy({ credentials });
  cleanup.push(() => proxy.close());
  const config = parseIntegrations(
    { webhooks: [{ name: 'ops', url: `${receiver.url}/hooks`, secret: SECRET, events: ['*'] }] },
    't',
    {},
  );
  const lines: Record<string, unknown>[] = [];
  const logger: Logger = { log: (level, msg, fields = {}) => lines.push({ level, msg, ...fields }) };
  const d = new WebhookDispatcher({ store, endpoints: config.webhooks, policy: POLICY, logger, env: env(proxy) });
  cleanup.push(() => d.stop());
  d.start();
  await d.emit({ type: 'feedback.created', data: { rating: 1 } });
  await waitFor(async () => (await store.webhooks.list({ status: 'pending' })).length === 0, 'the delivery', 10_000);
  const [delivery] = await store.webhooks.list();
  return { receiver, proxy, delivery, lines };
}

describe('webhook dispatcher behind a proxy', () => {
  it('delivers the signed POST through HTTP_PROXY', async () => {
    const { receiver, proxy, delivery } = await setup(
      (p) => ({ HTTP_PROXY: p.url.replace('http://', 'http://hook:pw@') }),
      'hook:pw',
    );
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(proxy.requests).toEqual([
      expect.objectContaining({ kind: 'absolute', method: 'POST', target: `${receiver.url}/hooks`, status: 200 }),
    ]);
    const [req] = receiver.requests;
    expect(req?.headers['proxy-authorization']).toBeUndefined();
    expect(verifyWebhookSignature(SECRET, req?.headers['promptune-signature'] as string, req?.body ?? '')).toMatchObject({
      ok: true,
    });
  });

  it('goes direct when NO_PROXY lists the receiver', async () => {
    const { receiver, proxy, delivery } = await setup((p) => ({ HTTP_PROXY: p.url, no_proxy: 'localhost,127.0.0.1' }));
    expect(delivery).toMatchObject({ status: 'delivered' });
    expect(proxy.requests).toEqual([]);
    expect(receiver.requests).toHaveLength(1);
  });

  it('records what to fix when the proxy answers 407', async () => {
    const { receiver, delivery } = await setup((p) => ({ HTTP_PROXY: p.url }), 'hook:pw');
    expect(delivery?.status).toBe('failed');
    expect(delivery?.lastError).toMatch(
      /^request failed: The proxy http:\/\/127\.0\.0\.1:\d+ \(from HTTP_PROXY\) answered 407 .* HTTP_PROXY=http:\/\/user:password@/,
    );
    expect(receiver.requests).toEqual([]);
  });
});
