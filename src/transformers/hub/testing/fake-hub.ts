// A stand-in for huggingface.co on 127.0.0.1, for tests: in-memory repos with branches, tags and commits,
// the listing API, `resolve` HEAD/GET with the real headers, LFS files redirected to a separate CDN origin,
// Range requests, the hub's auth and 404 answers with X-Error-Code, injectable faults and a request log.
import { createHash } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Who may read a fake repo. */
export interface FakeRepoOptions {
  /** Hidden from anyone without a granted token (401/404 RepoNotFound, as the hub answers). */
  private?: boolean;
  /** Visible, but files need a granted token (401/403 GatedRepo). */
  gated?: boolean;
  /** Bearer tokens granted access. */
  tokens?: string[];
}

/** A failure the fake hub can be told to produce. */
export type FakeFault =
  /** Answer with this HTTP status (e.g. 503) instead of serving. */
  | { kind: 'status'; status: number }
  /** Send only this many body bytes, then drop the connection. */
  | { kind: 'cut'; afterBytes: number }
  /** Flip the byte at this offset of the file (default: the middle) while serving it. */
  | { kind: 'corrupt'; offset?: number }
  /** Answer Range requests with 200 and the whole file, like servers without range support. */
  | { kind: 'ignore-range' };

/** When a fault applies: to requests for `file` (any request when absent) with `method`, `times` times (default 1). */
export interface FakeFaultRule {
  fault: FakeFault;
  file?: string;
  method?: 'GET' | 'HEAD';
  times?: number;
}

/** One request the fake hub received. */
export interface FakeRequest {
  /** 'hub' for the hub origin, 'cdn' for the LFS download origin. */
  server: 'hub' | 'cdn';
  kind: 'api' | 'resolve' | 'cdn' | 'other';
  method: string;
  url: string;
  repo?: string;
  revision?: string;
  file?: string;
  range?: string;
  authorization?: string;
  userAgent?: string;
  status: number;
}

/** Per-commit option for which files are stored with git LFS. */
export type LfsRule = (path: string, bytes: Buffer) => boolean;

// The hub's default .gitattributes sends these to LFS; anything over 10 MB goes there too.
const DEFAULT_LFS: LfsRule = (path, bytes) =>
  /\.(safetensors|bin|h5|msgpack|onnx|model|pt|pth|ckpt|tflite|ot)$/.test(path) || bytes.length > 10 * 1024 * 1024;

interface StoredFile {
  bytes: Buffer;
  lfs: boolean;
  /** git blob sha1 of what git stores: the bytes, or the LFS pointer for LFS files (the hub's ETag). */
  oid: string;
  sha256: string;
}

interface Repo {
  id: string;
  options: FakeRepoOptions;
  commits: Map<string, Map<string, StoredFile>>;
  refs: Map<string, string>;
}

const gitBlobSha1 = (bytes: Buffer) =>
  createHash('sha1')
    .update(Buffer.concat([Buffer.from(`blob ${bytes.length}\0`), bytes]))
    .digest('hex');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

/** The fake hub: start() it, add repos and commits, point HF_ENDPOINT (or `endpoint`) at `hub.endpoint`. */
export class FakeHub {
  /** Every request received, in order. */
  readonly requests: FakeRequest[] = [];
  private readonly repos = new Map<string, Repo>();
  private readonly blobs = new Map<string, Buffer>();
  private readonly renamed = new Map<string, string>();
  private faults: (FakeFaultRule & { left: number })[] = [];
  private counter = 0;

  private constructor(
    private readonly hubServer: Server,
    private readonly cdnServer: Server,
    /** The hub's address, e.g. http://127.0.0.1:41234. */
    readonly endpoint: string,
    /** The CDN's address: another port, so another origin that must never see the token. */
    readonly cdnOrigin: string,
  ) {}

  /** Starts both servers on ephemeral ports of 127.0.0.1. */
  static async start(): Promise<FakeHub> {
    // The servers need the instance and the instance needs their addresses: tie the knot through a holder.
    const self: { hub?: FakeHub } = {};
    const hubServer = createServer((req, res) => self.hub?.handleHub(req, res));
    const cdnServer = createServer((req, res) => self.hub?.handleCdn(req, res));
    self.hub = new FakeHub(hubServer, cdnServer, await listen(hubServer), await listen(cdnServer));
    return self.hub;
  }

  /** Stops both servers and drops open connections; later requests get ECONNREFUSED. */
  async close(): Promise<void> {
    for (const s of [this.hubServer, this.cdnServer]) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
  }

  /** Creates an empty repo. */
  createRepo(id: string, options: FakeRepoOptions = {}): void {
    this.repos.set(id, { id, options, commits: new Map(), refs: new Map() });
  }

  /** Commits files on top of `branch` (default main; created if absent) and returns the new commit hash. */
  commit(id: string, files: Record<string, string | Uint8Array>, opts: { branch?: string; lfs?: LfsRule } = {}): string {
    if (!this.repos.has(id)) this.createRepo(id);
    const repo = this.repos.get(id) as Repo;
    const branch = opts.branch ?? 'main';
    const parent = repo.refs.get(branch);
    const tree = new Map(parent ? repo.commits.get(parent) : []);
    for (const [path, content] of Object.entries(files)) {
      const bytes = Buffer.from(content);
      const lfs = (opts.lfs ?? DEFAULT_LFS)(path, bytes);
      const sha = sha256(bytes);
      const pointer = `version https://git-lfs.github.com/spec/v1\noid sha256:${sha}\nsize ${bytes.length}\n`;
      tree.set(path, { bytes, lfs, sha256: sha, oid: gitBlobSha1(lfs ? Buffer.from(pointer) : bytes) });
      if (lfs) this.blobs.set(sha, bytes);
    }
    const listing = [...tree].map(([p, f]) => `${p}:${f.oid}`).sort();
    const commit = createHash('sha1')
      .update(`${id}\n${parent ?? ''}\n${this.counter++}\n${listing.join('\n')}`)
      .digest('hex');
    repo.commits.set(commit, tree);
    repo.refs.set(branch, commit);
    return commit;
  }

  /** Points a tag (or branch) at a commit. */
  tag(id: string, name: string, commit: string): void {
    this.repos.get(id)?.refs.set(name, commit);
  }

  /** Renames a repo; requests for the old id get a relative 307 to the new one, as the hub answers. */
  renameRepo(from: string, to: string): void {
    const repo = this.repos.get(from);
    if (!repo) return;
    this.repos.delete(from);
    this.repos.set(to, { ...repo, id: to });
    this.renamed.set(from, to);
  }

  /** Makes matching requests fail in the way described (see FakeFault). */
  inject(rule: FakeFaultRule): void {
    this.faults.push({ ...rule, left: rule.times ?? 1 });
  }

  /** Requests that fetched file bytes (GETs answered 200 or 206, on the hub or the CDN). */
  fileDownloads(file?: string): FakeRequest[] {
    return this.requests.filter(
      (r) =>
        r.method === 'GET' &&
        (r.kind === 'resolve' || r.kind === 'cdn') &&
        (r.status === 200 || r.status === 206) &&
        (!file || r.file === file),
    );
  }

  private takeFault(entry: FakeRequest, kinds: FakeFault['kind'][]): FakeFault | undefined {
    const i = this.faults.findIndex(
      (f) => kinds.includes(f.fault.kind) && (!f.file || f.file === entry.file) && (!f.method || f.method === entry.method),
    );
    if (i < 0) return undefined;
    const rule = this.faults[i] as FakeFaultRule & { left: number };
    if (--rule.left <= 0) this.faults.splice(i, 1);
    return rule.fault;
  }

  private finish(
    res: ServerResponse,
    entry: FakeRequest,
    status: number,
    headers: Record<string, string | number>,
    body = '',
  ): void {
    entry.status = status;
    res.writeHead(status, { 'content-length': Buffer.byteLength(body), ...headers });
    res.end(body);
  }

  // Parses /api/models/{repo}/revision/{rev} and /{repo}/resolve/{rev}/{path}; repo ids have one "/" at most.
  private route(req: IncomingMessage, server: 'hub' | 'cdn'): FakeRequest {
    const url = new URL(req.url ?? '/', 'http://fake');
    const entry: FakeRequest = {
      server,
      kind: 'other',
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      range: req.headers.range,
      authorization: req.headers.authorization,
      userAgent: req.headers['user-agent'],
      status: 0,
    };
    this.requests.push(entry);
    const api = /^\/api\/models\/([^/]+(?:\/[^/]+)??)(?:\/revision\/([^/]+))?$/.exec(url.pathname);
    const resolve = /^\/([^/]+(?:\/[^/]+)?)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    const cdn = /^\/cdn\/([0-9a-f]{64})$/.exec(url.pathname);
    if (server === 'cdn' && cdn) {
      entry.kind = 'cdn';
      entry.file = url.searchParams.get('filename') ?? undefined;
    } else if (server === 'hub' && api) {
      Object.assign(entry, { kind: 'api', repo: api[1], revision: decodeURIComponent(api[2] ?? 'main') });
    } else if (server === 'hub' && resolve) {
      const file = (resolve[3] as string).split('/').map(decodeURIComponent).join('/');
      Object.assign(entry, { kind: 'resolve', repo: resolve[1], revision: decodeURIComponent(resolve[2] as string), file });
    }
    return entry;
  }

  // The hub's answers for a repo the caller may not see, in the hub's own shape.
  private denied(repo: Repo | undefined, token: string | undefined): [number, Record<string, string>] | undefined {
    const known = [...this.repos.values()].some((r) => r.options.tokens?.includes(token ?? ''));
    if (token && !known) return [401, { 'x-error-message': 'Invalid credentials in Authorization header' }];
    const granted = token !== undefined && (repo?.options.tokens ?? []).includes(token);
    if (!repo || (repo.options.private && !granted)) {
      return [token ? 404 : 401, { 'x-error-code': 'RepoNotFound', 'x-error-message': 'Repository not found' }];
    }
    if (repo.options.gated && !granted) {
      return [token ? 403 : 401, { 'x-error-code': 'GatedRepo', 'x-error-message': 'Access to this model is restricted.' }];
    }
    return undefined;
  }

  private resolveRevision(repo: Repo, revision: string): string | undefined {
    if (repo.commits.has(revision)) return revision;
    return repo.refs.get(revision);
  }

  private handleHub(req: IncomingMessage, res: ServerResponse) {
    const entry = this.route(req, 'hub');
    const failure = this.takeFault(entry, ['status']);
    if (failure?.kind === 'status') return this.finish(res, entry, failure.status, {}, 'injected failure');
    if (entry.kind === 'other') return this.finish(res, entry, 404, {}, 'Not Found');
    const newName = this.renamed.get(entry.repo as string);
    if (newName) {
      const location = entry.url.replace(`/${entry.repo}/`, `/${newName}/`);
      return this.finish(res, entry, 307, { location }, `Temporary Redirect. Redirecting to ${location}`);
    }
    const repo = this.repos.get(entry.repo as string);
    const token = /^Bearer (.+)$/.exec(entry.authorization ?? '')?.[1];
    const denied = this.denied(repo, token);
    if (denied) return this.finish(res, entry, denied[0], denied[1], 'denied');
    const r = repo as Repo;
    const commit = this.resolveRevision(r, entry.revision as string);
    if (!commit) {
      return this.finish(res, entry, 404, { 'x-error-code': 'RevisionNotFound', 'x-error-message': 'Invalid rev id' }, 'no rev');
    }
    const tree = r.commits.get(commit) as Map<string, StoredFile>;
    if (entry.kind === 'api') {
      const body = JSON.stringify({
        _id: commit.slice(0, 24),
        id: r.id,
        modelId: r.id,
        private: r.options.private ?? false,
        gated: r.options.gated ? 'auto' : false,
        sha: commit,
        siblings: [...tree.keys()].sort().map((rfilename) => ({ rfilename })),
      });
      return this.finish(res, entry, 200, { 'content-type': 'application/json' }, body);
    }
    const file = tree.get(entry.file as string);
    const common = { 'x-repo-commit': commit, 'accept-ranges': 'bytes' };
    if (!file) {
      return this.finish(res, entry, 404, { ...common, 'x-error-code': 'EntryNotFound', 'x-error-message': 'Entry not found' });
    }
    if (file.lfs) {
      const location = `${this.cdnOrigin}/cdn/${file.sha256}?filename=${encodeURIComponent(entry.file as string)}`;
      const headers = {
        ...common,
        etag: `"${file.oid}"`,
        'x-linked-etag': `"${file.sha256}"`,
        'x-linked-size': file.bytes.length,
        location,
      };
      return this.finish(res, entry, 302, headers, `Found. Redirecting to ${location}`);
    }
    this.sendBytes(req, res, entry, file.bytes, { ...common, etag: `"${file.oid}"` });
  }

  private handleCdn(req: IncomingMessage, res: ServerResponse) {
    const entry = this.route(req, 'cdn');
    const failure = this.takeFault(entry, ['status']);
    if (failure?.kind === 'status') return this.finish(res, entry, failure.status, {}, 'injected failure');
    const sha = /^\/cdn\/([0-9a-f]{64})/.exec(entry.url)?.[1];
    const bytes = sha ? this.blobs.get(sha) : undefined;
    if (entry.kind !== 'cdn' || !bytes) return this.finish(res, entry, 404, {}, 'NoSuchKey');
    this.sendBytes(req, res, entry, bytes, { etag: `"${sha}"` });
  }

  // Serves file bytes with Range support and the body faults (cut, corrupt, ignore-range).
  private sendBytes(
    req: IncomingMessage,
    res: ServerResponse,
    entry: FakeRequest,
    bytes: Buffer,
    headers: Record<string, string>,
  ) {
    const isGet = entry.method === 'GET';
    const ignoreRange = isGet && entry.range !== undefined && this.takeFault(entry, ['ignore-range']) !== undefined;
    const range = ignoreRange ? undefined : /^bytes=(\d+)-(\d*)$/.exec(entry.range ?? '');
    let start = 0;
    let end = bytes.length;
    let status = 200;
    const out: Record<string, string | number> = { ...headers, 'content-type': 'application/octet-stream' };
    if (range) {
      start = Number(range[1]);
      end = range[2] ? Math.min(bytes.length, Number(range[2]) + 1) : bytes.length;
      if (start >= bytes.length) return this.finish(res, entry, 416, { 'content-range': `bytes */${bytes.length}` });
      status = 206;
      out['content-range'] = `bytes ${start}-${end - 1}/${bytes.length}`;
    }
    entry.status = status;
    out['content-length'] = end - start;
    res.writeHead(status, out);
    if (!isGet) {
      res.end();
      return;
    }
    let body = bytes.subarray(start, end);
    const fault = this.takeFault(entry, ['corrupt', 'cut']);
    if (fault?.kind === 'corrupt') {
      const at = (fault.offset ?? Math.floor(bytes.length / 2)) - start;
      if (at >= 0 && at < body.length) {
        body = Buffer.from(body);
        body[at] = (body[at] as number) ^ 0xff;
      }
    }
    if (fault?.kind === 'cut') {
      // Send the first bytes, then close the connection (FIN, so they all arrive) with the body unfinished.
      res.write(body.subarray(0, fault.afterBytes), () => req.socket.end());
      return;
    }
    res.end(body);
  }
}
