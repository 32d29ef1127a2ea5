import { describe, expect, it } from 'vitest';
import { AdamW, SGD, getRngState, manualSeed, memoryStats, rand, randn, setRngState, tidy } from '../index.js';
import type { Optimizer, Tensor } from '../index.js';

// A quadratic loss whose gradients depend on the weights, so momentum state matters for the next step.
function stepOnce(opt: Optimizer, w: Tensor, target: Tensor): void {
  tidy(() => w.sub(target).mul(w.sub(target)).sum().backward());
  opt.step();
  opt.zeroGrad();
}

describe('optimizer state for checkpoints', () => {
  for (const make of [
    (p: Tensor[]) => new AdamW(p, { lr: 0.05, weightDecay: 0.1 }),
    (p: Tensor[]) => new AdamW(p, { lr: 0.05, amsgrad: true }),
    (p: Tensor[]) => new SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true }),
  ]) {
    it(`a restored ${make([]).constructor.name} continues exactly like the original`, () => {
      manualSeed(1);
      const target = randn([4, 3]);
      const a = randn([4, 3]).requiresGrad_();
      const optA = make([a]);
      for (let i = 0; i < 3; i++) stepOnce(optA, a, target);
      const saved = optA.state();
      expect(saved).toHaveLength(1);

      const b = a.detach().clone().requiresGrad_();
      const optB = make([b]);
      optB.loadState(saved);
      for (const e of saved) for (const t of e?.tensors ?? []) t.dispose();
      for (let i = 0; i < 3; i++) {
        stepOnce(optA, a, target);
        stepOnce(optB, b, target);
      }
      expect(b.tolist()).toEqual(a.tolist());
      // Without the state the continuation differs (the test can fail).
      const c = b.detach().clone().requiresGrad_();
      const fresh = make([c]);
      const d = b.detach().clone().requiresGrad_();
      const optD = make([d]);
      optD.loadState(optB.state());
      stepOnce(fresh, c, target);
      stepOnce(optD, d, target);
      expect(c.tolist()).not.toEqual(d.tolist());
      for (const o of [optA, optB, fresh, optD]) o.dispose();
    });
  }

  it('reports null before the first step and refuses a state of the wrong shape', () => {
    const w = randn([2]).requiresGrad_();
    const opt = new AdamW([w]);
    expect(opt.state()).toEqual([null]);
    const other = randn([3]).requiresGrad_();
    const o2 = new AdamW([other]);
    stepOnce(o2, other, randn([3]));
    expect(() => opt.loadState(o2.state())).toThrow(/shape/);
    expect(() => opt.loadState([])).toThrow(/0 entries but the optimizer has 1/);
  });
});

describe('random generator state', () => {
  it('restoring the state repeats the draws that followed it', () => {
    manualSeed(5);
    rand([3]).dispose();
    const live = memoryStats().liveTensors;
    const state = getRngState();
    const draw = (): unknown => tidy(() => rand([6]).tolist());
    const first = draw();
    const again = draw();
    setRngState(state);
    expect(draw()).toEqual(first);
    expect(draw()).toEqual(again);
    expect(first).not.toEqual(again);
    state.dispose();
    expect(memoryStats().liveTensors).toBe(live);
  });
});
