// Fetching one file of a hub repo into the shared cache, as huggingface_hub does: HEAD the resolve URL for
// commit, etag, size and CDN location; GET into blobs/<etag>.incomplete (resuming with Range); verify the
// checksum the etag promises; rename; link the snapshot. A lock keeps concurrent fetches of a blob apart.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { type FileHandle, mkdir, open, rename, rm, stat, statfs, truncate } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { dirname } from 'node:path';
import { HubRepoCache, checkRepoFilePath } from './cache.js';
import { HubError, type HubTarget, hubErrorFromResponse, hubNetworkError, isTransientHubError } from './errors.js';
import {
  type HubClientOptions,
  type HubSettings,
  describeSocketError,
  hubHeaders,
  hubSettings,
  sendFollowingRelative,
  sendOrNetworkError,
  withRetries,
} from './http.js';
import { withFileLock } from './lock.js';
import { HUB_DEFAULT_REVISION, isCommitHash, parseModelRef } from './model-ref.js';

/** What the hub's HEAD answer says about a file. */
export interface HubFileMetadata {
  /** The full commit hash the revision resolved to (X-Repo-Commit). */
  commit: string;
  /** sha256 of the contents for LFS files (X-Linked-Etag), git blob sha1 otherwise (ETag). */
  etag: string;
  /** Size in bytes (X-Linked-Size, else Content-Length). */
  size: number;
  /** Where to GET the bytes: the CDN for LFS files, the resolve URL otherwise. */
  location: string;
  /** True when the file is stored with git LFS. */
  lfs: boolean;
}

/** A file in the cache. */
export interface HubFile {
  repo: string;
  revision: string;
  commit: string;
  file: string;
  /** The snapshot path to read it through (a symlink into blobs/). */
  path: string;
  size: number;
  /** False when the cache already had it. */
  downloaded: boolean;
}

/** Options of downloadHubFile(). */
export interface DownloadHubFileOptions extends HubClientOptions {
  /** Branch, tag or commit (default main). */
  revision?: string;
}

const isRedirect = (status: number) => status >= 300 && status < 400;
const header = (res: IncomingMessage, name: string): string | undefined => {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** The URL huggingface_hub downloads a file from: `{endpoint}/{repo}/resolve/{revision}/{path}`. */
export function hubResolveUrl(endpoint: string, repo: string, revision: string, file: string): string {
  return `${endpoint}/${repo}/resolve/${encodeURIComponent(revision)}/${file.split('/').map(encodeURIComponent).join('/')}`;
}

// huggingface_hub's _normalize_etag: drop a weak-validator prefix and the quotes.
const normalizeEtag = (etag: string | undefined) => etag?.replace(/^W\//, '').replace(/^"|"$/g, '');

/** HEADs a file without following the CDN redirect (relative redirects, i.e. renamed repos, are followed). */
export async function fetchHubFileMetadata(
  s: HubSettings,
  repo: string,
  revision: string,
  file: string,
): Promise<HubFileMetadata> {
  const cache = new HubRepoCache(s.cacheDir, repo);
  const target = { endpoint: s.endpoint, repo, revision, file, url: hubResolveUrl(s.endpoint, repo, revision, file) };
  return withRetries(s, async () => {
    const { res, url, headers } = await sendFollowingRelative(s, target, 'HEAD', {}, s.timeoutMs ?? 10_000);
    res.resume();
    const status = res.statusCode ?? 0;
    if (status >= 400) {
      const err = hubErrorFromResponse(status, res.headers, { ...target, url, tokenSent: 'authorization' in headers });
      const commit = header(res, 'x-repo-commit');
      if (err.code === 'HUB_FILE_NOT_FOUND' && commit) rememberMissing(cache, revision, commit, file);
      throw err;
    }
    const commit = header(res, 'x-repo-commit');
    const linked = normalizeEtag(header(res, 'x-linked-etag'));
    const etag = linked ?? normalizeEtag(header(res, 'etag'));
    const size = Number(header(res, 'x-linked-size') ?? header(res, 'content-length'));
    // Both name files and folders in the cache: anything but a plain token could escape it.
    const plain = (v: string | undefined) => v !== undefined && /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(v);
    if (!plain(commit) || !plain(etag) || !Number.isSafeInteger(size)) {
      throw new HubError(
        'HUB_BAD_RESPONSE',
        `${url} answered without a usable X-Repo-Commit, ETag or size (HTTP ${status}): ${s.endpoint} does not behave like a Hugging Face hub; check HF_ENDPOINT and any proxy in between.`,
        { repo, revision, file, url, status },
      );
    }
    const location = header(res, 'location');
    const where = isRedirect(status) && location ? new URL(location, url).href : url;
    return { commit: commit as string, etag: etag as string, size, location: where, lfs: linked !== undefined };
  });
}

// huggingface_hub caches 404s too, so a later offline run knows the file is absent rather than uncached.
function rememberMissing(cache: HubRepoCache, revision: string, commit: string, file: string): void {
  try {
    cache.markMissing(commit, file);
    cache.writeRef(revision, commit);
  } catch {
    // A read-only shared cache only loses the hint.
  }
}

type Digest = 'sha256' | 'git-sha1';

// The etag says which checksum to expect: 64 hex digits are an LFS sha256, 40 a git blob sha1.
function digestFor(etag: string): Digest | undefined {
  if (/^[0-9a-f]{64}$/.test(etag)) return 'sha256';
  if (/^[0-9a-f]{40}$/.test(etag)) return 'git-sha1';
  return undefined;
}

function newHash(kind: Digest | undefined, size: number) {
  if (!kind) return undefined;
  const h = createHash(kind === 'sha256' ? 'sha256' : 'sha1');
  // git hashes a blob as "blob <size>\0" followed by its bytes.
  if (kind === 'git-sha1') h.update(`blob ${size}\0`);
  return h;
}

async function hashFileInto(h: ReturnType<typeof createHash>, path: string): Promise<void> {
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
}

// Bytes of a previous attempt; 0 when there are none or the path is not a regular file.
async function partialSize(path: string): Promise<number> {
  try {
    const st = await stat(path);
    return st.isFile() ? st.size : 0;
  } catch {
    return 0;
  }
}

const DISK_FULL = new Set(['ENOSPC', 'EDQUOT']);

function diskFullError(s: HubSettings, t: HubTarget, size: number, done: number, cause: unknown): HubError {
  return new HubError(
    'HUB_DISK_FULL',
    `No space left on the device while writing ${t.file} from ${t.repo} (${size} bytes, ${size - done} still to write) into the cache at ${s.cacheDir}: free some space there, or move the cache to a bigger disk with HF_HUB_CACHE=/path/with/space (Python's huggingface_hub reads the same variable). The partial download was removed.`,
    { repo: t.repo, revision: t.revision, file: t.file, cause },
  );
}

// Writes the body in arrival order, calling `written` after each chunk lands. Chunks are taken as they arrive
// rather than pulled, because a stream destroyed by a dropped connection discards what it still buffers: this
// way every byte received reaches the partial file and the next attempt resumes from exactly there.
function receive(
  res: IncomingMessage,
  fh: FileHandle,
  first: (() => Promise<void>) | undefined,
  written: (chunk: Buffer) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let queued = 0;
    let writeError: unknown;
    let writes = (first ?? (() => Promise.resolve()))().catch((e) => {
      writeError = e;
    });
    const settle = (err?: unknown) => {
      writes = writes.then(() => (writeError || err ? reject(writeError ?? err) : resolve()));
    };
    res.on('data', (chunk: Buffer) => {
      queued += chunk.length;
      // Backpressure for a disk slower than the network.
      if (queued > 8 << 20) res.pause();
      writes = writes.then(async () => {
        if (writeError) return;
        try {
          await fh.write(chunk);
          written(chunk);
        } catch (e) {
          writeError = e;
          res.destroy();
        }
        queued -= chunk.length;
        if (queued < 1 << 20) res.resume();
      });
    });
    res.once('end', () => settle());
    res.once('error', (e) => settle(e));
    // Destroyed without an error (e.g. after a failed write): the caller sees the short count.
    res.once('close', () => settle());
    if (res.destroyed) settle(res.errored ?? undefined);
  });
}

// One GET of the remaining bytes into `incomplete`; returns the digest of the whole file.
async function transfer(s: HubSettings, t: HubTarget, meta: HubFileMetadata, incomplete: string): Promise<string | undefined> {
  let have = await partialSize(incomplete);
  if (have > 0 && have >= meta.size) {
    await truncate(incomplete, 0);
    have = 0;
  }
  const kind = digestFor(meta.etag);
  let hash = newHash(kind, meta.size);
  if (hash && have > 0) await hashFileInto(hash, incomplete);
  let done = have;
  let url = meta.location;
  const fh = await open(incomplete, 'a');
  try {
    let res: IncomingMessage;
    let headers: Record<string, string>;
    for (let hops = 0; ; hops++) {
      // Built per hop: a redirect to another origin (a CDN) must not receive the token.
      headers = hubHeaders(s, url, have > 0 ? { range: `bytes=${have}-` } : {});
      res = await sendOrNetworkError(s, { ...t, url }, 'GET', headers, s.timeoutMs ?? 60_000);
      const location = header(res, 'location');
      if (!isRedirect(res.statusCode ?? 0) || !location || hops >= 5) break;
      res.resume();
      url = new URL(location, url).href;
    }
    // No await between here and receive(): the body must be listened to before its socket can close.
    const status = res.statusCode ?? 0;
    if (status !== 200 && status !== 206) {
      res.resume();
      if (status === 416) {
        await fh.truncate(0);
        throw hubNetworkError({ ...t, url }, 'the server refused to resume (HTTP 416); starting over', s.cacheDir);
      }
      throw hubErrorFromResponse(status, res.headers, { ...t, url, tokenSent: 'authorization' in headers });
    }
    if (status === 206 && Number(/^bytes (\d+)-/.exec(header(res, 'content-range') ?? '')?.[1]) !== have) {
      res.destroy();
      await fh.truncate(0);
      throw hubNetworkError(
        { ...t, url },
        `the server resumed at the wrong offset (${header(res, 'content-range')})`,
        s.cacheDir,
      );
    }
    // A server that ignores Range sends everything again (200): start the file over.
    const restart = status === 200 && have > 0;
    if (restart) {
      done = 0;
      hash = newHash(kind, meta.size);
    }
    s.onProgress?.({ repo: t.repo, file: t.file ?? '', done, total: meta.size });
    await receive(res, fh, restart ? () => fh.truncate(0) : undefined, (chunk) => {
      hash?.update(chunk);
      done += chunk.length;
      s.onProgress?.({ repo: t.repo, file: t.file ?? '', done, total: meta.size });
    });
  } catch (e) {
    if (HubError.isInstance(e)) throw e;
    if (DISK_FULL.has((e as NodeJS.ErrnoException).code ?? '')) {
      await fh.close();
      await rm(incomplete, { force: true });
      throw diskFullError(s, t, meta.size, done, e);
    }
    throw hubNetworkError(
      { ...t, url },
      `${describeSocketError(e)} after ${done} of ${meta.size} bytes; the partial download is kept and resumes on the next try`,
      s.cacheDir,
      e,
    );
  } finally {
    await fh.close().catch(() => {});
  }
  if (done !== meta.size) {
    throw hubNetworkError(
      { ...t, url },
      `the connection closed after ${done} of ${meta.size} bytes; the partial download is kept and resumes on the next try`,
      s.cacheDir,
    );
  }
  return hash?.digest('hex');
}

async function warnIfLowOnSpace(s: HubSettings, dir: string, needed: number, file: string): Promise<void> {
  try {
    const fsInfo = await statfs(dir);
    const free = fsInfo.bavail * fsInfo.bsize;
    if (free < needed) {
      s.onWarning(
        `${file} needs ${needed} bytes but only ${free} are free in ${dir}; set HF_HUB_CACHE to a disk with more space if the download fails.`,
      );
    }
  } catch {
    // statfs is advisory; the write itself reports a full disk.
  }
}

async function fetchBlob(s: HubSettings, t: HubTarget, meta: HubFileMetadata, blob: string): Promise<void> {
  const incomplete = `${blob}.incomplete`;
  await mkdir(dirname(blob), { recursive: true });
  await warnIfLowOnSpace(s, dirname(blob), meta.size - (await partialSize(incomplete)), t.file ?? '');
  const digest = await withRetries(s, () => transfer(s, t, meta, incomplete));
  if (digest !== undefined && digest !== meta.etag) {
    await rm(incomplete, { force: true });
    const kind = digestFor(meta.etag) === 'sha256' ? 'sha256' : 'git blob sha1';
    throw new HubError(
      'HUB_CHECKSUM',
      `${t.file} from ${t.repo}@${t.revision} arrived corrupted: its ${kind} is ${digest} but the hub says ${meta.etag}. The bad download was deleted; run again, and if it happens again something between you and ${s.endpoint} (a proxy?) is altering downloads.`,
      { repo: t.repo, revision: t.revision, file: t.file, url: meta.location },
    );
  }
  await rename(incomplete, blob);
}

function offlineMiss(s: HubSettings, repo: string, revision: string, what: string): HubError {
  return new HubError(
    'HUB_OFFLINE_MISS',
    `Offline mode is on (HF_HUB_OFFLINE=1 or offline: true) and ${what} of ${repo}@${revision} is not in the cache at ${s.cacheDir}: run once online to download it, point HF_HUB_CACHE at a cache that has it, or use a local directory.`,
    { repo, revision },
  );
}

/** Looks a file up in the cache only (no network); throws HUB_OFFLINE_MISS or HUB_FILE_NOT_FOUND when absent. */
export function cachedHubFile(s: HubSettings, repo: string, revision: string, file: string): HubFile {
  const hit = new HubRepoCache(s.cacheDir, repo).lookup(revision, file);
  if (hit && 'path' in hit) {
    const size = statSync(hit.path).size;
    s.onProgress?.({ repo, file, done: size, total: size, cached: true });
    return { repo, revision, commit: hit.commit, file, path: hit.path, size, downloaded: false };
  }
  if (hit) {
    throw new HubError(
      'HUB_FILE_NOT_FOUND',
      `${repo}@${revision} has no file ${file} (the cache at ${s.cacheDir} recorded the hub saying so).`,
      { repo, revision, file },
    );
  }
  throw offlineMiss(s, repo, revision, file);
}

/** Brings one file into the cache (or finds it there) with settings already resolved; used by resolveModel. */
export async function fetchHubFile(s: HubSettings, repo: string, revision: string, file: string): Promise<HubFile> {
  checkRepoFilePath(file, repo);
  const cache = new HubRepoCache(s.cacheDir, repo);
  if (s.offline) return cachedHubFile(s, repo, revision, file);
  // A commit never changes, so a file already linked under it needs no request at all.
  if (isCommitHash(revision) && existsSync(cache.pointer(revision, file))) return cachedHubFile(s, repo, revision, file);
  let meta: HubFileMetadata;
  try {
    meta = await fetchHubFileMetadata(s, repo, revision, file);
  } catch (e) {
    if (isTransientHubError(e) && cache.lookup(revision, file)) {
      s.onWarning(`${e.message} Using the copy of ${file} already in the cache.`);
      return cachedHubFile(s, repo, revision, file);
    }
    throw e;
  }
  cache.writeRef(revision, meta.commit);
  const pointer = cache.pointer(meta.commit, file);
  if (existsSync(pointer)) return { ...cachedHubFile(s, repo, meta.commit, file), revision };
  const target = { endpoint: s.endpoint, repo, revision, file, url: meta.location, tokenSent: false };
  let downloaded = false;
  await withFileLock(
    cache.lock(meta.etag),
    async () => {
      // Whoever held the lock before may have fetched this blob already.
      if (!existsSync(cache.blob(meta.etag))) {
        await fetchBlob(s, target, meta, cache.blob(meta.etag));
        downloaded = true;
      }
      cache.link(meta.commit, file, meta.etag);
    },
    { onWait: s.onWarning },
  );
  if (!downloaded) s.onProgress?.({ repo, file, done: meta.size, total: meta.size, cached: true });
  return { repo, revision, commit: meta.commit, file, path: pointer, size: meta.size, downloaded };
}

/** Downloads `file` of hub repo `repo` into the shared cache (or finds it there) and returns its path. */
export async function downloadHubFile(repo: string, file: string, opts: DownloadHubFileOptions = {}): Promise<HubFile> {
  const revision = opts.revision ?? HUB_DEFAULT_REVISION;
  parseModelRef(`hf:${repo}@${revision}`);
  return fetchHubFile(hubSettings(opts), repo, revision, file);
}
