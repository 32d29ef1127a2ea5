// Proxy resolution (which variable, NO_PROXY rules) and the request helpers against a forward proxy and targets
// on 127.0.0.1: absolute-URI requests for http, CONNECT + TLS for https, credentials, 407, refusals, fetch.
import type { IncomingMessage } from 'node:http';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, type Socket, createServer as createNetServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ProxiedRequestOptions,
  ProxyError,
  noProxyMatches,
  proxiedFetch,
  proxiedRequest,
  proxyAuthorization,
  proxyForUrl,
} from './proxy.js';
import { type ForwardProxy, selfSignedCert, startForwardProxy } from './testing/proxy.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function proxy(credentials?: string): Promise<ForwardProxy> {
  const p = await startForwardProxy({ credentials });
  cleanup.push(() => p.close());
  return p;
}

/** An HTTP target on 127.0.0.1 answering "hello <method> <path> <body>". */
async function httpTarget(): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/moved') return res.writeHead(302, { location: '/final' }).end();
      res
        .writeHead(200, { 'x-seen-host': req.headers.host ?? '' })
        .end(`hello ${req.method} ${req.url} ${Buffer.concat(chunks)}`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const tls = selfSignedCert();

async function httpsTarget(): Promise<string> {
  const server = createHttpsServer(tls, (req, res) => res.end(`secure ${req.url}`));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function get(url: string, opts: ProxiedRequestOptions): Promise<{ res: IncomingMessage; body: string }> {
  return new Promise((resolve, reject) => {
    const req = proxiedRequest(url, opts, async (res) => {
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      resolve({ res, body: Buffer.concat(chunks).toString('utf8') });
    });
    req.on('error', reject);
    req.end();
  });
}

async function proxyFailure(p: Promise<unknown>): Promise<ProxyError> {
  try {
    await p;
  } catch (e) {
    if (ProxyError.isInstance(e)) return e;
    throw e;
  }
  throw new Error('expected a ProxyError');
}

describe('proxyForUrl', () => {
  it('uses https_proxy for https and http_proxy for http, lower case first, without falling back', () => {
    const env = { HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:2', HTTP_PROXY: 'plain:3128' };
    expect(proxyForUrl('https://huggingface.co/x', env)).toMatchObject({ variable: 'https_proxy' });
    expect(proxyForUrl('https://huggingface.co/x', env)?.proxy.host).toBe('lower:2');
    // A bare host:port is an http proxy.
    expect(proxyForUrl('http://pypi.org/', env)?.proxy.href).toBe('http://plain:3128/');
    expect(proxyForUrl('http://pypi.org/', env)?.variable).toBe('HTTP_PROXY');
    expect(proxyForUrl('https://pypi.org/', { HTTP_PROXY: 'http://p:1' })).toBeUndefined();
    expect(proxyForUrl('http://pypi.org/', { HTTPS_PROXY: 'http://p:1' })).toBeUndefined();
    expect(proxyForUrl('https://pypi.org/', { HTTPS_PROXY: '' })).toBeUndefined();
    expect(proxyForUrl('https://pypi.org/', {})).toBeUndefined();
  });

  it('honours no_proxy / NO_PROXY and rejects proxies it cannot speak to with the variable named', () => {
    expect(proxyForUrl('https://hub.corp.example/x', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'corp.example' })).toBeUndefined();
    expect(proxyForUrl('https://hub.corp.example/x', { HTTPS_PROXY: 'http://p:1', no_proxy: '.corp.example' })).toBeUndefined();
    expect(proxyForUrl('https://other.example/x', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'corp.example' })).toBeDefined();
    expect(() => proxyForUrl('https://x.example/', { HTTPS_PROXY: 'socks5://p:1080' })).toThrow(
      /HTTPS_PROXY names a socks5 proxy .*http:\/\/ or https:\/\//,
    );
  });
});

describe('noProxyMatches', () => {
  it('follows curl: names match themselves and their subdomains, with or without a leading dot or *.', () => {
    for (const entry of ['example.com', '.example.com', '*.example.com', 'EXAMPLE.com']) {
      expect(noProxyMatches(entry, 'example.com', 443)).toBe(true);
      expect(noProxyMatches(entry, 'a.b.example.com', 443)).toBe(true);
      expect(noProxyMatches(entry, 'notexample.com', 443)).toBe(false);
    }
    expect(noProxyMatches('example.com', 'example.com.', 443)).toBe(true);
  });

  it('reads lists split by commas or spaces, *, ports, IPs, CIDR ranges and IPv6', () => {
    expect(noProxyMatches(' foo.test , bar.test  baz.test', 'baz.test', 80)).toBe(true);
    expect(noProxyMatches('*', 'anything.at.all', 80)).toBe(true);
    expect(noProxyMatches('example.com:8080', 'example.com', 8080)).toBe(true);
    expect(noProxyMatches('example.com:8080', 'example.com', 443)).toBe(false);
    expect(noProxyMatches('10.1.2.3', '10.1.2.3', 80)).toBe(true);
    expect(noProxyMatches('10.1.2.3', '10.1.2.4', 80)).toBe(false);
    expect(noProxyMatches('10.0.0.0/8', '10.200.3.4', 80)).toBe(true);
    expect(noProxyMatches('10.0.0.0/8', '11.0.0.1', 80)).toBe(false);
    expect(noProxyMatches('10.0.0.0/8', 'ten.example', 80)).toBe(false);
    expect(noProxyMatches('::1', '[::1]', 80)).toBe(true);
    expect(noProxyMatches('[::1]:8080', '[::1]', 8080)).toBe(true);
    expect(noProxyMatches('[::1]:8080', '[::1]', 80)).toBe(false);
    expect(noProxyMatches('fd00::/8', '[fd12::5]', 80)).toBe(true);
    // An IP entry is not a suffix: 0.0.1 must not match 10.0.0.1.
    expect(noProxyMatches('0.0.1', '10.0.0.1', 80)).toBe(false);
  });

  it('does not bypass localhost or 127.0.0.1 unless they are listed', () => {
    expect(noProxyMatches('', 'localhost', 80)).toBe(false);
    expect(noProxyMatches('example.com', '127.0.0.1', 80)).toBe(false);
    expect(noProxyMatches('localhost,127.0.0.1', '127.0.0.1', 80)).toBe(true);
    expect(noProxyMatches('localhost,127.0.0.1', 'localhost', 80)).toBe(true);
  });
});

describe('proxiedRequest', () => {
  it('sends http targets to the proxy as absolute-URI requests, with Basic credentials from the URL', async () => {
    const target = await httpTarget();
    const p = await proxy('us%er:p@ss');
    const proxyUrl = p.url.replace('http://', 'http://us%25er:p%40ss@');
    const { res, body } = await get(`${target}/a?b=1`, { env: { HTTP_PROXY: proxyUrl } });
    expect(body).toBe('hello GET /a?b=1 ');
    expect(res.headers['x-seen-host']).toBe(new URL(target).host);
    expect(p.requests).toEqual([expect.objectContaining({ kind: 'absolute', target: `${target}/a?b=1`, status: 200 })]);
    expect(proxyAuthorization(new URL(proxyUrl))).toBe(`Basic ${Buffer.from('us%er:p@ss').toString('base64')}`);
  });

  it('tunnels https targets with CONNECT and verifies the target certificate over the tunnel', async () => {
    const target = await httpsTarget();
    const p = await proxy();
    const { body } = await get(`${target}/secure?x=1`, { env: { HTTPS_PROXY: p.url }, ca: tls.cert });
    expect(body).toBe('secure /secure?x=1');
    expect(p.requests).toEqual([expect.objectContaining({ kind: 'connect', target: new URL(target).host, status: 200 })]);
    // Without the CA, TLS to the target fails as it would without a proxy: the proxy never sees the plaintext.
    await expect(get(`${target}/`, { env: { HTTPS_PROXY: p.url } })).rejects.toMatchObject({
      code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
  });

  it('goes direct when NO_PROXY lists the host', async () => {
    const target = await httpTarget();
    const p = await proxy();
    const { body } = await get(`${target}/direct`, { env: { HTTP_PROXY: p.url, NO_PROXY: 'localhost,127.0.0.1' } });
    expect(body).toBe('hello GET /direct ');
    expect(p.requests).toEqual([]);
  });

  it('turns 407 (http and CONNECT) into a PROXY_AUTH error naming the variable and the fix', async () => {
    const p = await proxy('user:secret');
    const plain = await proxyFailure(get(`${await httpTarget()}/`, { env: { http_proxy: p.url } }));
    expect(plain.code).toBe('PROXY_AUTH');
    expect(plain.message).toMatch(/proxy http:\/\/127\.0\.0\.1:\d+ \(from http_proxy\) answered 407/);
    expect(plain.message).toMatch(/http_proxy has none: put them in the URL, e\.g\. http_proxy=http:\/\/user:password@127/);
    expect(plain.message).toMatch(/list 127\.0\.0\.1 in no_proxy/);
    const wrong = p.url.replace('http://', 'http://user:wrong@');
    const tunnelled = await proxyFailure(get(`${await httpsTarget()}/`, { env: { HTTPS_PROXY: wrong }, ca: tls.cert }));
    expect(tunnelled.code).toBe('PROXY_AUTH');
    expect(tunnelled.message).toMatch(/rejected the credentials in HTTPS_PROXY: check the user name and password/);
    // The password never appears in messages.
    expect(tunnelled.message).not.toContain('wrong');
    expect(tunnelled.proxy).toMatch(/^http:\/\/user:\*\*\*@127\.0\.0\.1:\d+$/);
  });

  it('says which variable points at a proxy that refuses connections, or refuses the tunnel', async () => {
    const dead = createNetServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', () => r()));
    const { port } = dead.address() as AddressInfo;
    await new Promise<void>((r) => dead.close(() => r()));
    const e = await proxyFailure(get('https://127.0.0.1:1/', { env: { HTTPS_PROXY: `http://127.0.0.1:${port}` } }));
    expect(e.code).toBe('PROXY_UNREACHABLE');
    expect(e.message).toMatch(
      /^Cannot connect to the proxy http:\/\/127\.0\.0\.1:\d+ \(from HTTPS_PROXY\) for 127\.0\.0\.1:1 \(ECONNREFUSED\): check the proxy's address in HTTPS_PROXY/,
    );
    const p = await proxy();
    // The stand-in proxy answers 502 for a tunnel to a port nothing listens on.
    const refused = await proxyFailure(get(`https://127.0.0.1:${port}/`, { env: { HTTPS_PROXY: p.url } }));
    expect(refused.code).toBe('PROXY_REFUSED');
    expect(refused.message).toMatch(/would not open a tunnel to 127\.0\.0\.1:\d+ \(HTTP 502 Bad Gateway\)/);
  });
});

describe('proxiedFetch', () => {
  it('POSTs through the proxy and answers like fetch, following redirects unless told not to', async () => {
    const target = await httpTarget();
    const p = await proxy();
    const env = { HTTP_PROXY: p.url };
    const res = await proxiedFetch(`${target}/post`, { method: 'POST', body: 'payload', headers: { 'x-a': '1' } }, env);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('hello POST /post payload');
    const followed = await proxiedFetch(`${target}/moved`, {}, env);
    expect(await followed.text()).toBe('hello GET /final ');
    const manual = await proxiedFetch(`${target}/moved`, { redirect: 'manual' }, env);
    expect(manual.status).toBe(302);
    expect(manual.headers.get('location')).toBe('/final');
    expect(p.requests.map((r) => r.target)).toEqual([`${target}/post`, `${target}/moved`, `${target}/final`, `${target}/moved`]);
  });

  it('is the global fetch when no proxy applies, and rejects like fetch on errors and timeouts', async () => {
    const target = await httpTarget();
    expect(await (await proxiedFetch(`${target}/x`, {}, {})).text()).toBe('hello GET /x ');
    const p = await proxy('a:b');
    await expect(proxiedFetch(`${target}/x`, {}, { HTTP_PROXY: p.url })).rejects.toMatchObject({ code: 'PROXY_AUTH' });
    const held: Socket[] = [];
    const silent = createNetServer((s) => held.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    cleanup.push(
      () =>
        new Promise<void>((r) => {
          for (const s of held) s.destroy();
          silent.close(() => r());
        }),
    );
    const { port } = silent.address() as AddressInfo;
    await expect(
      proxiedFetch(`${target}/x`, { signal: AbortSignal.timeout(200) }, { HTTP_PROXY: `http://127.0.0.1:${port}` }),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
  });
});
