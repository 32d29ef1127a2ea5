// Hugging Face's initialisation (normal(0, initializer_range) weights, zero biases) for layers a checkpoint lacks.
import { type Embedding, type Linear, noGrad } from '../../engine/index.js';

/** Re-initialises a Linear as transformers' _init_weights does; returns it for chaining. */
export function initLinear(l: Linear, std: number): Linear {
  noGrad(() => {
    l.weight.normal_(0, std);
    l.bias?.zero_();
  });
  return l;
}

/** Re-initialises an Embedding as transformers does (the padding row zeroed). */
export function initEmbedding(e: Embedding, std: number, paddingIdx?: number): Embedding {
  noGrad(() => {
    e.weight.normal_(0, std);
    if (paddingIdx !== undefined) e.weight.select(0, paddingIdx).zero_();
  });
  return e;
}
