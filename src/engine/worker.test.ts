// EngineWorker keeps the event loop free while the engine computes on another thread.
import { afterAll, describe, expect, it } from 'vitest';
import type * as Handlers from './__fixtures__/worker-handlers.js';
import { EngineWorker, isEngineError } from './index.js';

const worker = EngineWorker.start<typeof Handlers>(new URL('./__fixtures__/worker-handlers.ts', import.meta.url), { threads: 1 });
afterAll(() => worker.terminate());

describe('EngineWorker', () => {
  it('returns results and moves typed arrays across threads', async () => {
    const out = await worker.call('double', new Float32Array([1, 2, 3]));
    expect(Array.from(out)).toEqual([2, 4, 6]);
  });

  it('the main event loop keeps ticking while the worker computes', async () => {
    let ticks = 0;
    let maxGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      ticks++;
    }, 5);
    const started = performance.now();
    const checksum = await worker.call('busyMatmul', 40, 384);
    const elapsed = performance.now() - started;
    clearInterval(timer);
    expect(Number.isFinite(checksum)).toBe(true);
    // The computation takes long enough to matter; the loop must have run throughout it.
    expect(elapsed).toBeGreaterThan(50);
    expect(ticks).toBeGreaterThan(elapsed / 5 / 4);
    expect(maxGap).toBeLessThan(Math.max(100, elapsed / 2));
  });

  it('engine errors cross the thread boundary with their fields', async () => {
    const err = await worker.call('badMatmul').catch((e: unknown) => e);
    expect(isEngineError(err)).toBe(true);
    expect(err).toMatchObject({ code: 'ENGINE_SHAPE', op: 'matmul' });
  });

  it('unknown methods fail clearly', async () => {
    await expect(worker.call('nope' as 'double', new Float32Array())).rejects.toThrow(/exports no function 'nope'/);
  });
});
