import { describe, expect, it } from 'vitest';
import { ServerError } from '../errors.js';
import { Batcher, planBatches } from './batcher.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Batcher', () => {
  it('groups items that arrive together, up to maxBatch, and answers each in order', async () => {
    const batches: number[][] = [];
    const b = new Batcher<number, number>(
      async (xs) => {
        batches.push(xs);
        await sleep(10);
        return xs.map((x) => x * 10);
      },
      { maxBatch: 4, maxWaitMs: 20, maxQueue: 100 },
    );
    const outs = await Promise.all([b.submit([1, 2]), b.submit([3]), b.submit([4, 5, 6]), b.submit([7])]);
    expect(outs).toEqual([[10, 20], [30], [40, 50, 60], [70]]);
    expect(batches.map((x) => x.length)).toEqual([4, 3]);
    expect(batches.flat()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('runs a lone item after maxWaitMs, and what queued during a batch right after it', async () => {
    const sizes: number[] = [];
    const b = new Batcher<number, number>(
      async (xs) => {
        sizes.push(xs.length);
        await sleep(30);
        return xs;
      },
      { maxBatch: 8, maxWaitMs: 5, maxQueue: 100 },
    );
    const first = b.submit([1]);
    await sleep(15);
    const rest = [b.submit([2]), b.submit([3])];
    await Promise.all([first, ...rest]);
    expect(sizes).toEqual([1, 2]);
  });

  it('refuses beyond maxQueue with a Retry-After, rejects a failed batch, and drains', async () => {
    let fail = true;
    const b = new Batcher<number, number>(
      async (xs) => {
        await sleep(5);
        if (fail) throw new Error('model crashed');
        return xs;
      },
      { maxBatch: 2, maxWaitMs: 1, maxQueue: 3 },
    );
    let refused: unknown;
    try {
      b.submit([1, 2, 3, 4]);
    } catch (e) {
      refused = e;
    }
    expect(refused).toBeInstanceOf(ServerError);
    expect((refused as ServerError).status).toBe(429);
    expect((refused as ServerError).retryAfter).toBeGreaterThanOrEqual(1);
    await expect(b.submit([1])).rejects.toThrow('model crashed');
    fail = false;
    const pending = b.submit([5, 6, 7]);
    await b.drained();
    expect(await pending).toEqual([5, 6, 7]);
    expect(b.depth).toBe(0);
  });
});

/** Cost of batches under planBatches' model: overhead + size × longest. */
const costOf = (batches: number[][], lengths: readonly number[], overhead: number): number =>
  batches.reduce((c, b) => c + overhead + b.length * Math.max(...b.map((i) => lengths[i] as number)), 0);

describe('planBatches', () => {
  it('cuts a mixed window into length groups, each padding to its own longest', () => {
    const lengths = [120, 10, 118, 12, 11, 125, 9, 122];
    const plan = planBatches(lengths, 8, 32);
    // Short and long apart, each batch in arrival order, the batch holding the oldest item first.
    expect(plan).toEqual([
      [0, 2, 5, 7],
      [1, 3, 4, 6],
    ]);
    expect(costOf(plan, lengths, 32)).toBeLessThan(costOf([[0, 1, 2, 3, 4, 5, 6, 7]], lengths, 32));
    // A small overhead makes even a few tokens of padding worth a batch of its own.
    expect(planBatches(lengths, 8, 4)).toEqual([
      [0, 2],
      [1, 3, 4, 6],
      [5, 7],
    ]);
  });

  it('keeps a uniform window whole (the overhead pays for nothing), and never exceeds maxBatch', () => {
    expect(planBatches([50, 50, 50, 50], 8, 4)).toEqual([[0, 1, 2, 3]]);
    expect(planBatches([30, 31, 32, 33], 8, 4)).toEqual([[0, 1, 2, 3]]);
    expect(planBatches(Array(10).fill(7), 4, 4).map((b) => b.length)).toEqual([4, 4, 2]);
    expect(planBatches([], 4, 4)).toEqual([]);
  });

  it('on random windows: every item once, ≤ maxBatch, and never dearer than first-in-first-out', () => {
    let seed = 1;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let t = 0; t < 200; t++) {
      const n = 1 + Math.floor(rand() * 80);
      const maxBatch = 1 + Math.floor(rand() * 32);
      const overhead = Math.floor(rand() * 64);
      const lengths = Array.from({ length: n }, () => 1 + Math.floor(rand() * 128));
      const plan = planBatches(lengths, maxBatch, overhead);
      expect(plan.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
      expect(plan.every((b) => b.length >= 1 && b.length <= maxBatch)).toBe(true);
      const fifo = Array.from({ length: Math.ceil(n / maxBatch) }, (_, k) =>
        lengths.map((_, i) => i).slice(k * maxBatch, (k + 1) * maxBatch),
      );
      expect(costOf(plan, lengths, overhead)).toBeLessThanOrEqual(costOf(fifo, lengths, overhead));
      // Ordered by oldest item: the round's first batch holds its oldest item.
      expect(plan[0]).toContain(0);
      const firsts = plan.map((b) => b[0] as number);
      expect(firsts).toEqual([...firsts].sort((a, b) => a - b));
    }
  });
});

describe('Batcher with lengthOf', () => {
  /** A request: its id and text; the fake model answers "<id>:<length>" so a mix-up shows. */
  interface Req {
    id: number;
    text: string;
  }
  const lengthOf = (r: Req) => r.text.length;

  it('groups what waits by length, answers each request its own, and reports every batch', async () => {
    const batches: Req[][] = [];
    const reported: number[] = [];
    const b = new Batcher<Req, string>(
      async (xs) => {
        batches.push(xs);
        await sleep(5 + Math.max(...xs.map(lengthOf)) / 10);
        return xs.map((x) => `${x.id}:${x.text.length}`);
      },
      { maxBatch: 8, maxWaitMs: 20, maxQueue: 100, lengthOf, batchOverhead: 32, onBatch: (size) => reported.push(size) },
    );
    // Mixed lengths arriving together, single and multi-item requests.
    const reqs = Array.from({ length: 16 }, (_, id) => ({ id, text: 'x'.repeat(id % 2 ? 100 + id : 5 + id) }));
    const outs = await Promise.all([
      b.submit([reqs[0] as Req, reqs[1] as Req, reqs[2] as Req]),
      ...reqs.slice(3).map((r) => b.submit([r])),
    ]);
    expect(outs.flat()).toEqual(reqs.map((r) => `${r.id}:${r.text.length}`));
    // Short ones and long ones never share a batch.
    for (const batch of batches) {
      const ls = batch.map(lengthOf);
      expect(Math.max(...ls) - Math.min(...ls)).toBeLessThan(20);
    }
    // A full queue starts a round at once: the first eight that arrived, then the next eight, each cut in two.
    expect(batches.map((x) => x.length)).toEqual([4, 4, 4, 4]);
    expect(reported).toEqual([4, 4, 4, 4]);
    expect(b.depth).toBe(0);
  });

  it('bounds waiting: a round runs what was waiting when it began, oldest first; later arrivals wait for the next', async () => {
    const batches: number[][] = [];
    let release: (() => void) | undefined;
    const b = new Batcher<Req, number>(
      async (xs) => {
        batches.push(xs.map((x) => x.id));
        if (batches.length === 1)
          await new Promise<void>((r) => {
            release = r;
          });
        else await sleep(2);
        return xs.map((x) => x.id);
      },
      { maxBatch: 2, maxWaitMs: 5, maxQueue: 100, lengthOf, batchOverhead: 8 },
    );
    const req = (id: number, len: number) => ({ id, text: 'x'.repeat(len) });
    // Round 1 (one request of four): the oldest (id 0, long) and its long partner first, then the two short ones.
    const first = [b.submit([req(0, 90), req(1, 10), req(2, 11), req(3, 95)])];
    await sleep(20);
    expect(batches).toEqual([[0, 3]]);
    expect(b.depth).toBe(2);
    // Arrive while round 1 runs: short, so they would group with 1 and 2, but must not overtake them or join them.
    const later = [b.submit([req(4, 10)]), b.submit([req(5, 10)])];
    expect(b.depth).toBe(4);
    release?.();
    await Promise.all([...first, ...later]);
    expect(batches).toEqual([
      [0, 3],
      [1, 2],
      [4, 5],
    ]);
  });

  it('counts the planned round against maxQueue, and a failed batch fails only its own requests', async () => {
    const b = new Batcher<Req, number>(
      async (xs) => {
        await sleep(5);
        if (xs.some((x) => x.text.startsWith('bad'))) throw new Error('model crashed');
        return xs.map((x) => x.id);
      },
      { maxBatch: 2, maxWaitMs: 1, maxQueue: 4, lengthOf, batchOverhead: 1 },
    );
    const short = b.submit([{ id: 1, text: 'ok' }]);
    const long = b.submit([{ id: 2, text: `bad${'x'.repeat(200)}` }]);
    const short2 = b.submit([{ id: 3, text: 'ok' }]);
    expect(b.depth).toBe(2);
    expect(() => b.submit([1, 2, 3].map((id) => ({ id, text: 'x' })))).toThrow(ServerError);
    await expect(long).rejects.toThrow('model crashed');
    expect(await Promise.all([short, short2])).toEqual([[1], [3]]);
    await b.drained();
    expect(b.depth).toBe(0);
  });
});
