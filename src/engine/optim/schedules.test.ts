// Learning-rate schedules follow transformers' get_linear/cosine_schedule_with_warmup.
import { describe, expect, it } from 'vitest';
import { AdamW, LrScheduler, constantWithWarmup, cosineWithWarmup, linearWithWarmup, ones } from '../index.js';

describe('schedules', () => {
  it('linear: ramps up over warm-up, then decays to zero at the last step', () => {
    const s = linearWithWarmup(10, 110);
    expect([0, 5, 10, 60, 110, 200].map(s)).toEqual([0, 0.5, 1, 0.5, 0, 0]);
  });

  it('cosine: half a cosine after warm-up', () => {
    const s = cosineWithWarmup(0, 100);
    expect(s(0)).toBeCloseTo(1, 12);
    expect(s(50)).toBeCloseTo(0.5, 12);
    expect(s(100)).toBeCloseTo(0, 12);
    expect(s(25)).toBeCloseTo(0.5 * (1 + Math.cos(Math.PI / 4)), 12);
  });

  it('constant with warm-up', () => {
    expect([0, 2, 4, 100].map(constantWithWarmup(4))).toEqual([0, 0.5, 1, 1]);
  });

  it('LrScheduler drives the optimiser learning rate', () => {
    const p = ones([2]).requiresGrad_();
    const opt = new AdamW([p], { lr: 0.1 });
    const sched = new LrScheduler(opt, 0.1, linearWithWarmup(2, 4));
    expect(opt.getLr()).toBe(0);
    sched.step();
    expect(opt.getLr()).toBeCloseTo(0.05, 12);
    sched.step();
    expect(opt.getLr()).toBeCloseTo(0.1, 12);
    sched.step();
    expect(opt.getLr()).toBeCloseTo(0.05, 12);
    opt.dispose();
  });
});
