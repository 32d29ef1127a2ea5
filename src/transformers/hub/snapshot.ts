// From a model reference to a local directory: local paths as they are, hub repos by listing the revision
// and fetching the files a model needs into the shared cache, or from the cache alone when offline.
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { z } from 'zod';
import { HubRepoCache } from './cache.js';
import { fetchHubFile } from './download.js';
import { HubError, hubErrorFromResponse, hubNetworkError, isTransientHubError } from './errors.js';
import {
  type HubClientOptions,
  type HubSettings,
  describeSocketError,
  hubSettings,
  readBody,
  sendFollowingRelative,
  withRetries,
} from './http.js';
import { type ModelRef, parseModelRef, repoIdProblem } from './model-ref.js';

/** Files fetched by default when present: configuration, tokenizer files and PEFT adapters (weights come separately). */
export const HUB_DEFAULT_FILES: readonly string[] = [
  'config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'added_tokens.json',
  'vocab.txt',
  'vocab.json',
  'merges.txt',
  'sentencepiece.bpe.model',
  'spiece.model',
  'tokenizer.model',
  'adapter_config.json',
  'adapter_model.safetensors',
];

const SAFETENSORS = 'model.safetensors';
const SAFETENSORS_INDEX = 'model.safetensors.index.json';

/** Options of resolveModel(). */
export interface ResolveModelOptions extends HubClientOptions {
  /** Fetch exactly these files (each must exist) instead of the default set. */
  files?: string[];
  /** Also fetch every file matching one of these globs (`*` and `?`, as fnmatch); replaces the default set. */
  allowPatterns?: string[];
  /** Base for relative local paths (default process.cwd()). */
  cwd?: string;
}

/** Where a model's files are on disk, and how they got there. */
export interface ResolvedModel {
  /** The directory holding config.json, tokenizer and weights. */
  dir: string;
  /** 'local' for paths, 'hub' when the hub was asked, 'cache' when only the cache was used. */
  source: 'local' | 'hub' | 'cache';
  ref: ModelRef;
  /** The commit of a hub snapshot. */
  commit?: string;
  /** Repo-relative files present in the snapshot (hub refs only). */
  files?: string[];
  /** The file a local file reference named (e.g. a .safetensors file). */
  file?: string;
}

/** A repo revision as the hub lists it. */
export interface HubRepoListing {
  sha: string;
  files: string[];
}

const listingSchema = z.object({
  sha: z.string().regex(/^[0-9a-f]{40}$/),
  siblings: z.array(z.object({ rfilename: z.string() })),
});

/** Lists a revision: `GET {endpoint}/api/models/{repo}/revision/{revision}` → commit sha and file names. */
export async function listHubRepo(s: HubSettings, repo: string, revision: string): Promise<HubRepoListing> {
  const url = `${s.endpoint}/api/models/${repo}/revision/${encodeURIComponent(revision)}`;
  const target = { endpoint: s.endpoint, repo, revision, url };
  return withRetries(s, async () => {
    const { res, headers } = await sendFollowingRelative(s, target, 'GET', { accept: 'application/json' }, s.timeoutMs ?? 10_000);
    let body: Buffer;
    try {
      body = await readBody(res);
    } catch (e) {
      throw hubNetworkError(target, describeSocketError(e), s.cacheDir, e);
    }
    const status = res.statusCode ?? 0;
    if (status >= 400) throw hubErrorFromResponse(status, res.headers, { ...target, tokenSent: 'authorization' in headers });
    let parsed: z.infer<typeof listingSchema>;
    try {
      parsed = listingSchema.parse(JSON.parse(body.toString('utf8')));
    } catch (e) {
      throw new HubError(
        'HUB_BAD_RESPONSE',
        `${url} did not answer with a repo listing ({ sha, siblings: [{ rfilename }] }): ${s.endpoint} does not behave like a Hugging Face hub; check HF_ENDPOINT.`,
        { repo, revision, url, status, cause: e },
      );
    }
    return { sha: parsed.sha, files: parsed.siblings.map((f) => f.rfilename) };
  });
}

// fnmatch as huggingface_hub's allow_patterns use it: `*` also crosses "/", a trailing "/" means the folder.
function globToRegExp(glob: string): RegExp {
  const g = glob.endsWith('/') ? `${glob}*` : glob;
  const body = g
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

function selectFiles(
  s: HubSettings,
  ref: { repo: string; revision: string },
  all: string[],
  opts: ResolveModelOptions,
): string[] {
  const present = new Set(all);
  if (opts.files || opts.allowPatterns) {
    for (const f of opts.files ?? []) {
      if (!present.has(f)) {
        throw new HubError(
          'HUB_FILE_NOT_FOUND',
          `${ref.repo}@${ref.revision} has no file ${f}: it has ${all.slice(0, 20).join(', ')}${all.length > 20 ? ', …' : ''}.`,
          { repo: ref.repo, revision: ref.revision, file: f },
        );
      }
    }
    const patterns = (opts.allowPatterns ?? []).map(globToRegExp);
    return [...new Set([...(opts.files ?? []), ...all.filter((f) => patterns.some((p) => p.test(f)))])];
  }
  const picked = HUB_DEFAULT_FILES.filter((f) => present.has(f));
  if (present.has(SAFETENSORS)) picked.push(SAFETENSORS);
  else if (present.has(SAFETENSORS_INDEX)) picked.push(SAFETENSORS_INDEX);
  else if (!present.has('adapter_model.safetensors')) {
    const others = all.filter((f) => /\.(bin|h5|msgpack|onnx|ckpt|pt)$/.test(f));
    if (others.length) {
      s.onWarning(
        `${ref.repo}@${ref.revision} has no safetensors weights (only ${others.slice(0, 3).join(', ')}): Promptune reads safetensors only; convert in Python with model.save_pretrained(dir, safe_serialization=True).`,
      );
    }
  }
  return picked;
}

const indexSchema = z.object({ weight_map: z.record(z.string(), z.string()) });

// The shards a safetensors index names, as repo paths (shards sit beside the index).
function shardsOf(indexPath: string, indexFile: string, repo: string): string[] {
  let index: z.infer<typeof indexSchema>;
  try {
    index = indexSchema.parse(JSON.parse(readFileSync(indexPath, 'utf8')));
  } catch (e) {
    throw new HubError(
      'HUB_BAD_RESPONSE',
      `${indexFile} of ${repo} is not a safetensors index ({ "weight_map": { tensor: shard } }): the repo is broken; report it to its owner.`,
      { repo, file: indexFile, cause: e },
    );
  }
  const folder = posix.dirname(indexFile);
  return [...new Set(Object.values(index.weight_map))].map((f) => (folder === '.' ? f : `${folder}/${f}`));
}

function snapshotFiles(dir: string): string[] {
  // existsSync follows symlinks: a pointer whose blob is gone is not a file of the snapshot.
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => existsSync(join(dir, f)) && statSync(join(dir, f)).isFile())
    .sort();
}

// A cached snapshot is usable if it holds what was asked for, or by default a config and every listed shard.
function fromCache(s: HubSettings, ref: Extract<ModelRef, { kind: 'hub' }>, opts: ResolveModelOptions): ResolvedModel {
  const cache = new HubRepoCache(s.cacheDir, ref.repo);
  const snap = cache.snapshotFor(ref.revision);
  const miss = (what: string) =>
    new HubError(
      'HUB_OFFLINE_MISS',
      `${ref.repo}@${ref.revision} is not fully in the cache at ${s.cacheDir} (${what}) and the hub cannot be used (offline mode or no connection): run once online to download it, point HF_HUB_CACHE at a cache that has it, or use a local directory.`,
      { repo: ref.repo, revision: ref.revision },
    );
  if (!snap) throw miss('no snapshot for this revision');
  const files = snapshotFiles(snap.dir);
  const have = new Set(files);
  let needed = opts.files ?? [];
  if (!opts.files && !opts.allowPatterns) {
    if (!have.has('config.json') && !have.has('adapter_config.json')) throw miss('no config.json');
    if (have.has(SAFETENSORS_INDEX)) needed = shardsOf(join(snap.dir, SAFETENSORS_INDEX), SAFETENSORS_INDEX, ref.repo);
  }
  const absent = needed.filter((f) => !have.has(f));
  if (absent.length) throw miss(`missing ${absent.join(', ')}`);
  return { dir: snap.dir, source: 'cache', ref, commit: snap.commit, files };
}

function resolveLocal(ref: Extract<ModelRef, { kind: 'local' }>): ResolvedModel {
  if (!existsSync(ref.path)) {
    const hint = repoIdProblem(ref.input)
      ? 'Check the path, or write hf:org/name to download a model from the Hugging Face hub.'
      : `To download it from the Hugging Face hub, write hf:${ref.input}.`;
    throw new HubError(
      'HUB_LOCAL_NOT_FOUND',
      `Model path ${JSON.stringify(ref.input)} does not exist (looked at ${ref.path}). ${hint}`,
    );
  }
  if (statSync(ref.path).isDirectory()) return { dir: ref.path, source: 'local', ref };
  return { dir: dirname(ref.path), source: 'local', ref, file: ref.path };
}

/** Resolves a model reference (`hf:org/name@rev`, a directory or a file) to the local directory holding its files. */
export async function resolveModel(input: string | ModelRef, opts: ResolveModelOptions = {}): Promise<ResolvedModel> {
  const ref = typeof input === 'string' ? parseModelRef(input, opts.cwd) : input;
  if (ref.kind === 'local') return resolveLocal(ref);
  const s = hubSettings(opts);
  if (s.offline) return fromCache(s, ref, opts);
  let listing: HubRepoListing;
  try {
    listing = await listHubRepo(s, ref.repo, ref.revision);
  } catch (e) {
    if (!isTransientHubError(e)) throw e;
    let cached: ResolvedModel;
    try {
      cached = fromCache(s, ref, opts);
    } catch {
      throw new HubError(e.code, `${e.message} The cache has no usable copy of ${ref.repo}@${ref.revision} either.`, {
        repo: ref.repo,
        revision: ref.revision,
        url: e.url,
        status: e.status,
        cause: e,
      });
    }
    s.onWarning(`${e.message} Using the cached snapshot ${cached.commit} of ${ref.repo}@${ref.revision} instead.`);
    return cached;
  }
  const cache = new HubRepoCache(s.cacheDir, ref.repo);
  cache.writeRef(ref.revision, listing.sha);
  const wanted = selectFiles(s, ref, listing.files, opts);
  for (let i = 0; i < wanted.length; i++) {
    const file = wanted[i] as string;
    const got = await fetchHubFile(s, ref.repo, listing.sha, file);
    if (file.endsWith(SAFETENSORS_INDEX)) {
      for (const shard of shardsOf(got.path, file, ref.repo)) {
        if (!listing.files.includes(shard)) {
          throw new HubError(
            'HUB_FILE_NOT_FOUND',
            `${file} of ${ref.repo}@${listing.sha} names the shard ${shard}, which the repo does not have: the repo is broken; report it to its owner.`,
            { repo: ref.repo, revision: listing.sha, file: shard },
          );
        }
        if (!wanted.includes(shard)) wanted.push(shard);
      }
    }
  }
  const dir = cache.snapshot(listing.sha);
  mkdirSync(dir, { recursive: true });
  return { dir, source: 'hub', ref, commit: listing.sha, files: snapshotFiles(dir) };
}
