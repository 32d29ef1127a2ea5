// One model version the server answers with: its classifier on a worker thread behind a dynamic batcher, and
// the identity every answer carries (name, version, prompt version).
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promptHash } from '../../core/prompts/index.js';
import { CLASSIFIER_FILE, type ClassifierMeta, type Prediction, inputTokenCounter } from '../../core/train/index.js';
import { EngineWorker, siblingModule } from '../../engine/index.js';
import { Batcher, type BatcherOptions } from '../batching/batcher.js';

type WorkerApi = typeof import('./classifier-worker.js');

/** Who answered: the served name, the model version (its run id, else a content hash) and the prompt version. */
export interface ModelIdentity {
  name: string;
  version: string;
  /** The prompt version's content hash (prompt-based models), else null. */
  prompt: string | null;
}

/** How a model is served. */
export interface ServedModelOptions extends Omit<BatcherOptions, 'onBatch' | 'lengthOf'> {
  /** Intra-op threads for the model's worker. */
  threads?: number;
  /**
   * Group waiting inputs by token length so each batch pads to its own longest (default true; false: first in,
   * first out). Lengths come from the model's tokenizer on the main thread.
   */
  groupByLength?: boolean;
  onBatch?: (model: string, size: number, seconds: number) => void;
}

/** A loaded model version: submit inputs, get predictions; close() finishes queued work first. */
export class ServedModel {
  readonly identity: ModelIdentity;
  readonly meta: ClassifierMeta;
  readonly #worker: EngineWorker<WorkerApi>;
  readonly #batcher: Batcher<Record<string, string>, Prediction>;

  private constructor(
    readonly dir: string,
    meta: ClassifierMeta,
    identity: ModelIdentity,
    worker: EngineWorker<WorkerApi>,
    opts: ServedModelOptions,
  ) {
    this.meta = meta;
    this.identity = identity;
    this.#worker = worker;
    const { groupByLength = true, onBatch, ...batching } = opts;
    // Lengths on this thread, not the worker's: the worker is busy with the running batch, and a length asked of
    // it would wait behind that batch. The tokenizer alone is small and fast, and the worker tokenizes again for
    // real, so a length only steers grouping, never what an input is predicted from.
    const lengthOf = groupByLength ? inputTokenCounter(dir, meta) : undefined;
    this.#batcher = new Batcher<Record<string, string>, Prediction>((items) => worker.call('predict', items), {
      ...batching,
      ...(lengthOf ? { lengthOf } : {}),
      onBatch: (size, seconds) => onBatch?.(identity.name, size, seconds),
    });
  }

  /** Starts a worker, loads the classifier in `dir` there and serves it as `name`. */
  static async load(name: string, dir: string, opts: ServedModelOptions): Promise<ServedModel> {
    const worker = EngineWorker.start<WorkerApi>(siblingModule(import.meta.url, 'classifier-worker'), {
      ...(opts.threads ? { threads: opts.threads } : {}),
    });
    try {
      const meta = await worker.call('load', dir);
      const identity: ModelIdentity = {
        name,
        version: modelVersionOf(dir, meta),
        prompt: meta.prompt ? promptHash(meta.prompt) : null,
      };
      return new ServedModel(dir, meta, identity, worker, opts);
    } catch (e) {
      await worker.terminate();
      throw e;
    }
  }

  /** Items waiting for a batch. */
  get queueDepth(): number {
    return this.#batcher.depth;
  }

  /** Predictions for inputs (batched with other requests' inputs). */
  predict(inputs: readonly Record<string, string>[]): Promise<Prediction[]> {
    return this.#batcher.submit(inputs);
  }

  /** Finishes queued and running batches, then stops the worker. */
  async close(): Promise<void> {
    await this.#batcher.drained();
    await this.#worker.call('unload').catch(() => undefined);
    await this.#worker.terminate();
  }
}

/** A model's version: its run id, else (a directory without one) a hash of its metadata and weights file's size and time. */
export function modelVersionOf(dir: string, meta: Pick<ClassifierMeta, 'runId'>): string {
  if (meta.runId) return meta.runId;
  const h = createHash('sha256').update(readFileSync(join(dir, CLASSIFIER_FILE)));
  for (const f of ['model.safetensors', 'adapter_model.safetensors']) {
    try {
      const s = statSync(join(dir, f));
      h.update(`${f}:${s.size}:${s.mtimeMs}`);
    } catch {
      // absent: not part of this model's identity
    }
  }
  return `sha-${h.digest('hex').slice(0, 12)}`;
}
