// Bad calls surface as typed EngineErrors that name the op and the inputs, never as a process crash.
import { describe, expect, it } from 'vitest';
import { F, type Tensor, empty, isEngineError, randn, tensor, tidy, zeros } from './index.js';

function catchErr(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('engine errors', () => {
  it('a shape mismatch names the op and both shapes', () => {
    const e = catchErr(() => randn([2, 3]).matmul(randn([4, 5])));
    expect(isEngineError(e)).toBe(true);
    if (!isEngineError(e)) return;
    expect(e.code).toBe('ENGINE_SHAPE');
    expect(e.op).toBe('matmul');
    expect(e.inputs).toEqual(['Tensor[2, 3] float32 cpu', 'Tensor[4, 5] float32 cpu']);
    expect(e.message).toMatch(/^matmul: .*2x3 and 4x5.*Tensor\[2, 3\] float32 cpu, Tensor\[4, 5\] float32 cpu/);
  });

  it('a broadcast failure is a shape error', () => {
    const e = catchErr(() => randn([2, 3]).add(randn([4])));
    expect(isEngineError(e) && e.code).toBe('ENGINE_SHAPE');
  });

  it('a dtype mismatch names the dtypes', () => {
    const e = catchErr(() => F.crossEntropy(randn([2, 3]), tensor([0, 1])));
    expect(isEngineError(e)).toBe(true);
    if (!isEngineError(e)) return;
    expect(e.code).toBe('ENGINE_DTYPE');
    expect(e.message).toMatch(/crossEntropy/);
    expect(e.inputs).toContain('Tensor[2] float32 cpu');
  });

  it('an impossible allocation is an out-of-memory error, and the process carries on', () => {
    const e = catchErr(() => empty([1e13]));
    expect(isEngineError(e) && e.code).toBe('ENGINE_OOM');
    expect(zeros([2]).toNumbers()).toEqual([0, 0]);
  });

  it('use after dispose is a typed error', () => {
    const t = zeros([2]);
    t.dispose();
    t.dispose(); // idempotent
    const e = catchErr(() => t.add(1));
    expect(isEngineError(e) && e.code).toBe('ENGINE_DISPOSED');
    const e2 = catchErr(() => zeros([2]).add(t));
    expect(isEngineError(e2) && e2.code).toBe('ENGINE_DISPOSED');
  });

  it('bad arguments name the op and the argument', () => {
    const e = catchErr(() => F.dropout(zeros([2]), 1.5));
    expect(isEngineError(e) && e.op).toBe('dropout');
    expect((e as Error).message).toMatch(/probability must be in \[0, 1\]/);
    expect(() => zeros([2]).to('float8' as 'float32')).toThrow(/unknown dtype 'float8'/);
    expect(() =>
      zeros([2])
        .sum()
        .backward(zeros([3])),
    ).toThrow(/backward/);
  });

  it('errors inside tidy() still free the scope', () => {
    let inside: Tensor | undefined;
    expect(() =>
      tidy(() => {
        inside = zeros([3]);
        randn([2, 3]).matmul(randn([2, 3]));
      }),
    ).toThrow(/matmul/);
    expect(inside?.isDisposed).toBe(true);
  });
});
