// One cache for both languages: Python's huggingface_hub reads what this client wrote, and this client reads
// offline what huggingface_hub downloaded from the stand-in hub. Needs the reference venv (.venv-ref).
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadHubFile } from './download.js';
import { resolveModel } from './snapshot.js';
import { FakeHub } from './testing/fake-hub.js';

const root = new URL('../../../', import.meta.url).pathname;
const python = join(root, '.venv-ref', 'bin', 'python');
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

// Asynchronous on purpose: the stand-in hub runs in this process and must keep answering while Python runs.
function runPython(code: string, env: Record<string, string>): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const home = mkdtempSync(join(tmpdir(), 'pt-hf-home-'));
    const child = spawn(python, ['-c', code], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: home,
        HF_HOME: home,
        HF_HUB_DISABLE_TELEMETRY: '1',
        NO_PROXY: '127.0.0.1',
        ...env,
      },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`python exited ${code}: ${err}`))));
  });
}

const FILES = {
  'config.json': '{"model_type":"bert"}',
  'tokenizer.json': '{"version":"1.0"}',
  'tokenizer_config.json': '{}',
  'special_tokens_map.json': '{}',
  'vocab.txt': '[PAD]\n[UNK]\n',
  'model.safetensors': randomBytes(50_000),
  'pytorch_model.bin': randomBytes(100),
};

describe.skipIf(!existsSync(python))('cache shared with Python huggingface_hub 0.36 (reference venv)', () => {
  let hub: FakeHub;
  let v1: string;

  beforeAll(async () => {
    hub = await FakeHub.start();
    v1 = hub.commit('org/bert', FILES);
    hub.tag('org/bert', 'v1', v1);
    hub.commit('org/bert', { 'config.json': '{"model_type":"bert","v":2}', 'nested/deep/extra.txt': 'deep' });
  });
  afterAll(async () => {
    await hub.close();
  });

  it('Python reads offline what Promptune downloaded (hf_hub_download, snapshot_download, .no_exist, scan_cache_dir)', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'pt-hub-'));
    const opts = { env: {}, endpoint: hub.endpoint, cacheDir };
    const main = await resolveModel('hf:org/bert', opts);
    await resolveModel('hf:org/bert@v1', opts);
    await downloadHubFile('org/bert', 'nested/deep/extra.txt', opts);
    await downloadHubFile('org/bert', 'missing.json', opts).catch(() => {});

    const got = (await runPython(
      `
import hashlib, json, sys
from huggingface_hub import hf_hub_download, snapshot_download, scan_cache_dir, try_to_load_from_cache
from huggingface_hub.file_download import _CACHED_NO_EXIST
cache = ${JSON.stringify(cacheDir)}
weights = hf_hub_download("org/bert", "model.safetensors", cache_dir=cache, local_files_only=True)
tagged = hf_hub_download("org/bert", "config.json", revision="v1", cache_dir=cache, local_files_only=True)
nested = hf_hub_download("org/bert", "nested/deep/extra.txt", cache_dir=cache, local_files_only=True)
info = scan_cache_dir(cache)
print(json.dumps({
  "weights": hashlib.sha256(open(weights, "rb").read()).hexdigest(),
  "tagged": open(tagged).read(),
  "nested": open(nested).read(),
  "snapshot": snapshot_download("org/bert", cache_dir=cache, local_files_only=True),
  "missing": try_to_load_from_cache("org/bert", "missing.json", cache_dir=cache) is _CACHED_NO_EXIST,
  "warnings": [str(w) for w in info.warnings],
  "refs": sorted(r for repo in info.repos for rev in repo.revisions for r in rev.refs),
  "revisions": len([rev for repo in info.repos for rev in repo.revisions]),
}))
`,
      { HF_HUB_OFFLINE: '1' },
    )) as Record<string, unknown>;
    expect(got).toEqual({
      weights: sha256(FILES['model.safetensors']),
      tagged: FILES['config.json'],
      nested: 'deep',
      snapshot: main.dir,
      missing: true,
      warnings: [],
      refs: ['main', 'v1'],
      revisions: 2,
    });
  });

  it('Promptune resolves offline what Python downloaded from the stand-in hub, and online finds nothing to fetch', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'pt-hub-'));
    const defaults = [
      'config.json',
      'model.safetensors',
      'special_tokens_map.json',
      'tokenizer.json',
      'tokenizer_config.json',
      'vocab.txt',
    ];
    await runPython(
      `
import json
from huggingface_hub import hf_hub_download
cache = ${JSON.stringify(cacheDir)}
for f in ${JSON.stringify(defaults)}:
    hf_hub_download("org/bert", f, revision="v1", cache_dir=cache)
print(json.dumps(hf_hub_download("org/bert", "config.json", cache_dir=cache)))
`,
      { HF_ENDPOINT: hub.endpoint },
    );
    // Python took the real route: HEAD on the hub, then the LFS bytes from the CDN origin.
    expect(hub.requests.some((r) => r.server === 'cdn' && r.userAgent?.includes('hf_hub/'))).toBe(true);
    const offline = { env: { HF_HUB_OFFLINE: '1' }, cacheDir };
    hub.requests.length = 0;
    const tagged = await resolveModel('hf:org/bert@v1', offline);
    expect(tagged).toMatchObject({ source: 'cache', commit: v1, files: defaults });
    expect(sha256(readFileSync(join(tagged.dir, 'model.safetensors')))).toBe(sha256(FILES['model.safetensors']));
    expect(readFileSync((await downloadHubFile('org/bert', 'config.json', offline)).path, 'utf8')).toContain('"v":2');
    expect(hub.requests).toEqual([]);

    // Online, the blobs and pointers Python wrote are exactly the ones this client looks for.
    const online = await resolveModel('hf:org/bert@v1', { env: {}, endpoint: hub.endpoint, cacheDir });
    expect(online.dir).toBe(tagged.dir);
    expect(hub.requests.map((r) => r.kind)).toEqual(['api']);
  });
});
