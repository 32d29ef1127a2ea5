// Sentence embeddings from token states: the pooling sentence-transformers models are trained with.
import type { Tensor } from '../../engine/index.js';

/** How token vectors become one sentence vector. */
export type Pooling = 'mean' | 'cls' | 'max';

/** Options of pool(). */
export interface PoolOptions {
  pooling?: Pooling;
  /** Scale to unit length (what cosine-similarity models such as all-MiniLM expect). */
  normalize?: boolean;
}

/** [B, L, H] hidden states and a [B, L] mask → [B, H], padding ignored. */
export function pool(hidden: Tensor, attentionMask: Tensor, opts: PoolOptions = {}): Tensor {
  const mode = opts.pooling ?? 'mean';
  let out: Tensor;
  if (mode === 'cls') {
    out = hidden.select(1, 0);
  } else {
    const m = attentionMask.unsqueeze(-1).to(hidden.dtype);
    if (mode === 'mean') {
      out = hidden
        .mul(m)
        .sum([1])
        .div(m.sum([1]).clamp(1e-9));
    } else {
      out = hidden.maskedFill(m.eq(0), Number.NEGATIVE_INFINITY).amax([1]);
    }
  }
  if (!opts.normalize) return out;
  return out.div(out.square().sum([-1], true).sqrt().clamp(1e-12));
}
