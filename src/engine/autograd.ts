// Grad mode and gradient utilities.
import { native } from './native.js';
import type { Tensor } from './tensor.js';

/** Runs fn with autograd recording off (inference, evaluation, weight updates). Works with async fns too. */
export function noGrad<R>(fn: () => R): R {
  const prev = native.setGradEnabled(false);
  let async = false;
  try {
    const r = fn();
    if (r instanceof Promise) {
      async = true;
      return r.finally(() => native.setGradEnabled(prev)) as R;
    }
    return r;
  } finally {
    if (!async) native.setGradEnabled(prev);
  }
}

/** Whether operations are currently recorded for backward(). */
export function isGradEnabled(): boolean {
  return native.isGradEnabled();
}

/** Drops the gradients of these tensors (frees their memory, like set_to_none=True). */
export function zeroGrad(params: Tensor[]): void {
  native.zeroGrad(params.map((p) => p.handle));
}

/** Scales all gradients so their global norm is at most maxNorm; returns the norm before clipping. */
export function clipGradNorm(params: Tensor[], maxNorm: number, normType = 2): number {
  return native.clipGradNorm(
    params.map((p) => p.handle),
    maxNorm,
    normType,
  );
}
