// Test helpers shared by every layer: compare tensors against references with a clear diff.
import type { Tensor } from './tensor.js';

/** Largest |a-b| and the index where it occurs. */
export function maxAbsDiff(a: number[], b: number[]): { diff: number; at: number } {
  let diff = 0;
  let at = -1;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    const d = Number.isNaN(x) && Number.isNaN(y) ? 0 : x === y ? 0 : Math.abs(x - y);
    if (d > diff || Number.isNaN(d)) {
      diff = d;
      at = i;
    }
  }
  return { diff, at };
}

/** Throws unless shapes and dtypes match and |a-b| <= atol + rtol*|b| everywhere. */
export function assertClose(actual: Tensor, expected: Tensor, opts: { atol?: number; rtol?: number; label?: string } = {}): void {
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-4;
  const label = opts.label ?? 'tensor';
  if (actual.shape.join() !== expected.shape.join()) {
    throw new Error(`${label}: shape [${actual.shape}] != expected [${expected.shape}]`);
  }
  if (actual.dtype !== expected.dtype) throw new Error(`${label}: dtype ${actual.dtype} != expected ${expected.dtype}`);
  const a = actual.toNumbers();
  const b = expected.toNumbers();
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    if (x === y || (Number.isNaN(x) && Number.isNaN(y))) continue;
    if (!(Math.abs(x - y) <= atol + rtol * Math.abs(y))) {
      const { diff } = maxAbsDiff(a, b);
      throw new Error(`${label}: element ${i} is ${x}, expected ${y} (max abs diff ${diff}, atol ${atol}, rtol ${rtol})`);
    }
  }
}
