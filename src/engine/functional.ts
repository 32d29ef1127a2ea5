// Neural-network functions in the style of torch.nn.functional.
import { native } from './native.js';
import type { Tensor } from './tensor.js';
import { Tensor as T } from './tensor.js';

/** x @ weight.T + bias, with weight shaped [out, in] as in PyTorch. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  return new T(native.linear(x.handle, weight.handle, bias?.handle));
}

/** Softmax along dim. */
export function softmax(x: Tensor, dim: number): Tensor {
  return x.softmax(dim);
}

/** Log-softmax along dim (numerically stable). */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return x.logSoftmax(dim);
}

/** Layer normalisation over the trailing `normalizedShape` dims. */
export function layerNorm(x: Tensor, normalizedShape: number[], weight?: Tensor, bias?: Tensor, eps = 1e-5): Tensor {
  return new T(native.layerNorm(x.handle, normalizedShape, weight?.handle, bias?.handle, eps));
}

/** Zeroes elements with probability p and rescales the rest by 1/(1-p); identity when not training. */
export function dropout(x: Tensor, p: number, training = true): Tensor {
  return new T(native.dropout(x.handle, p, training));
}

/** Rows of `weight` picked by integer ids. */
export function embedding(ids: Tensor, weight: Tensor, paddingIdx?: number): Tensor {
  return new T(native.embedding(weight.handle, ids.handle, paddingIdx));
}

export type Reduction = 'mean' | 'sum' | 'none';

/** Options of crossEntropy, as in torch.nn.functional.cross_entropy. */
export interface CrossEntropyOptions {
  weight?: Tensor;
  ignoreIndex?: number;
  labelSmoothing?: number;
  reduction?: Reduction;
}

/** Cross-entropy between logits [N, C] (or [N, C, ...]) and class indices [N] (int64). */
export function crossEntropy(logits: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  return new T(
    native.crossEntropy(
      logits.handle,
      target.handle,
      opts.weight?.handle,
      opts.ignoreIndex ?? -100,
      opts.labelSmoothing ?? 0,
      opts.reduction ?? 'mean',
    ),
  );
}

/** Binary cross-entropy on logits (multi-label heads). */
export function binaryCrossEntropyWithLogits(
  logits: Tensor,
  target: Tensor,
  opts: { posWeight?: Tensor; reduction?: Reduction } = {},
): Tensor {
  return new T(native.bceWithLogits(logits.handle, target.handle, opts.posWeight?.handle, opts.reduction ?? 'mean'));
}

/** Mean squared error (or its sum / per-element values). */
export function mseLoss(input: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  return new T(native.mseLoss(input.handle, target.handle, reduction));
}

/** Options of scaledDotProductAttention. */
export interface AttentionOptions {
  /** Bool: true where attention is allowed. Float: added to the scores. Broadcasts to [..., L, S]. */
  mask?: Tensor;
  dropoutP?: number;
  isCausal?: boolean;
  /** Defaults to 1/sqrt(head dim). */
  scale?: number;
}

/** softmax(q kᵀ · scale + mask) v over [..., L, E] queries and [..., S, E] keys/values. */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions = {}): Tensor {
  return new T(
    native.sdpa(q.handle, k.handle, v.handle, opts.mask?.handle, opts.dropoutP ?? 0, opts.isCausal ?? false, opts.scale),
  );
}
