// resolveModel: which files a model needs, revisions, offline use, falling back on the cache, local paths.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HubError } from './errors.js';
import { type ResolveModelOptions, resolveModel } from './snapshot.js';
import { FakeHub } from './testing/fake-hub.js';

async function failure(p: Promise<unknown>): Promise<HubError> {
  try {
    await p;
  } catch (e) {
    if (HubError.isInstance(e)) return e;
    throw e;
  }
  throw new Error('expected a HubError');
}

const BERT = {
  'config.json': '{"model_type":"bert"}',
  'tokenizer.json': '{"version":"1.0"}',
  'tokenizer_config.json': '{}',
  'special_tokens_map.json': '{}',
  'vocab.txt': '[PAD]\n[UNK]\n',
  'model.safetensors': randomBytes(2000),
  'pytorch_model.bin': randomBytes(2000),
  'tf_model.h5': randomBytes(100),
  'flax_model.msgpack': randomBytes(100),
  'onnx/model.onnx': randomBytes(100),
  'README.md': '# bert',
};

describe('resolveModel', () => {
  let hub: FakeHub;
  let cacheDir: string;
  let opts: ResolveModelOptions;

  beforeEach(async () => {
    hub = await FakeHub.start();
    cacheDir = mkdtempSync(join(tmpdir(), 'pt-hub-'));
    opts = { env: {}, endpoint: hub.endpoint, cacheDir, retry: { baseDelayMs: 1 } };
    hub.commit('org/bert', BERT);
  });
  afterEach(async () => {
    await hub.close();
  });

  it('fetches config, tokenizer files and safetensors weights, never .bin/.h5/.msgpack/onnx', async () => {
    const m = await resolveModel('hf:org/bert', opts);
    expect(m.source).toBe('hub');
    expect(m.dir).toBe(join(cacheDir, 'models--org--bert', 'snapshots', m.commit as string));
    expect(m.files).toEqual([
      'config.json',
      'model.safetensors',
      'special_tokens_map.json',
      'tokenizer.json',
      'tokenizer_config.json',
      'vocab.txt',
    ]);
    expect(readFileSync(join(m.dir, 'model.safetensors')).equals(BERT['model.safetensors'])).toBe(true);
    const fetched = hub.requests.filter((r) => r.kind === 'resolve').map((r) => r.file);
    expect(fetched.some((f) => /\.(bin|h5|msgpack|onnx)$|README/.test(f ?? ''))).toBe(false);
    expect(hub.requests[0]?.url).toBe('/api/models/org/bert/revision/main');
  });

  it('a second call is a cache hit: one listing request and no file requests', async () => {
    const first = await resolveModel('hf:org/bert', opts);
    hub.requests.length = 0;
    const again = await resolveModel('hf:org/bert', opts);
    expect(again.dir).toBe(first.dir);
    expect(hub.requests.map((r) => r.kind)).toEqual(['api']);
  });

  it('branch, tag and full commit revisions resolve to their own snapshots; only names get refs/', async () => {
    const c1 = hub.commit('org/bert', { 'config.json': '{"v":1}' });
    hub.tag('org/bert', 'v1.0', c1);
    const dev = hub.commit('org/bert', { 'config.json': '{"v":"dev"}' }, { branch: 'dev' });
    hub.commit('org/bert', { 'config.json': '{"v":2}' });
    const read = async (ref: string) => {
      const m = await resolveModel(ref, opts);
      return [m.commit, readFileSync(join(m.dir, 'config.json'), 'utf8')];
    };
    expect(await read('hf:org/bert@v1.0')).toEqual([c1, '{"v":1}']);
    expect(await read('hf:org/bert@dev')).toEqual([dev, '{"v":"dev"}']);
    expect((await read('hf:org/bert'))[1]).toBe('{"v":2}');
    expect(await read(`hf:org/bert@${c1}`)).toEqual([c1, '{"v":1}']);
    const refs = join(cacheDir, 'models--org--bert', 'refs');
    expect(readFileSync(join(refs, 'v1.0'), 'utf8')).toBe(c1);
    expect(readFileSync(join(refs, 'dev'), 'utf8')).toBe(dev);
    expect(existsSync(join(refs, c1))).toBe(false);
  });

  it('offline: HF_HUB_OFFLINE=1 makes no request at all; a stopped server does not matter; a miss says what to do', async () => {
    const online = await resolveModel('hf:org/bert', opts);
    hub.requests.length = 0;
    const offline = await resolveModel('hf:org/bert', { ...opts, env: { HF_HUB_OFFLINE: '1' } });
    expect(offline).toMatchObject({ source: 'cache', dir: online.dir, commit: online.commit });
    expect(hub.requests).toEqual([]);
    await hub.close();
    expect((await resolveModel('hf:org/bert@main', { ...opts, offline: true })).dir).toBe(online.dir);
    const miss = await failure(resolveModel('hf:org/bert@v2', { ...opts, env: { TRANSFORMERS_OFFLINE: '1' } }));
    expect(miss.code).toBe('HUB_OFFLINE_MISS');
    expect(miss.message).toContain(cacheDir);
    expect(miss.message).toContain('HF_HUB_CACHE');
  });

  it('network down: the cached snapshot with a warning, or HUB_NETWORK when there is none', async () => {
    const online = await resolveModel('hf:org/bert', opts);
    await hub.close();
    const warnings: string[] = [];
    const down = { ...opts, retry: { attempts: 2, baseDelayMs: 1 }, onWarning: (w: string) => warnings.push(w) };
    const cached = await resolveModel('hf:org/bert', down);
    expect(cached).toMatchObject({ source: 'cache', dir: online.dir });
    expect(warnings.join('\n')).toMatch(/ECONNREFUSED[\s\S]*Using the cached snapshot/);
    const err = await failure(resolveModel('hf:org/other', down));
    expect(err.code).toBe('HUB_NETWORK');
    expect(err.message).toContain('HF_HUB_OFFLINE=1');
    expect(err.message).toContain('The cache has no usable copy of org/other@main');
  });

  it('a sharded checkpoint pulls the index and every shard it names', async () => {
    const shards = ['model-00001-of-00003.safetensors', 'model-00002-of-00003.safetensors', 'model-00003-of-00003.safetensors'];
    const index = { metadata: { total_size: 3 }, weight_map: { a: shards[0], b: shards[1], c: shards[2], d: shards[0] } };
    hub.commit('org/big', {
      'config.json': '{}',
      'model.safetensors.index.json': JSON.stringify(index),
      ...Object.fromEntries(shards.map((s) => [s, randomBytes(500)])),
      'pytorch_model-00001-of-00002.bin': randomBytes(10),
    });
    const m = await resolveModel('hf:org/big', opts);
    expect(m.files).toEqual(['config.json', ...shards, 'model.safetensors.index.json']);
    expect(hub.fileDownloads().map((r) => r.file)).toEqual(['config.json', 'model.safetensors.index.json', ...shards]);
    // Offline, a snapshot missing a shard is not usable.
    hub.commit('org/broken', {
      'config.json': '{}',
      'model.safetensors.index.json': JSON.stringify(index),
      [shards[0] as string]: 'x',
    });
    const broken = await failure(resolveModel('hf:org/broken', opts));
    expect(broken).toMatchObject({ code: 'HUB_FILE_NOT_FOUND', file: shards[1] });
  });

  it('pulls PEFT adapters, explicit files and allowPatterns', async () => {
    hub.commit('org/lora', { 'adapter_config.json': '{}', 'adapter_model.safetensors': randomBytes(100), 'README.md': '' });
    expect((await resolveModel('hf:org/lora', opts)).files).toEqual(['adapter_config.json', 'adapter_model.safetensors']);
    const picked = await resolveModel('hf:org/bert', { ...opts, files: ['README.md'], allowPatterns: ['onnx/'] });
    expect(picked.files).toEqual(['README.md', 'onnx/model.onnx']);
    const err = await failure(resolveModel('hf:org/bert', { ...opts, files: ['nope.json'] }));
    expect(err.code).toBe('HUB_FILE_NOT_FOUND');
    expect(err.message).toContain('config.json');
  });

  it('warns when a repo has weights only in formats Promptune cannot read', async () => {
    hub.commit('org/old', { 'config.json': '{}', 'pytorch_model.bin': randomBytes(10) });
    const warnings: string[] = [];
    await resolveModel('hf:org/old', { ...opts, onWarning: (w) => warnings.push(w) });
    expect(warnings[0]).toContain('safe_serialization=True');
  });

  it('retries a failing listing (503) and maps listing errors like file errors', async () => {
    hub.inject({ fault: { kind: 'status', status: 503 }, times: 2 });
    expect((await resolveModel('hf:org/bert', opts)).source).toBe('hub');
    expect((await failure(resolveModel('hf:org/bert@nope', opts))).code).toBe('HUB_REVISION_NOT_FOUND');
    expect((await failure(resolveModel('hf:legacy-name', opts))).code).toBe('HUB_UNAUTHORIZED');
  });

  it('follows the relative redirect of a renamed repo, for the listing and for each file', async () => {
    hub.renameRepo('org/bert', 'org/bert-renamed');
    const m = await resolveModel('hf:org/bert', opts);
    expect(m.files).toContain('model.safetensors');
    expect(readFileSync(join(m.dir, 'model.safetensors')).equals(BERT['model.safetensors'])).toBe(true);
    expect(hub.requests.slice(0, 2).map((r) => [r.kind, r.status, r.repo])).toEqual([
      ['api', 307, 'org/bert'],
      ['api', 200, 'org/bert-renamed'],
    ]);
    expect(hub.requests.filter((r) => r.method === 'HEAD').map((r) => r.status)).toContain(307);
  });

  it('resolves a legacy un-namespaced repo id', async () => {
    hub.commit('bert-base-uncased', { 'config.json': '{}' });
    const m = await resolveModel('hf:bert-base-uncased', opts);
    expect(m.dir).toContain(join('models--bert-base-uncased', 'snapshots'));
    expect(hub.requests[0]?.url).toBe('/api/models/bert-base-uncased/revision/main');
  });

  it('returns local directories and files as they are, and explains a missing path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pt-local-'));
    const weights = join(dir, 'model.safetensors');
    writeFileSync(weights, 'x');
    expect(await resolveModel(dir, opts)).toMatchObject({ source: 'local', dir });
    expect(await resolveModel('model.safetensors', { ...opts, cwd: dir })).toMatchObject({
      dir: dirname(weights),
      file: weights,
    });
    const err = await failure(resolveModel('bert-base-uncased', { ...opts, cwd: dir }));
    expect(err.code).toBe('HUB_LOCAL_NOT_FOUND');
    expect(err.message).toContain('write hf:bert-base-uncased');
    expect(hub.requests).toEqual([]);
  });
});
