import { describe, expect, it } from 'vitest';
import { ServerError } from '../errors.js';
import { Batcher } from './batcher.js';

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
