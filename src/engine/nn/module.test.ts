// Modules: parameter naming, train/eval, state dicts with strict checks.
import { describe, expect, it } from 'vitest';
import { Dropout, LayerNorm, Linear, Module, ModuleList, type Tensor, ones, tensor, tidy } from '../index.js';

class Block extends Module {
  readonly dense = this.child('dense', new Linear(4, 3));
  readonly norm = this.child('LayerNorm', new LayerNorm(3, 1e-12));
  readonly drop = this.child('dropout', new Dropout(0.5));

  forward(x: Tensor): Tensor {
    return this.norm.forward(this.drop.forward(this.dense.forward(x)));
  }
}

class Net extends Module {
  readonly layer = this.child('layer', new ModuleList([new Block(), new Block()]));
}

describe('Module', () => {
  it('names parameters with Hugging Face dotted paths', () => {
    const net = new Net();
    expect(net.namedParameters().map(([n]) => n)).toEqual([
      'layer.0.dense.weight',
      'layer.0.dense.bias',
      'layer.0.LayerNorm.weight',
      'layer.0.LayerNorm.bias',
      'layer.1.dense.weight',
      'layer.1.dense.bias',
      'layer.1.LayerNorm.weight',
      'layer.1.LayerNorm.bias',
    ]);
    expect(net.parameterCount()).toBe(2 * (4 * 3 + 3 + 3 + 3));
    expect(net.parameters().every((p) => p.requiresGrad)).toBe(true);
    net.dispose();
  });

  it('eval() turns dropout off in every child', () => {
    const b = new Block();
    const x = ones([64, 4]);
    b.eval();
    const a1 = tidy(() => b.forward(x).toNumbers());
    const a2 = tidy(() => b.forward(x).toNumbers());
    expect(a1).toEqual(a2);
    b.train();
    expect(b.drop.training).toBe(true);
    const t1 = tidy(() => b.dense.forward(x).toNumbers());
    const t2 = tidy(() => b.drop.forward(ones([64, 4])).toNumbers());
    expect(t2.some((v) => v === 0)).toBe(true);
    expect(t1.length).toBe(64 * 3);
    b.dispose();
  });

  it('loadStateDict copies values and reports or rejects mismatches', () => {
    const a = new Block();
    const b = new Block();
    const report = b.loadStateDict(a.stateDict());
    expect(report).toEqual({ missing: [], unexpected: [] });
    expect(b.dense.weight.toNumbers()).toEqual(a.dense.weight.toNumbers());
    const partial = new Map(a.stateDict());
    partial.delete('dense.bias');
    partial.set('extra', ones([1]));
    expect(() => b.loadStateDict(partial)).toThrow(/missing \[dense.bias\], unexpected \[extra\]/);
    expect(b.loadStateDict(partial, { strict: false })).toEqual({ missing: ['dense.bias'], unexpected: ['extra'] });
    const wrong = new Map(a.stateDict());
    wrong.set('dense.weight', ones([3, 5]));
    expect(() => b.loadStateDict(wrong)).toThrow(/dense.weight: expected shape \[3, 4\], got \[3, 5\]/);
    a.dispose();
    b.dispose();
  });

  it('Linear computes x Wᵀ + b', () => {
    const l = new Linear(2, 1);
    l.weight.copy_(tensor([[2, 3]]));
    l.bias!.fill_(1);
    expect(l.forward(tensor([[1, 1]])).toNumbers()).toEqual([6]);
    l.dispose();
  });
});
