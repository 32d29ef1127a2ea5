// Runs engine work on a worker thread so the main event loop stays responsive (servers, progress bars).
// The worker loads its own copy of the addon; only plain data and typed arrays cross between threads.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

// `never[]` parameters accept every function signature; call() recovers the real ones through Parameters<>.
type Handlers = Record<string, (...args: never[]) => unknown>;

interface Reply {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: { name: string; message: string; code?: string; op?: string; inputs?: string[] };
}

/** Options for EngineWorker.start. */
export interface EngineWorkerOptions {
  /** Intra-op threads inside the worker (defaults to the engine default). */
  threads?: number;
}

/**
 * The URL of the module `name` beside the module at `base`: `name.ts` in a source checkout (run through tsx),
 * `name.js` in the compiled package, whichever kind `base` itself is.
 */
export function siblingModule(base: string, name: string): URL {
  return new URL(`./${name}${base.endsWith('.ts') ? '.ts' : '.js'}`, base);
}

/**
 * A worker thread that imports `moduleUrl` and answers calls to the functions it exports.
 * Calls run one at a time, in order. Arguments are structured-cloned (copied, so the caller keeps its arrays);
 * typed arrays in results are transferred back without a copy.
 */
export class EngineWorker<API extends Handlers> {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #next = 0;
  #exited: Error | undefined;

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.on('message', (r: Reply) => this.#settle(r));
    worker.on('error', (e) => this.#failAll(e));
    worker.on('exit', (code) => this.#failAll(new Error(`engine worker exited with code ${code}`)));
  }

  /** Starts a worker that serves the exports of the module at moduleUrl. */
  static start<API extends Handlers>(moduleUrl: string | URL, opts: EngineWorkerOptions = {}): EngineWorker<API> {
    const entry = siblingModule(import.meta.url, 'worker-entry');
    const env = { ...process.env, ...(opts.threads ? { PROMPTUNE_THREADS: String(opts.threads) } : {}) };
    const workerData = { moduleUrl: String(moduleUrl) };
    // Source checkouts run TypeScript directly: register tsx's loader inside the worker first.
    // A compiled build (.js entry) starts the entry as is.
    const worker = fileURLToPath(entry).endsWith('.ts')
      ? new Worker(
          `import(${JSON.stringify(tsxApi())}).then((m) => m.register()).then(() => import(${JSON.stringify(entry.href)}));`,
          {
            eval: true,
            workerData,
            env,
          },
        )
      : new Worker(entry, { workerData, env });
    return new EngineWorker<API>(worker);
  }

  /** Calls an exported function in the worker. */
  call<K extends keyof API & string>(method: K, ...args: Parameters<API[K]>): Promise<Awaited<ReturnType<API[K]>>> {
    if (this.#exited) return Promise.reject(this.#exited);
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#worker.postMessage({ id, method, args });
    });
  }

  /** Stops the worker; pending calls fail. */
  async terminate(): Promise<void> {
    await this.#worker.terminate();
  }

  #settle(r: Reply): void {
    const p = this.#pending.get(r.id);
    if (!p) return;
    this.#pending.delete(r.id);
    if (r.ok) {
      p.resolve(r.value);
      return;
    }
    const e = new Error(r.error?.message ?? 'engine worker call failed');
    Object.assign(e, r.error);
    p.reject(e);
  }

  #failAll(e: Error): void {
    this.#exited = e;
    for (const p of this.#pending.values()) p.reject(e);
    this.#pending.clear();
  }
}

function tsxApi(): string {
  // Resolved from this file, not from the process cwd, so workers start from any working directory.
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports: Record<string, { import: string | { default: string } }> };
  const target = pkg.exports['./esm/api']?.import;
  const rel = typeof target === 'string' ? target : target?.default;
  if (!rel) throw new Error('EngineWorker: the installed tsx has no ./esm/api export; run `npm install`');
  return pathToFileURL(join(dirname(pkgPath), rel)).href;
}
