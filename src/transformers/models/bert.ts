// BERT (and MiniLM checkpoints, which are BERT-shaped): embeddings, post-LN encoder, pooler, and the masked-LM
// and classification heads, with transformers' parameter names. RoBERTa and XLM-R reuse the body.
import { z } from 'zod';
import { Dropout, Embedding, F, LayerNorm, Linear, Module, ModuleList, type Tensor, arange, zeros } from '../../engine/index.js';
import { activation } from './activations.js';
import { type ModelConfig, defaultLabels, fields, validateConfig } from './config.js';
import { type BlockOptions, type BlockWeights, runBlocks } from './encoder-block.js';
import { ModelError } from './errors.js';
import { Group } from './group.js';
import { type EncoderBody, type HeadKind, type HeadSpec, type ModelInputs, TransformerModel, tiedDecoder } from './model.js';

/** Defaults that differ between the BERT-shaped families (transformers' config class defaults). */
export interface BertDefaults {
  vocabSize: number;
  padTokenId: number;
}

/** Parses a BERT-shaped config.json (BERT, RoBERTa, XLM-R) into the common shape, with transformers' defaults. */
export function parseBertLikeConfig(raw: Record<string, unknown>, source: string, d: BertDefaults): ModelConfig {
  const schema = z
    .looseObject({
      model_type: z.string(),
      vocab_size: fields.positiveInt.default(d.vocabSize),
      hidden_size: fields.positiveInt.default(768),
      num_hidden_layers: fields.positiveInt.default(12),
      num_attention_heads: fields.positiveInt.default(12),
      intermediate_size: fields.positiveInt.default(3072),
      hidden_act: z.string().default('gelu'),
      hidden_dropout_prob: fields.probability.default(0.1),
      attention_probs_dropout_prob: fields.probability.default(0.1),
      classifier_dropout: fields.probability.nullable().default(null),
      max_position_embeddings: fields.positiveInt.default(512),
      type_vocab_size: fields.positiveInt.default(2),
      layer_norm_eps: z.number().positive().default(1e-12),
      pad_token_id: z.number().int().min(0).nullable().default(d.padTokenId),
      initializer_range: z.number().positive().default(0.02),
      position_embedding_type: z
        .literal('absolute', { message: 'only "absolute" position embeddings are supported' })
        .default('absolute'),
      num_labels: fields.positiveInt.optional(),
      id2label: fields.id2label,
    })
    .refine((c) => c.hidden_size % c.num_attention_heads === 0, {
      message: 'hidden_size must be a multiple of num_attention_heads',
      path: ['hidden_size'],
    });
  const c = validateConfig(schema, raw, source);
  return {
    modelType: c.model_type,
    vocabSize: c.vocab_size,
    hiddenSize: c.hidden_size,
    numLayers: c.num_hidden_layers,
    numHeads: c.num_attention_heads,
    intermediateSize: c.intermediate_size,
    hiddenAct: c.hidden_act,
    hiddenDropout: c.hidden_dropout_prob,
    attentionDropout: c.attention_probs_dropout_prob,
    classifierDropout: c.classifier_dropout ?? c.hidden_dropout_prob,
    maxPositions: c.max_position_embeddings,
    typeVocabSize: c.type_vocab_size,
    layerNormEps: c.layer_norm_eps,
    padTokenId: c.pad_token_id ?? 0,
    initializerRange: c.initializer_range,
    labels: c.id2label.length ? c.id2label : c.num_labels ? defaultLabels(c.num_labels) : [],
    raw: { ...raw },
  };
}

/** How position ids are made: 0..L-1 (BERT), or counted from padding_idx + 1 over non-pad tokens (RoBERTa). */
export type PositionStyle = 'absolute' | 'after-padding';

/** Word + position + token-type embeddings, LayerNorm, dropout (names as in BertEmbeddings). */
class BertEmbeddings extends Module {
  readonly words: Embedding;
  readonly positions: Embedding;
  readonly types: Embedding;
  readonly norm: LayerNorm;
  readonly dropout: Dropout;

  constructor(
    private readonly c: ModelConfig,
    private readonly style: PositionStyle,
  ) {
    super();
    this.words = this.child('word_embeddings', new Embedding(c.vocabSize, c.hiddenSize, c.padTokenId));
    this.positions = this.child('position_embeddings', new Embedding(c.maxPositions, c.hiddenSize));
    this.types = this.child('token_type_embeddings', new Embedding(c.typeVocabSize, c.hiddenSize));
    this.norm = this.child('LayerNorm', new LayerNorm(c.hiddenSize, c.layerNormEps));
    this.dropout = this.child('dropout', new Dropout(c.hiddenDropout));
  }

  /** [B, L] ids → [B, L, H]. */
  forward(inputs: ModelInputs): Tensor {
    const ids = inputs.inputIds;
    const len = ids.size(1);
    // RoBERTa numbers positions from padding_idx + 1, so it fits padding_idx + 1 fewer tokens.
    const usable = this.style === 'absolute' ? this.c.maxPositions : this.c.maxPositions - this.c.padTokenId - 1;
    if (len > usable) {
      throw new ModelError(
        'MODEL_INPUT',
        `an input of ${len} tokens is longer than the model's ${usable} positions: truncate it (tokenizer maxLength ≤ ${usable}).`,
      );
    }
    const positions = this.style === 'absolute' ? arange(len).unsqueeze(0) : paddingAwarePositions(ids, this.c.padTokenId);
    const types = inputs.tokenTypeIds ?? zeros([...ids.shape], { dtype: 'int64' });
    const e = this.words.forward(ids).add(this.positions.forward(positions)).add(this.types.forward(types));
    return this.dropout.forward(this.norm.forward(e));
  }
}

/** RoBERTa's position ids: pad tokens get padding_idx, the others padding_idx + 1, + 2, ... in order. */
function paddingAwarePositions(ids: Tensor, pad: number): Tensor {
  const notPad = ids.ne(pad).to('float32');
  // cumsum as a product with an upper-triangular matrix of ones (exact for any realistic length).
  const len = ids.size(1);
  const upper = zeros([len, len]).add(1).triu();
  return notPad.matmul(upper).mul(notPad).to('int64').add(pad);
}

/** One encoder layer named as transformers' BertLayer. */
class BertLayer extends Module {
  readonly w: BlockWeights;

  constructor(c: ModelConfig) {
    super();
    const h = c.hiddenSize;
    const [query, key, value] = [new Linear(h, h), new Linear(h, h), new Linear(h, h)];
    const attentionOut = new Linear(h, h);
    const attentionNorm = new LayerNorm(h, c.layerNormEps);
    const ffnIn = new Linear(h, c.intermediateSize);
    const ffnOut = new Linear(c.intermediateSize, h);
    const outputNorm = new LayerNorm(h, c.layerNormEps);
    this.child(
      'attention',
      new Group({
        self: new Group({ query, key, value }),
        output: new Group({ dense: attentionOut, LayerNorm: attentionNorm }),
      }),
    );
    this.child('intermediate', new Group({ dense: ffnIn }));
    this.child('output', new Group({ dense: ffnOut, LayerNorm: outputNorm }));
    this.w = { query, key, value, attentionOut, attentionNorm, ffnIn, ffnOut, outputNorm };
  }
}

/** Options of the BERT-shaped body. */
export interface BertBodyOptions {
  pooler: boolean;
  positions: PositionStyle;
}

/** BertModel: embeddings, encoder.layer.N and an optional pooler (dense + tanh over the first token). */
export class BertBody extends Module implements EncoderBody {
  readonly embeddings: BertEmbeddings;
  readonly layers: ModuleList<BertLayer>;
  readonly pooler: Linear | undefined;
  readonly #block: Omit<BlockOptions, 'training'>;

  constructor(c: ModelConfig, opts: BertBodyOptions) {
    super();
    this.embeddings = this.child('embeddings', new BertEmbeddings(c, opts.positions));
    this.layers = new ModuleList(Array.from({ length: c.numLayers }, () => new BertLayer(c)));
    this.child('encoder', new Group({ layer: this.layers }));
    if (opts.pooler) {
      this.pooler = new Linear(c.hiddenSize, c.hiddenSize);
      this.child('pooler', new Group({ dense: this.pooler }));
    }
    this.#block = {
      heads: c.numHeads,
      act: activation(c.hiddenAct),
      hiddenDropout: c.hiddenDropout,
      attentionDropout: c.attentionDropout,
      dropoutAfterAttention: true,
    };
  }

  /** The word embedding table (tied to the masked-LM decoder). */
  get wordEmbeddings(): Embedding {
    return this.embeddings.words;
  }

  /** Embeds and runs every layer; `all` = [embeddings, layer 1, ..., layer N] when asked. */
  encode(inputs: ModelInputs, outputHiddenStates: boolean): { last: Tensor; all?: Tensor[] } {
    const opts = { ...this.#block, training: this.training };
    return runBlocks(this.embeddings.forward(inputs), inputs.attentionMask, this.layers.items, opts, outputHiddenStates);
  }

  /** The pooler output: tanh(dense(h[:, 0])). */
  pool(hidden: Tensor): Tensor {
    if (!this.pooler) throw new ModelError('MODEL_WEIGHTS', 'this model was built without a pooler');
    return this.pooler.forward(hidden.select(1, 0)).tanh();
  }
}

/** cls.predictions: transform (dense, act, LayerNorm), then the tied decoder plus bias. */
function bertMaskedLmHead(c: ModelConfig, body: BertBody): HeadSpec {
  const dense = new Linear(c.hiddenSize, c.hiddenSize);
  const norm = new LayerNorm(c.hiddenSize, c.layerNormEps);
  const predictions = new Group({ transform: new Group({ dense, LayerNorm: norm }) }, { bias: zeros([c.vocabSize]) });
  const act = activation(c.hiddenAct);
  return {
    modules: { cls: new Group({ predictions }) },
    logits: (hidden, _inputs, opts) =>
      tiedDecoder(
        hidden,
        (h) => norm.forward(act(dense.forward(h))),
        body.wordEmbeddings.weight,
        predictions.params.bias,
        opts.logitsAt,
      ),
    tiedKeys: ['cls.predictions.decoder.weight', 'cls.predictions.decoder.bias'],
    lmBias: { get: () => predictions.params.bias, set: (t) => predictions.setParam('bias', t) },
  };
}

/** BertForSequenceClassification: pooler → dropout → classifier. */
function bertClassificationHead(c: ModelConfig, body: BertBody): HeadSpec {
  const classifier = new Linear(c.hiddenSize, Math.max(c.labels.length, 1));
  return {
    modules: { classifier },
    logits: (hidden, _inputs, _opts, training) => classifier.forward(F.dropout(body.pool(hidden), c.classifierDropout, training)),
  };
}

const ARCHITECTURES: Record<HeadKind, string> = {
  base: 'BertModel',
  'masked-lm': 'BertForMaskedLM',
  'sequence-classification': 'BertForSequenceClassification',
};

/** Builds a BERT model with freshly initialised weights (load a checkpoint into it next). */
export function createBert(config: ModelConfig, head: HeadKind): TransformerModel {
  const body = new BertBody(config, { pooler: head !== 'masked-lm', positions: 'absolute' });
  const spec =
    head === 'masked-lm'
      ? bertMaskedLmHead(config, body)
      : head === 'sequence-classification'
        ? bertClassificationHead(config, body)
        : { modules: {} };
  return new TransformerModel(config, head, {
    family: 'bert',
    prefix: 'bert',
    architecture: ARCHITECTURES[head],
    body,
    head: spec,
  });
}

/** Reads a BERT config.json (MiniLM checkpoints included). */
export function parseBertConfig(raw: Record<string, unknown>, source: string): ModelConfig {
  return parseBertLikeConfig(raw, source, { vocabSize: 30522, padTokenId: 0 });
}
