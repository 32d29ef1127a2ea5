// The hub client behind a corporate proxy: downloads go through HTTP_PROXY (absolute-URI) and HTTPS_PROXY
// (CONNECT), NO_PROXY sends them direct, and a proxy that wants credentials fails at once with the fix.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { type AddressInfo, type Socket, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProxyError } from '../../shared/proxy.js';
import { type ForwardProxy, selfSignedCert, startForwardProxy } from '../../shared/testing/proxy.js';
import { type DownloadHubFileOptions, downloadHubFile } from './download.js';
import { HubError } from './errors.js';
import { resolveModel } from './snapshot.js';
import { FakeHub } from './testing/fake-hub.js';

describe('hub client behind a proxy', () => {
  let hub: FakeHub;
  let proxy: ForwardProxy;
  let opts: DownloadHubFileOptions;
  const weights = randomBytes(200_000);
  const cleanup: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    hub = await FakeHub.start();
    proxy = await startForwardProxy();
    opts = { endpoint: hub.endpoint, cacheDir: mkdtempSync(join(tmpdir(), 'pt-hub-proxy-')), retry: { baseDelayMs: 1 } };
    hub.commit('org/tiny', { 'config.json': '{"model_type":"bert"}', 'model.safetensors': weights });
  });
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
    await proxy.close();
    await hub.close();
  });

  it('sends every request of a download through HTTP_PROXY, the LFS redirect to the CDN included', async () => {
    const f = await downloadHubFile('org/tiny', 'model.safetensors', { ...opts, env: { HTTP_PROXY: proxy.url } });
    expect(readFileSync(f.path).equals(weights)).toBe(true);
    const through = proxy.requests.map((r) => `${r.kind} ${r.method} ${r.target}`);
    expect(through).toHaveLength(2);
    expect(through[0]).toBe(`absolute HEAD ${hub.endpoint}/org/tiny/resolve/main/model.safetensors`);
    expect(through[1]?.startsWith(`absolute GET ${hub.cdnOrigin}/`)).toBe(true);
    expect(hub.requests.map((r) => r.server)).toEqual(['hub', 'cdn']);
  });

  it('goes direct when NO_PROXY lists the hub and the CDN', async () => {
    const env = { HTTP_PROXY: proxy.url, NO_PROXY: 'example.org, 127.0.0.1' };
    const r = await resolveModel('hf:org/tiny', { ...opts, env });
    expect(readFileSync(join(r.dir, 'model.safetensors')).equals(weights)).toBe(true);
    expect(proxy.requests).toEqual([]);
    expect(hub.requests.length).toBeGreaterThan(0);
  });

  it('tunnels an https hub through HTTPS_PROXY with CONNECT', async () => {
    // TLS in front of the fake hub, with a self-signed certificate this process is told to accept.
    const tls = selfSignedCert();
    const hubPort = Number(new URL(hub.endpoint).port);
    const open = new Set<Socket>();
    const front = createTlsServer(tls, (s) => {
      const back = connect(hubPort, '127.0.0.1');
      open.add(s).add(back);
      s.pipe(back).pipe(s);
      s.on('error', () => back.destroy());
      back.on('error', () => s.destroy());
    });
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    const saved = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    cleanup.push(async () => {
      // biome-ignore lint/performance/noDelete: an unset variable, not the string "undefined".
      if (saved === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = saved;
      for (const s of open) s.destroy();
      await new Promise<void>((r) => front.close(() => r()));
    });
    const endpoint = `https://127.0.0.1:${(front.address() as AddressInfo).port}`;
    const f = await downloadHubFile('org/tiny', 'config.json', { ...opts, endpoint, env: { HTTPS_PROXY: proxy.url } });
    expect(readFileSync(f.path, 'utf8')).toBe('{"model_type":"bert"}');
    expect(proxy.requests.map((r) => `${r.kind} ${r.target}`)).toEqual([
      `connect ${new URL(endpoint).host}`,
      `connect ${new URL(endpoint).host}`,
    ]);
  });

  it('fails at once, without retries, with the fix when the proxy answers 407', async () => {
    const locked = await startForwardProxy({ credentials: 'me:pw' });
    cleanup.push(() => locked.close());
    const err = await downloadHubFile('org/tiny', 'config.json', { ...opts, env: { http_proxy: locked.url } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(ProxyError.isInstance(err)).toBe(true);
    expect((err as ProxyError).code).toBe('PROXY_AUTH');
    expect((err as Error).message).toMatch(
      /The proxy http:\/\/127\.0\.0\.1:\d+ \(from http_proxy\) answered 407 Proxy Authentication Required for 127\.0\.0\.1:\d+: it wants credentials and http_proxy has none: put them in the URL, e\.g\. http_proxy=http:\/\/user:password@/,
    );
    expect(locked.requests.length).toBe(1);
    expect(hub.requests).toEqual([]);
    // With the credentials in the URL the same download works.
    const withAuth = locked.url.replace('http://', 'http://me:pw@');
    const f = await downloadHubFile('org/tiny', 'config.json', { ...opts, env: { http_proxy: withAuth } });
    expect(readFileSync(f.path, 'utf8')).toBe('{"model_type":"bert"}');
  });

  it('reports an unreachable proxy as a network error that names the variable', async () => {
    const err = await downloadHubFile('org/tiny', 'config.json', {
      ...opts,
      retry: { attempts: 2, baseDelayMs: 1 },
      env: { HTTP_PROXY: 'http://127.0.0.1:1' },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(HubError.isInstance(err) && err.code).toBe('HUB_NETWORK');
    expect((err as Error).message).toMatch(/Cannot connect to the proxy http:\/\/127\.0\.0\.1:1 \(from HTTP_PROXY\)/);
  });
});
