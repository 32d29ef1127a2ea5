// Dynamic batching: requests that arrive close together share one forward pass. Items queue until a batch is
// full or the oldest has waited maxWaitMs; one batch runs at a time per model (the model's worker is single
// threaded), and the queue is bounded so a saturated server says "retry later" instead of growing without end.
//
// Length-aware batching (lengthOf): a batch is padded to its longest item, so one long review in a batch of short
// ones makes every row pay for the long one. When the batcher knows each item's length, whatever is waiting when a
// batch is due becomes a *round*: its items sorted by length and cut into batches (at most maxBatch each) so that
// padded length plus a per-batch overhead is least (planBatches). The round's batches run one after another, the
// one holding the oldest item first; what arrives meanwhile waits for the next round, so nothing overtakes an
// item that was already waiting, and by the cost model a round takes no longer than the same items run first in,
// first out.
import { ServerError } from '../errors.js';

/** How a Batcher groups work. */
export interface BatcherOptions<I = unknown> {
  /** Most items in one forward pass. */
  maxBatch: number;
  /** Longest an item waits for company before its batch runs anyway. */
  maxWaitMs: number;
  /** Most items waiting (not counting the batch running); more is refused with 429 SATURATED. */
  maxQueue: number;
  /** Called after each batch with its size and seconds (metrics). */
  onBatch?: (size: number, seconds: number) => void;
  /**
   * The length an item pads to (tokens, for a model): given, waiting items are grouped by length so each batch
   * pads to its own longest. Without it, batches are cut first in, first out.
   */
  lengthOf?: (item: I) => number;
  /**
   * What one more batch costs, in lengthOf's units (padded tokens): the fixed price of a forward pass that keeps
   * the planner from cutting a round into tiny batches. Default 32.
   */
  batchOverhead?: number;
}

interface Pending<I, O> {
  item: I;
  length: number;
  resolve: (o: O) => void;
  reject: (e: unknown) => void;
}

/**
 * Cuts items of the given lengths into batches of at most maxBatch that cost least, where a batch costs
 * `overhead + size × its longest length`: sorts by length, then splits the sorted run optimally (dynamic
 * programming over cut points). Returns the batches as indices into `lengths`, each in arrival (index) order, the
 * batches ordered by their oldest (lowest) index.
 */
export function planBatches(lengths: readonly number[], maxBatch: number, overhead: number): number[][] {
  const n = lengths.length;
  if (!n) return [];
  const order = lengths.map((_, i) => i).sort((a, b) => (lengths[a] as number) - (lengths[b] as number) || a - b);
  const len = (k: number): number => lengths[order[k] as number] as number;
  // best[j]: least cost of the j shortest items; count[j]: its number of batches; cut[j]: where its last batch starts.
  const best = new Float64Array(n + 1);
  const count = new Int32Array(n + 1);
  const cut = new Int32Array(n + 1);
  for (let j = 1; j <= n; j++) {
    best[j] = Number.POSITIVE_INFINITY;
    for (let i = Math.max(0, j - maxBatch); i < j; i++) {
      const c = (best[i] as number) + overhead + (j - i) * len(j - 1);
      const k = (count[i] as number) + 1;
      // Ties go to fewer batches, then to the later cut: the batch of the longest items is the small one.
      if (c < (best[j] as number) || (c === best[j] && k <= (count[j] as number))) {
        best[j] = c;
        count[j] = k;
        cut[j] = i;
      }
    }
  }
  const batches: number[][] = [];
  for (let j = n; j > 0; j = cut[j] as number) batches.push(order.slice(cut[j], j).sort((a, b) => a - b));
  return batches.sort((a, b) => (a[0] as number) - (b[0] as number));
}

/** Groups submitted items into batches for `run`, which must answer one output per input, in order. */
export class Batcher<I, O> {
  /** Waiting, not yet planned into a round (arrival order). */
  readonly #queue: Pending<I, O>[] = [];
  /** The current round's batches still to run. */
  readonly #round: Pending<I, O>[][] = [];
  #running = false;
  #timer: NodeJS.Timeout | undefined;
  // Seconds per batch, smoothed: turns queue depth into a Retry-After estimate.
  #batchSeconds = 0.05;
  readonly #idle: (() => void)[] = [];

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly opts: BatcherOptions<I>,
  ) {}

  /** Items waiting, not counting the batch running. */
  get depth(): number {
    return this.#queue.length + this.#round.reduce((n, b) => n + b.length, 0);
  }

  /** Queues items and resolves to their outputs, in order; SATURATED when the queue cannot take them all. */
  submit(items: readonly I[]): Promise<O[]> {
    const depth = this.depth;
    if (depth + items.length > this.opts.maxQueue) {
      const batchesAhead = Math.ceil((depth + items.length) / this.opts.maxBatch) + 1;
      throw new ServerError(
        429,
        'SATURATED',
        `the model's queue is full (${depth} waiting, limit ${this.opts.maxQueue}): retry after the Retry-After seconds, or send smaller batches.`,
        Math.max(1, Math.ceil(batchesAhead * this.#batchSeconds)),
      );
    }
    const lengthOf = this.opts.lengthOf;
    // Lengths first: a throwing lengthOf refuses the whole request before any of it is queued.
    const lengths = items.map((item) => (lengthOf ? lengthOf(item) : 0));
    const out = Promise.all(
      items.map(
        (item, i) =>
          new Promise<O>((resolve, reject) => this.#queue.push({ item, length: lengths[i] as number, resolve, reject })),
      ),
    );
    this.#schedule();
    return out;
  }

  /** Resolves when nothing is queued or running (graceful shutdown). */
  drained(): Promise<void> {
    if (!this.#running && !this.depth) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #schedule(): void {
    if (this.#running || !this.depth) return;
    if (this.#round.length || this.#queue.length >= this.opts.maxBatch) {
      this.#start();
      return;
    }
    this.#timer ??= setTimeout(() => this.#start(), this.opts.maxWaitMs);
  }

  /** The next batch: the current round's next, else a new round from what is waiting. */
  #next(): Pending<I, O>[] | undefined {
    if (!this.#round.length && this.#queue.length) {
      if (this.opts.lengthOf) {
        const waiting = this.#queue.splice(0);
        const plan = planBatches(
          waiting.map((p) => p.length),
          this.opts.maxBatch,
          this.opts.batchOverhead ?? 32,
        );
        this.#round.push(...plan.map((b) => b.map((i) => waiting[i] as Pending<I, O>)));
      } else this.#round.push(this.#queue.splice(0, this.opts.maxBatch));
    }
    return this.#round.shift();
  }

  #start(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#running) return;
    const batch = this.#next();
    if (!batch) return;
    this.#running = true;
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
        // The round's next batch, or what queued during this batch: it has already waited at least one batch.
        if (this.depth) this.#start();
        else for (const f of this.#idle.splice(0)) f();
      });
  }
}
