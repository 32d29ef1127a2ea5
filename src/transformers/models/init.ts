// Hugging Face's initialisation, for models built from a config and for head weights a checkpoint lacks.
import { type Module, noGrad } from '../../engine/index.js';

/**
 * transformers' _init_weights over a whole model: matrices N(0, std), biases 0, LayerNorm weights 1, padding
 * rows 0. Frozen tensors (DistilBERT's sinusoidal positions) are left alone.
 */
export function initWeights(model: Module, std: number, paddingIdx?: number): void {
  noGrad(() => {
    for (const [name, p] of model.namedParameters()) {
      if (!p.requiresGrad) continue;
      if (p.ndim >= 2) {
        p.normal_(0, std);
        if (paddingIdx !== undefined && name.endsWith('word_embeddings.weight')) p.select(0, paddingIdx).zero_();
      } else if (/(LayerNorm|layer_norm)\.weight$/.test(name)) {
        p.fill_(1);
      } else {
        p.zero_();
      }
    }
  });
}
