// The download protocol against the stand-in hub: headers, cache layout, resume, checksums, auth, errors.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DownloadHubFileOptions, downloadHubFile } from './download.js';
import { HubError } from './errors.js';
import { FakeHub } from './testing/fake-hub.js';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function failure(p: Promise<unknown>): Promise<HubError> {
  try {
    await p;
  } catch (e) {
    if (HubError.isInstance(e)) return e;
    throw e;
  }
  throw new Error('expected a HubError');
}

// A port nothing listens on: bind one, then close it.
async function closedPort(): Promise<string> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

describe('downloadHubFile', () => {
  let hub: FakeHub;
  let cacheDir: string;
  let opts: DownloadHubFileOptions;
  const weights = randomBytes(300_000);
  const config = JSON.stringify({ model_type: 'bert', hidden_size: 8 });

  beforeEach(async () => {
    hub = await FakeHub.start();
    cacheDir = mkdtempSync(join(tmpdir(), 'pt-hub-'));
    opts = { env: {}, endpoint: hub.endpoint, cacheDir, retry: { baseDelayMs: 1 } };
    hub.commit('org/tiny', { 'config.json': config, 'model.safetensors': weights, 'sub/dir/notes.txt': 'nested' });
  });
  afterEach(async () => {
    await hub.close();
  });

  it('downloads into blobs/<etag> with a relative snapshot symlink, a ref, and a promptune user-agent', async () => {
    const progress: number[] = [];
    const f = await downloadHubFile('org/tiny', 'model.safetensors', { ...opts, onProgress: (p) => progress.push(p.done) });
    const root = join(cacheDir, 'models--org--tiny');
    expect(f.downloaded).toBe(true);
    expect(f.path).toBe(join(root, 'snapshots', f.commit, 'model.safetensors'));
    expect(readlinkSync(f.path)).toBe(`../../blobs/${sha256(weights)}`);
    expect(readFileSync(f.path).equals(weights)).toBe(true);
    expect(readFileSync(join(root, 'refs', 'main'), 'utf8')).toBe(f.commit);
    expect(progress.at(-1)).toBe(weights.length);
    // LFS: HEAD on the hub answers 302, the bytes come from the CDN origin.
    expect(hub.requests.map((r) => `${r.server} ${r.method} ${r.status}`)).toEqual(['hub HEAD 302', 'cdn GET 200']);
    expect(hub.requests[0]?.userAgent).toMatch(/^promptune\//);

    const small = await downloadHubFile('org/tiny', 'config.json', opts);
    const gitSha1 = createHash('sha1').update(`blob ${config.length}\0${config}`).digest('hex');
    expect(readlinkSync(small.path)).toBe(`../../blobs/${gitSha1}`);
    const nested = await downloadHubFile('org/tiny', 'sub/dir/notes.txt', opts);
    expect(readlinkSync(nested.path)).toMatch(/^\.\.\/\.\.\/\.\.\/\.\.\/blobs\/[0-9a-f]{40}$/);
    expect(readFileSync(nested.path, 'utf8')).toBe('nested');
    expect(readdirSync(join(root, 'blobs')).some((f) => f.endsWith('.incomplete'))).toBe(false);
  });

  it('a second call is a cache hit: no file GET, and none of any kind for a commit revision', async () => {
    const first = await downloadHubFile('org/tiny', 'model.safetensors', opts);
    hub.requests.length = 0;
    const again = await downloadHubFile('org/tiny', 'model.safetensors', opts);
    expect(again).toMatchObject({ downloaded: false, path: first.path });
    expect(hub.fileDownloads()).toEqual([]);
    hub.requests.length = 0;
    await downloadHubFile('org/tiny', 'model.safetensors', { ...opts, revision: first.commit });
    expect(hub.requests).toEqual([]);
  });

  it('resumes after a cut connection with a Range request, and the result has the right sha256', async () => {
    hub.inject({ fault: { kind: 'cut', afterBytes: 100_000 }, file: 'model.safetensors' });
    const err = await failure(downloadHubFile('org/tiny', 'model.safetensors', { ...opts, retry: { attempts: 1 } }));
    expect(err.code).toBe('HUB_NETWORK');
    expect(err.message).toContain('resumes on the next try');
    const incomplete = join(cacheDir, 'models--org--tiny', 'blobs', `${sha256(weights)}.incomplete`);
    // Every byte that arrived before the cut is kept.
    expect(readFileSync(incomplete).length).toBe(100_000);

    const f = await downloadHubFile('org/tiny', 'model.safetensors', opts);
    expect(hub.fileDownloads().map((r) => r.range)).toEqual([undefined, 'bytes=100000-']);
    expect(hub.fileDownloads()[1]?.status).toBe(206);
    expect(sha256(readFileSync(f.path))).toBe(sha256(weights));
    expect(existsSync(incomplete)).toBe(false);
  });

  it('retries a cut within one call (the retry sends Range)', async () => {
    hub.inject({ fault: { kind: 'cut', afterBytes: 50_000 }, file: 'model.safetensors' });
    const f = await downloadHubFile('org/tiny', 'model.safetensors', opts);
    expect(hub.fileDownloads().map((r) => r.range)).toEqual([undefined, 'bytes=50000-']);
    expect(readFileSync(f.path).equals(weights)).toBe(true);
  });

  it('starts over when the server ignores Range and answers 200', async () => {
    hub.inject({ fault: { kind: 'cut', afterBytes: 70_000 }, file: 'model.safetensors' });
    hub.inject({ fault: { kind: 'ignore-range' }, file: 'model.safetensors' });
    const f = await downloadHubFile('org/tiny', 'model.safetensors', opts);
    expect(hub.fileDownloads().map((r) => [r.range, r.status])).toEqual([
      [undefined, 200],
      ['bytes=70000-', 200],
    ]);
    expect(readFileSync(f.path).equals(weights)).toBe(true);
  });

  it('a corrupted download raises HUB_CHECKSUM and leaves no blob behind (LFS sha256 and git sha1)', async () => {
    hub.inject({ fault: { kind: 'corrupt' }, file: 'model.safetensors' });
    const err = await failure(downloadHubFile('org/tiny', 'model.safetensors', opts));
    expect(err.code).toBe('HUB_CHECKSUM');
    expect(err.message).toContain(`the hub says ${sha256(weights)}`);
    expect(err.message).toContain('The bad download was deleted');
    const blobs = join(cacheDir, 'models--org--tiny', 'blobs');
    expect(readdirSync(blobs)).toEqual([]);
    expect(existsSync(join(cacheDir, 'models--org--tiny', 'snapshots'))).toBe(false);

    hub.inject({ fault: { kind: 'corrupt', offset: 3 }, file: 'config.json' });
    expect((await failure(downloadHubFile('org/tiny', 'config.json', opts))).message).toMatch(/git blob sha1/);
    expect(readdirSync(blobs)).toEqual([]);
    // The next try succeeds.
    expect((await downloadHubFile('org/tiny', 'config.json', opts)).downloaded).toBe(true);
  });

  it('a private repo needs a token (401 names HF_TOKEN); the token never reaches the CDN', async () => {
    hub.createRepo('org/private', { private: true, tokens: ['hf_secret'] });
    hub.commit('org/private', { 'model.safetensors': weights });
    const err = await failure(downloadHubFile('org/private', 'model.safetensors', opts));
    expect(err.code).toBe('HUB_UNAUTHORIZED');
    expect(err.message).toContain('HF_TOKEN');
    expect(err.message).toContain('huggingface-cli login');

    const bad = await failure(downloadHubFile('org/private', 'model.safetensors', { ...opts, token: 'hf_wrong' }));
    expect(bad.code).toBe('HUB_UNAUTHORIZED');
    expect(bad.message).toContain('rejected the token');

    hub.requests.length = 0;
    // The token comes from the environment, as HF_TOKEN would provide it.
    const f = await downloadHubFile('org/private', 'model.safetensors', { ...opts, env: { HF_TOKEN: 'hf_secret' } });
    expect(readFileSync(f.path).equals(weights)).toBe(true);
    const [head, get] = hub.requests;
    expect(head).toMatchObject({ server: 'hub', authorization: 'Bearer hf_secret' });
    expect(get).toMatchObject({ server: 'cdn', authorization: undefined });
  });

  it('a gated repo without access is HUB_GATED with the page to accept the conditions', async () => {
    hub.createRepo('org/gated', { gated: true, tokens: ['hf_granted', 'hf_other'] });
    hub.commit('org/gated', { 'config.json': config });
    hub.createRepo('org/gated2', { gated: true, tokens: ['hf_granted'] });
    hub.commit('org/gated2', { 'config.json': config });
    const anon = await failure(downloadHubFile('org/gated', 'config.json', opts));
    expect(anon.code).toBe('HUB_GATED');
    expect(anon.message).toContain(`${hub.endpoint}/org/gated`);
    expect(anon.message).toContain('HF_TOKEN');
    const denied = await failure(downloadHubFile('org/gated2', 'config.json', { ...opts, token: 'hf_other' }));
    expect(denied).toMatchObject({ code: 'HUB_GATED', status: 403 });
    expect((await downloadHubFile('org/gated', 'config.json', { ...opts, token: 'hf_granted' })).downloaded).toBe(true);
  });

  it('tells a missing repo, revision and file apart; a missing file is remembered in .no_exist', async () => {
    expect((await failure(downloadHubFile('org/nope', 'config.json', { ...opts, token: 'hf_x' }))).code).toBe('HUB_UNAUTHORIZED');
    hub.createRepo('org/other', { private: true, tokens: ['hf_x'] });
    expect((await failure(downloadHubFile('org/nope', 'config.json', { ...opts, token: 'hf_x' }))).code).toBe(
      'HUB_REPO_NOT_FOUND',
    );
    const rev = await failure(downloadHubFile('org/tiny', 'config.json', { ...opts, revision: 'v9' }));
    expect(rev.code).toBe('HUB_REVISION_NOT_FOUND');
    expect(rev.message).toContain('Revision "v9" does not exist in org/tiny');
    const file = await failure(downloadHubFile('org/tiny', 'missing.json', opts));
    expect(file.code).toBe('HUB_FILE_NOT_FOUND');
    const commit = readFileSync(join(cacheDir, 'models--org--tiny', 'refs', 'main'), 'utf8');
    expect(existsSync(join(cacheDir, 'models--org--tiny', '.no_exist', commit, 'missing.json'))).toBe(true);
    // Offline, the marker turns "not cached" into "known to be missing".
    expect((await failure(downloadHubFile('org/tiny', 'missing.json', { ...opts, offline: true }))).code).toBe(
      'HUB_FILE_NOT_FOUND',
    );
  });

  it('retries 503 answers and then succeeds', async () => {
    hub.inject({ fault: { kind: 'status', status: 503 }, method: 'HEAD', times: 2 });
    hub.inject({ fault: { kind: 'status', status: 503 }, method: 'GET', times: 1 });
    const f = await downloadHubFile('org/tiny', 'model.safetensors', opts);
    expect(readFileSync(f.path).equals(weights)).toBe(true);
    expect(hub.requests.map((r) => `${r.method} ${r.status}`)).toEqual([
      'HEAD 503',
      'HEAD 503',
      'HEAD 302',
      'GET 503',
      'GET 200',
    ]);
    hub.inject({ fault: { kind: 'status', status: 500 }, times: 10 });
    const err = await failure(downloadHubFile('org/tiny', 'vocab.txt', { ...opts, retry: { attempts: 3, baseDelayMs: 1 } }));
    expect(err).toMatchObject({ code: 'HUB_SERVER', status: 500 });
  });

  it('network down: HUB_NETWORK saying what to do, or the cached copy with a warning', async () => {
    const down = { ...opts, endpoint: await closedPort(), retry: { attempts: 2, baseDelayMs: 1 } };
    const err = await failure(downloadHubFile('org/tiny', 'config.json', down));
    expect(err.code).toBe('HUB_NETWORK');
    expect(err.message).toContain('ECONNREFUSED');
    expect(err.message).toContain('HF_HUB_OFFLINE=1');
    expect(err.message).toContain(cacheDir);

    const online = await downloadHubFile('org/tiny', 'config.json', opts);
    const warnings: string[] = [];
    const cached = await downloadHubFile('org/tiny', 'config.json', { ...down, onWarning: (w) => warnings.push(w) });
    expect(cached).toMatchObject({ path: online.path, downloaded: false });
    expect(warnings[0]).toContain('Using the copy of config.json already in the cache');
  });

  it('a full disk (a real ENOSPC from /dev/full) is HUB_DISK_FULL naming the size, the cache and HF_HUB_CACHE', async () => {
    const blobs = join(cacheDir, 'models--org--tiny', 'blobs');
    mkdirSync(blobs, { recursive: true });
    symlinkSync('/dev/full', join(blobs, `${sha256(weights)}.incomplete`));
    const err = await failure(downloadHubFile('org/tiny', 'model.safetensors', opts));
    expect(err.code).toBe('HUB_DISK_FULL');
    expect(err.message).toContain(`${weights.length} bytes`);
    expect(err.message).toContain(cacheDir);
    expect(err.message).toContain('HF_HUB_CACHE');
    expect(readdirSync(blobs)).toEqual([]);
  });

  it('two concurrent calls for the same file download it once and share one correct blob', async () => {
    const big = randomBytes(4_000_000);
    hub.commit('org/tiny', { 'big.safetensors': big });
    const [a, b] = await Promise.all([
      downloadHubFile('org/tiny', 'big.safetensors', opts),
      downloadHubFile('org/tiny', 'big.safetensors', opts),
    ]);
    expect(a.path).toBe(b.path);
    expect(hub.fileDownloads('big.safetensors')).toHaveLength(1);
    const blobs = readdirSync(join(cacheDir, 'models--org--tiny', 'blobs'));
    expect(blobs).toEqual([sha256(big)]);
    expect(sha256(readFileSync(a.path))).toBe(sha256(big));
    expect(readdirSync(join(cacheDir, '.locks', 'models--org--tiny'))).toEqual([]);
  });

  it('rejects bad repo ids and file paths before any request', async () => {
    expect((await failure(downloadHubFile('org--x/y', 'config.json', opts))).code).toBe('HUB_BAD_REF');
    expect((await failure(downloadHubFile('org/tiny', '../escape', opts))).code).toBe('HUB_BAD_PATH');
    expect(hub.requests).toEqual([]);
  });

  it('writes a tag ref and reuses the blob for a commit that shares it', async () => {
    const c1 = hub.commit('org/tiny', { 'vocab.txt': 'a\nb\n' });
    hub.tag('org/tiny', 'v1', c1);
    hub.commit('org/tiny', { 'vocab.txt': 'a\nb\nc\n' });
    const tagged = await downloadHubFile('org/tiny', 'vocab.txt', { ...opts, revision: 'v1' });
    const latest = await downloadHubFile('org/tiny', 'vocab.txt', opts);
    expect(readFileSync(tagged.path, 'utf8')).toBe('a\nb\n');
    expect(readFileSync(latest.path, 'utf8')).toBe('a\nb\nc\n');
    expect(readFileSync(join(cacheDir, 'models--org--tiny', 'refs', 'v1'), 'utf8')).toBe(c1);
  });
});
