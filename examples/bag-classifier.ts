// The demo's model: averaged token embeddings and a small MLP. Tokens are hashed words (real tokenizers
// arrive with the models layer); the point here is the engine: modules, autograd, optimiser, safetensors.
import { Dropout, Embedding, Linear, Module, type Tensor } from '../src/engine/index.js';

/** Sizes of the demo classifier. */
export interface BagConfig {
  buckets: number;
  dim: number;
  classes: number;
}

/** Mean of token embeddings (padding id 0 excluded) → Linear → GELU → Dropout → Linear. */
export class BagClassifier extends Module {
  readonly embed: Embedding;
  readonly hidden: Linear;
  readonly drop = this.child('dropout', new Dropout(0.2));
  readonly out: Linear;

  constructor(cfg: BagConfig) {
    super();
    this.embed = this.child('embed', new Embedding(cfg.buckets, cfg.dim, 0));
    this.hidden = this.child('hidden', new Linear(cfg.dim, cfg.dim));
    this.out = this.child('out', new Linear(cfg.dim, cfg.classes));
  }

  /** Logits [n, classes] for token ids [n, len]. */
  forward(ids: Tensor): Tensor {
    const mask = ids.ne(0).unsqueeze(-1).float();
    const summed = this.embed.forward(ids).mul(mask).sum(1);
    const mean = summed.div(mask.sum(1).clamp(1));
    return this.out.forward(this.drop.forward(this.hidden.forward(mean).gelu()));
  }
}

/** Lower-cased words hashed into buckets 1..buckets-1 (0 is padding), truncated/padded to len. */
export function hashTokens(texts: string[], buckets: number, len: number): BigInt64Array {
  const out = new BigInt64Array(texts.length * len);
  texts.forEach((text, row) => {
    const words = text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
    words.slice(0, len).forEach((w, i) => {
      let h = 2166136261;
      for (let c = 0; c < w.length; c++) h = Math.imul(h ^ w.charCodeAt(c), 16777619) >>> 0;
      out[row * len + i] = BigInt(1 + (h % (buckets - 1)));
    });
  });
  return out;
}
