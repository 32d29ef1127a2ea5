// Handlers served by an EngineWorker in tests: a long computation and a failing op.
import { randn, tensor, tidy } from '../index.js';

/** Repeats a large matmul n times and returns a checksum (keeps a core busy for a while). */
export function busyMatmul(n: number, size: number): number {
  return tidy(() => {
    let acc = 0;
    for (let i = 0; i < n; i++) acc += tidy(() => randn([size, size]).matmul(randn([size, size])).mean().item());
    return acc;
  });
}

/** Doubles a Float32Array through the engine. */
export function double(data: Float32Array): Float32Array {
  return tidy(() => tensor(data).mul(2).toTypedArray<'float32'>());
}

/** Fails inside the engine, to check errors cross the thread boundary intact. */
export function badMatmul(): number {
  return randn([2, 3]).matmul(randn([4, 5])).item();
}
