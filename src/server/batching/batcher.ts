// Dynamic batching: requests that arrive close together share one forward pass. Items queue until a batch is
// full or the oldest has waited maxWaitMs; one batch runs at a time per model (the model's worker is single
// threaded), and the queue is bounded so a saturated server says "retry later" instead of growing without end.
import { ServerError } from '../errors.js';

/** How a Batcher groups work. */
export interface BatcherOptions {
  /** Most items in one forward pass. */
  maxBatch: number;
  /** Longest an item waits for company before its batch runs anyway. */
  maxWaitMs: number;
  /** Most items waiting (not counting the batch running); more is refused with 429 SATURATED. */
  maxQueue: number;
  /** Called after each batch with its size and seconds (metrics). */
  onBatch?: (size: number, seconds: number) => void;
}

interface Pending<I, O> {
  item: I;
  resolve: (o: O) => void;
  reject: (e: unknown) => void;
}

/** Groups submitted items into batches for `run`, which must answer one output per input, in order. */
export class Batcher<I, O> {
  readonly #queue: Pending<I, O>[] = [];
  #running = false;
  #timer: NodeJS.Timeout | undefined;
  // Seconds per batch, smoothed: turns queue depth into a Retry-After estimate.
  #batchSeconds = 0.05;
  readonly #idle: (() => void)[] = [];

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly opts: BatcherOptions,
  ) {}

  /** Items waiting, not counting the batch running. */
  get depth(): number {
    return this.#queue.length;
  }

  /** Queues items and resolves to their outputs, in order; SATURATED when the queue cannot take them all. */
  submit(items: readonly I[]): Promise<O[]> {
    if (this.#queue.length + items.length > this.opts.maxQueue) {
      const batchesAhead = Math.ceil((this.#queue.length + items.length) / this.opts.maxBatch) + 1;
      throw new ServerError(
        429,
        'SATURATED',
        `the model's queue is full (${this.#queue.length} waiting, limit ${this.opts.maxQueue}): retry after the Retry-After seconds, or send smaller batches.`,
        Math.max(1, Math.ceil(batchesAhead * this.#batchSeconds)),
      );
    }
    const out = Promise.all(
      items.map((item) => new Promise<O>((resolve, reject) => this.#queue.push({ item, resolve, reject }))),
    );
    this.#schedule();
    return out;
  }

  /** Resolves when nothing is queued or running (graceful shutdown). */
  drained(): Promise<void> {
    if (!this.#running && !this.#queue.length) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #schedule(): void {
    if (this.#running || !this.#queue.length) return;
    if (this.#queue.length >= this.opts.maxBatch) {
      this.#start();
      return;
    }
    this.#timer ??= setTimeout(() => this.#start(), this.opts.maxWaitMs);
  }

  #start(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#running || !this.#queue.length) return;
    this.#running = true;
    const batch = this.#queue.splice(0, this.opts.maxBatch);
    const t0 = performance.now();
    this.run(batch.map((p) => p.item))
      .then((outs) => {
        if (outs.length !== batch.length) throw new Error(`batch of ${batch.length} answered ${outs.length} outputs`);
        batch.forEach((p, i) => p.resolve(outs[i] as O));
      })
      .catch((e: unknown) => {
        for (const p of batch) p.reject(e);
      })
      .finally(() => {
        const seconds = (performance.now() - t0) / 1000;
        this.#batchSeconds = 0.8 * this.#batchSeconds + 0.2 * seconds;
        this.opts.onBatch?.(batch.length, seconds);
        this.#running = false;
        // What queued during this batch runs now: it has already waited at least one batch.
        if (this.#queue.length) this.#start();
        else for (const f of this.#idle.splice(0)) f();
      });
  }
}
