// DistilBERT: BERT distilled to fewer layers, without token types or pooler, with its own parameter names
// (q_lin, sa_layer_norm, ffn.lin1...) and heads (vocab_transform/vocab_projector; pre_classifier + classifier).
import { z } from 'zod';
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
  tensor,
  zeros,
} from '../../engine/index.js';
import { activation } from './activations.js';
import { type ModelConfig, defaultLabels, fields, validateConfig } from './config.js';
import { type BlockOptions, type BlockWeights, runBlocks } from './encoder-block.js';
import { ModelError } from './errors.js';
import { Group } from './group.js';
import { type EncoderBody, type HeadKind, type HeadSpec, type ModelInputs, TransformerModel, tiedDecoder } from './model.js';

// transformers hard-codes this epsilon for every DistilBERT LayerNorm.
const LN_EPS = 1e-12;

/** Reads a DistilBERT config.json (dim, n_layers, n_heads, hidden_dim...) into the common shape. */
export function parseDistilBertConfig(raw: Record<string, unknown>, source: string): ModelConfig {
  const schema = z
    .looseObject({
      model_type: z.string(),
      vocab_size: fields.positiveInt.default(30522),
      dim: fields.positiveInt.default(768),
      n_layers: fields.positiveInt.default(6),
      n_heads: fields.positiveInt.default(12),
      hidden_dim: fields.positiveInt.default(3072),
      activation: z.string().default('gelu'),
      dropout: fields.probability.default(0.1),
      attention_dropout: fields.probability.default(0.1),
      seq_classif_dropout: fields.probability.default(0.2),
      max_position_embeddings: fields.positiveInt.default(512),
      sinusoidal_pos_embds: z.boolean().default(false),
      pad_token_id: z.number().int().min(0).nullable().default(0),
      initializer_range: z.number().positive().default(0.02),
      num_labels: fields.positiveInt.optional(),
      id2label: fields.id2label,
    })
    .refine((c) => c.dim % c.n_heads === 0, { message: 'dim must be a multiple of n_heads', path: ['dim'] });
  const c = validateConfig(schema, raw, source);
  return {
    modelType: c.model_type,
    vocabSize: c.vocab_size,
    hiddenSize: c.dim,
    numLayers: c.n_layers,
    numHeads: c.n_heads,
    intermediateSize: c.hidden_dim,
    hiddenAct: c.activation,
    hiddenDropout: c.dropout,
    attentionDropout: c.attention_dropout,
    classifierDropout: c.seq_classif_dropout,
    maxPositions: c.max_position_embeddings,
    typeVocabSize: 0,
    layerNormEps: LN_EPS,
    padTokenId: c.pad_token_id ?? 0,
    initializerRange: c.initializer_range,
    labels: c.id2label.length ? c.id2label : c.num_labels ? defaultLabels(c.num_labels) : [],
    raw: { ...raw },
  };
}

/** The fixed sin/cos table transformers builds when sinusoidal_pos_embds is set. */
function sinusoids(positions: number, dim: number): Tensor {
  const out = new Float32Array(positions * dim);
  for (let p = 0; p < positions; p++) {
    for (let j = 0; j < dim; j++) {
      const angle = p / 10000 ** ((2 * Math.floor(j / 2)) / dim);
      out[p * dim + j] = j % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return tensor(out, { shape: [positions, dim] });
}

/** word + position embeddings, LayerNorm, dropout (no token types). */
class DistilBertEmbeddings extends Module {
  readonly words: Embedding;
  readonly positions: Embedding;
  readonly norm: LayerNorm;
  readonly dropout: Dropout;

  constructor(private readonly c: ModelConfig) {
    super();
    this.words = this.child('word_embeddings', new Embedding(c.vocabSize, c.hiddenSize, c.padTokenId));
    this.positions = this.child('position_embeddings', new Embedding(c.maxPositions, c.hiddenSize));
    if (c.raw.sinusoidal_pos_embds === true) {
      const table = sinusoids(c.maxPositions, c.hiddenSize);
      noGrad(() => this.positions.weight.copy_(table));
      table.dispose();
      this.positions.weight.requiresGrad_(false);
    }
    this.norm = this.child('LayerNorm', new LayerNorm(c.hiddenSize, LN_EPS));
    this.dropout = this.child('dropout', new Dropout(c.hiddenDropout));
  }

  /** [B, L] ids → [B, L, H]. */
  forward(ids: Tensor): Tensor {
    const len = ids.size(1);
    if (len > this.c.maxPositions) {
      throw new ModelError(
        'MODEL_INPUT',
        `an input of ${len} tokens is longer than the model's ${this.c.maxPositions} positions: truncate it (tokenizer maxLength ≤ ${this.c.maxPositions}).`,
      );
    }
    const e = this.words.forward(ids).add(this.positions.forward(arange(len).unsqueeze(0)));
    return this.dropout.forward(this.norm.forward(e));
  }
}

/** One TransformerBlock named as transformers' DistilBERT. */
class DistilBertLayer extends Module {
  readonly w: BlockWeights;

  constructor(c: ModelConfig) {
    super();
    const h = c.hiddenSize;
    const [query, key, value, attentionOut] = [new Linear(h, h), new Linear(h, h), new Linear(h, h), new Linear(h, h)];
    const attentionNorm = new LayerNorm(h, LN_EPS);
    const ffnIn = new Linear(h, c.intermediateSize);
    const ffnOut = new Linear(c.intermediateSize, h);
    const outputNorm = new LayerNorm(h, LN_EPS);
    this.child('attention', new Group({ q_lin: query, k_lin: key, v_lin: value, out_lin: attentionOut }));
    this.child('sa_layer_norm', attentionNorm);
    this.child('ffn', new Group({ lin1: ffnIn, lin2: ffnOut }));
    this.child('output_layer_norm', outputNorm);
    this.w = { query, key, value, attentionOut, attentionNorm, ffnIn, ffnOut, outputNorm };
  }
}

/** DistilBertModel: embeddings and transformer.layer.N. */
class DistilBertBody extends Module implements EncoderBody {
  readonly embeddings: DistilBertEmbeddings;
  readonly layers: ModuleList<DistilBertLayer>;
  readonly #block: Omit<BlockOptions, 'training'>;

  constructor(c: ModelConfig) {
    super();
    this.embeddings = this.child('embeddings', new DistilBertEmbeddings(c));
    this.layers = new ModuleList(Array.from({ length: c.numLayers }, () => new DistilBertLayer(c)));
    this.child('transformer', new Group({ layer: this.layers }));
    this.#block = {
      heads: c.numHeads,
      act: activation(c.hiddenAct, 'activation'),
      hiddenDropout: c.hiddenDropout,
      attentionDropout: c.attentionDropout,
      dropoutAfterAttention: false,
    };
  }

  /** The word embedding table (tied to vocab_projector). */
  get wordEmbeddings(): Embedding {
    return this.embeddings.words;
  }

  /** Embeds and runs every layer; `all` = [embeddings, layer 1, ..., layer N] when asked. */
  encode(inputs: ModelInputs, outputHiddenStates: boolean): { last: Tensor; all?: Tensor[] } {
    const opts = { ...this.#block, training: this.training };
    return runBlocks(this.embeddings.forward(inputs.inputIds), inputs.attentionMask, this.layers.items, opts, outputHiddenStates);
  }
}

/** vocab_transform → activation → vocab_layer_norm → vocab_projector (weight tied, own bias). */
function distilBertMaskedLmHead(c: ModelConfig, body: DistilBertBody): HeadSpec {
  const transform = new Linear(c.hiddenSize, c.hiddenSize);
  const norm = new LayerNorm(c.hiddenSize, LN_EPS);
  const projector = new Group({}, { bias: zeros([c.vocabSize]) });
  const act = activation(c.hiddenAct, 'activation');
  return {
    modules: { vocab_transform: transform, vocab_layer_norm: norm, vocab_projector: projector },
    logits: (hidden, _inputs, opts) =>
      tiedDecoder(
        hidden,
        (h) => norm.forward(act(transform.forward(h))),
        body.wordEmbeddings.weight,
        projector.params.bias,
        opts.logitsAt,
      ),
    tiedKeys: ['vocab_projector.weight'],
    lmBias: { get: () => projector.params.bias, set: (t) => projector.setParam('bias', t) },
  };
}

/** first token → pre_classifier → ReLU → dropout → classifier. */
function distilBertClassificationHead(c: ModelConfig): HeadSpec {
  const pre = new Linear(c.hiddenSize, c.hiddenSize);
  const classifier = new Linear(c.hiddenSize, Math.max(c.labels.length, 1));
  return {
    modules: { pre_classifier: pre, classifier },
    logits: (hidden, _inputs, _opts, training) =>
      classifier.forward(F.dropout(pre.forward(hidden.select(1, 0)).relu(), c.classifierDropout, training)),
  };
}

const ARCHITECTURES: Record<HeadKind, string> = {
  base: 'DistilBertModel',
  'masked-lm': 'DistilBertForMaskedLM',
  'sequence-classification': 'DistilBertForSequenceClassification',
};

/** Builds a DistilBERT model with freshly initialised weights. */
export function createDistilBert(config: ModelConfig, head: HeadKind): TransformerModel {
  const body = new DistilBertBody(config);
  const spec =
    head === 'masked-lm'
      ? distilBertMaskedLmHead(config, body)
      : head === 'sequence-classification'
        ? distilBertClassificationHead(config)
        : { modules: {} };
  return new TransformerModel(config, head, {
    family: 'distilbert',
    prefix: 'distilbert',
    architecture: ARCHITECTURES[head],
    body,
    head: spec,
  });
}
