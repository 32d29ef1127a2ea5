// A BERT-shaped encoder (Hugging Face BertModel's structure and parameter names) built from the engine's nn
// modules, so the benchmark exercises the same op mix a real fine-tune would. bert_ref.py mirrors it op for op.
import {
  Dropout,
  Embedding,
  F,
  LayerNorm,
  Linear,
  Module,
  ModuleList,
  type Tensor,
  arange,
  noGrad,
  tidy,
} from '../../src/engine/index.js';

/** Model sizes; the field names are shared with bert_ref.py's command line. */
export interface BertConfig {
  layers: number;
  hidden: number;
  heads: number;
  ffn: number;
  vocab: number;
  maxPos: number;
}

// Hugging Face BERT's defaults, kept fixed so both sides cannot drift apart.
const TYPE_VOCAB = 2;
const DROPOUT = 0.1;
const LN_EPS = 1e-12;
const INIT_STD = 0.02;

/** Word + position + token-type embeddings, then LayerNorm and dropout. */
class BertEmbeddings extends Module {
  readonly wordEmbeddings: Embedding;
  readonly positionEmbeddings: Embedding;
  readonly tokenTypeEmbeddings: Embedding;
  readonly layerNorm: LayerNorm;
  readonly dropout: Dropout;
  readonly positionIds: Tensor;

  constructor(cfg: BertConfig) {
    super();
    this.wordEmbeddings = this.child('word_embeddings', new Embedding(cfg.vocab, cfg.hidden));
    this.positionEmbeddings = this.child('position_embeddings', new Embedding(cfg.maxPos, cfg.hidden));
    this.tokenTypeEmbeddings = this.child('token_type_embeddings', new Embedding(TYPE_VOCAB, cfg.hidden));
    this.layerNorm = this.child('LayerNorm', new LayerNorm(cfg.hidden, LN_EPS));
    this.dropout = this.child('dropout', new Dropout(DROPOUT));
    this.positionIds = this.buffer('position_ids', arange(cfg.maxPos));
  }

  /** Embeds [B, L] ids into [B, L, hidden]. */
  forward(inputIds: Tensor, tokenTypeIds: Tensor): Tensor {
    const positions = this.positionIds.slice(0, 0, inputIds.size(1));
    const e = this.wordEmbeddings
      .forward(inputIds)
      .add(this.tokenTypeEmbeddings.forward(tokenTypeIds))
      .add(this.positionEmbeddings.forward(positions));
    return this.dropout.forward(this.layerNorm.forward(e));
  }
}

/** Multi-head self-attention: q, k, v projections and softmax(q kᵀ/√d + mask) v with attention dropout. */
class BertSelfAttention extends Module {
  readonly query: Linear;
  readonly key: Linear;
  readonly value: Linear;
  readonly heads: number;
  readonly headDim: number;

  constructor(cfg: BertConfig) {
    super();
    if (cfg.hidden % cfg.heads !== 0) throw new Error(`hidden ${cfg.hidden} is not a multiple of heads ${cfg.heads}`);
    this.heads = cfg.heads;
    this.headDim = cfg.hidden / cfg.heads;
    this.query = this.child('query', new Linear(cfg.hidden, cfg.hidden));
    this.key = this.child('key', new Linear(cfg.hidden, cfg.hidden));
    this.value = this.child('value', new Linear(cfg.hidden, cfg.hidden));
  }

  /** [B, L, hidden] → [B, L, hidden]; `mask` is additive, broadcastable to [B, heads, L, L]. */
  forward(x: Tensor, mask: Tensor): Tensor {
    const [b, l] = [x.size(0), x.size(1)];
    const split = (t: Tensor): Tensor => t.view(b, l, this.heads, this.headDim).permute(0, 2, 1, 3);
    const ctx = F.scaledDotProductAttention(
      split(this.query.forward(x)),
      split(this.key.forward(x)),
      split(this.value.forward(x)),
      {
        mask,
        dropoutP: this.training ? DROPOUT : 0,
      },
    );
    return ctx
      .permute(0, 2, 1, 3)
      .contiguous()
      .view(b, l, this.heads * this.headDim);
  }
}

/** dense → dropout → LayerNorm(· + residual): BertSelfOutput and BertOutput share this shape. */
class BertResidualOutput extends Module {
  readonly dense: Linear;
  readonly layerNorm: LayerNorm;
  readonly dropout: Dropout;

  constructor(inDim: number, hidden: number) {
    super();
    this.dense = this.child('dense', new Linear(inDim, hidden));
    this.layerNorm = this.child('LayerNorm', new LayerNorm(hidden, LN_EPS));
    this.dropout = this.child('dropout', new Dropout(DROPOUT));
  }

  /** Projects x and adds it to the residual before normalising. */
  forward(x: Tensor, residual: Tensor): Tensor {
    return this.layerNorm.forward(this.dropout.forward(this.dense.forward(x)).add(residual));
  }
}

/** Self-attention plus its output projection (HF's BertAttention, names `self` and `output`). */
class BertAttention extends Module {
  readonly self: BertSelfAttention;
  readonly output: BertResidualOutput;

  constructor(cfg: BertConfig) {
    super();
    this.self = this.child('self', new BertSelfAttention(cfg));
    this.output = this.child('output', new BertResidualOutput(cfg.hidden, cfg.hidden));
  }

  /** Attention sub-block with its residual connection. */
  forward(x: Tensor, mask: Tensor): Tensor {
    return this.output.forward(this.self.forward(x, mask), x);
  }
}

/** The FFN's first half: dense to the intermediate size and exact (erf) GELU, as BERT uses. */
class BertIntermediate extends Module {
  readonly dense: Linear;

  constructor(cfg: BertConfig) {
    super();
    this.dense = this.child('dense', new Linear(cfg.hidden, cfg.ffn));
  }

  /** [.., hidden] → [.., ffn]. */
  forward(x: Tensor): Tensor {
    return this.dense.forward(x).gelu();
  }
}

/** One transformer block: attention sub-block, then FFN sub-block, each post-LayerNorm. */
class BertLayer extends Module {
  readonly attention: BertAttention;
  readonly intermediate: BertIntermediate;
  readonly output: BertResidualOutput;

  constructor(cfg: BertConfig) {
    super();
    this.attention = this.child('attention', new BertAttention(cfg));
    this.intermediate = this.child('intermediate', new BertIntermediate(cfg));
    this.output = this.child('output', new BertResidualOutput(cfg.ffn, cfg.hidden));
  }

  /** [B, L, hidden] → [B, L, hidden]. */
  forward(x: Tensor, mask: Tensor): Tensor {
    const a = this.attention.forward(x, mask);
    return this.output.forward(this.intermediate.forward(a), a);
  }
}

/** The stack of layers, named `encoder.layer.N.…` as in Hugging Face checkpoints. */
class BertEncoder extends Module {
  readonly layer: ModuleList<BertLayer>;

  constructor(cfg: BertConfig) {
    super();
    this.layer = this.child('layer', new ModuleList(Array.from({ length: cfg.layers }, () => new BertLayer(cfg))));
  }

  /** Runs every layer in order. */
  forward(x: Tensor, mask: Tensor): Tensor {
    // One tidy per layer frees each layer's intermediates as soon as the layer returns (autograd keeps what it
    // saved), so the working set matches PyTorch's refcounted lifetimes instead of growing over the whole pass.
    return this.layer.items.reduce((h, l) => tidy(() => l.forward(h, mask)), x);
  }
}

/** BertModel without the pooler, plus a tied vocab decoder used as the training loss. */
export class Bert extends Module {
  readonly embeddings: BertEmbeddings;
  readonly encoder: BertEncoder;

  constructor(readonly config: BertConfig) {
    super();
    this.embeddings = this.child('embeddings', new BertEmbeddings(config));
    this.encoder = this.child('encoder', new BertEncoder(config));
    // HF's init (N(0, 0.02) weights, zero biases) keeps the tied decoder's logits small, so the loss starts near
    // ln(vocab) and stays finite; the engine's PyTorch-style defaults would start it in the hundreds.
    noGrad(() => {
      for (const [name, p] of this.namedParameters()) {
        if (name.includes('LayerNorm')) continue;
        if (name.endsWith('.bias')) p.zero_();
        else p.normal_(0, INIT_STD);
      }
    });
  }

  /** Hidden states [B, L, hidden] for ids [B, L] and a 0/1 attention mask [B, L] (1 = real token). */
  forward(inputIds: Tensor, tokenTypeIds: Tensor, attentionMask: Tensor): Tensor {
    // HF's "extended" mask: 0 where attended, the dtype's minimum where padded, broadcast over heads and queries.
    const additive = attentionMask.float().neg().add(1).mul(-3.4028234663852886e38).view(attentionMask.size(0), 1, 1, -1);
    return this.encoder.forward(this.embeddings.forward(inputIds, tokenTypeIds), additive);
  }

  /** Mean cross-entropy of a decoder tied to the word embeddings against `targets` [B, L], over all tokens. */
  loss(inputIds: Tensor, tokenTypeIds: Tensor, attentionMask: Tensor, targets: Tensor): Tensor {
    const h = this.forward(inputIds, tokenTypeIds, attentionMask);
    const logits = F.linear(h.view(-1, this.config.hidden), this.embeddings.wordEmbeddings.weight);
    return F.crossEntropy(logits, targets.view(-1));
  }
}

/** Matmul FLOPs (2·m·n·k each) of one forward pass; the decoder is counted only when `withDecoder`. */
export function forwardFlops(cfg: BertConfig, batch: number, seq: number, withDecoder: boolean): number {
  const tokens = batch * seq;
  const projections = 2 * tokens * cfg.hidden * cfg.hidden * 4; // q, k, v and the attention output
  const attention = 2 * 2 * batch * seq * seq * cfg.hidden; // q kᵀ and attn · v, summed over heads
  const ffn = 2 * 2 * tokens * cfg.hidden * cfg.ffn;
  const decoder = withDecoder ? 2 * tokens * cfg.hidden * cfg.vocab : 0;
  return cfg.layers * (projections + attention + ffn) + decoder;
}
