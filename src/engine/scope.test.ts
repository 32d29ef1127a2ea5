// Tensor lifetime: tidy, keep, dispose and the live-tensor count.
import { describe, expect, it } from 'vitest';
import { dispose, keep, memoryStats, noGrad, ones, randn, scopeDepth, tidy, zeros } from './index.js';

const live = (): number => memoryStats().liveTensors;

describe('tidy / keep / dispose', () => {
  it('disposes every intermediate and keeps the returned tensor', () => {
    const before = live();
    const out = tidy(() => {
      const a = randn([8, 8]);
      const b = a.matmul(a).relu().sum(0);
      return b.mul(2);
    });
    expect(live()).toBe(before + 1);
    expect(out.shape).toEqual([8]);
    out.dispose();
    expect(live()).toBe(before);
  });

  it('keeps tensors returned inside arrays and objects, and nested scopes hand results outward', () => {
    const before = live();
    const { a, list } = tidy(() => {
      const inner = tidy(() => [ones([2]), zeros([2]).add(1)]);
      return { a: inner[0]!.add(1), list: inner };
    });
    expect(live()).toBe(before + 3);
    dispose(a, list);
    expect(live()).toBe(before);
    expect(scopeDepth()).toBe(0);
  });

  it('keep() protects a tensor from every enclosing scope', () => {
    let kept = zeros([1]);
    tidy(() => {
      kept = keep(ones([3]));
      tidy(() => kept.add(1));
    });
    expect(kept.isDisposed).toBe(false);
    kept.dispose();
  });

  it('refuses async functions instead of silently leaking', () => {
    expect(() => tidy(async () => ones([1]))).toThrow(/synchronous/);
  });

  it('using-declarations dispose at block end', () => {
    const before = live();
    {
      using t = ones([4]);
      expect(t.numel).toBe(4);
      expect(live()).toBe(before + 1);
    }
    expect(live()).toBe(before);
  });

  it('noGrad switches recording off and restores it (also for async functions)', async () => {
    const w = ones([2]).requiresGrad_();
    const y = noGrad(() => w.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(w.mul(2).requiresGrad).toBe(true);
    const z = await noGrad(async () => w.mul(3));
    expect(z.requiresGrad).toBe(false);
    expect(w.mul(2).requiresGrad).toBe(true);
  });
});

describe('finaliser safety net', () => {
  it('a tensor dropped without dispose() is released after garbage collection', async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc, 'tests run with --expose-gc (vitest.config.ts)').toBeDefined();
    const settle = async (): Promise<void> => {
      for (let i = 0; i < 3; i++) {
        gc?.();
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    await settle(); // earlier tests in this file dropped tensors on purpose
    const before = live();
    (() => {
      ones([1000]);
    })();
    expect(live()).toBe(before + 1);
    await settle();
    expect(live()).toBe(before);
  });
});
