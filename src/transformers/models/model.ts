// What every model family provides: a body under Hugging Face's base-model prefix, one of three heads, and the
// bookkeeping (tied weights, vocabulary resizing, config) that loading and saving need.
import { F, Module, type Tensor, cat, noGrad, tidy, zeros } from '../../engine/index.js';
import type { ModelConfig } from './config.js';
import { ModelError } from './errors.js';
import { type PoolOptions, pool } from './pooling.js';

/** The three heads prompt-based, SetFit-style and standard fine-tuning need, plus the bare encoder. */
export type HeadKind = 'base' | 'masked-lm' | 'sequence-classification';

/** Every head kind, for validation and help texts. */
export const HEAD_KINDS: readonly HeadKind[] = ['base', 'masked-lm', 'sequence-classification'];

/** A tokenised batch as int64 tensors [B, L]. */
export interface ModelInputs {
  inputIds: Tensor;
  attentionMask: Tensor;
  /** Segment ids for pairs; zeros when absent. Families with a single type (RoBERTa) ignore them. */
  tokenTypeIds?: Tensor;
}

/** Options of forward(). */
export interface ForwardOptions {
  /** Also return the embedding output and every layer's output (Hugging Face's `hidden_states`). */
  outputHiddenStates?: boolean;
  /**
   * Masked-LM only: flat positions (b·L + l, int64 [N]) where vocabulary logits are wanted. Prompt-based
   * training needs only the [MASK] positions, which saves a [B, L, vocab] product. Logits are then [N, vocab].
   */
  logitsAt?: Tensor;
}

/** What forward() returns; every tensor is new and owned by the caller (use tidy). */
export interface ModelOutput {
  lastHiddenState: Tensor;
  /** [B, L, vocab] (masked-LM), [N, vocab] with logitsAt, or [B, labels] (classification). */
  logits?: Tensor;
  hiddenStates?: Tensor[];
}

/** The encoder body every family implements: embeddings, layers, and the word embedding table. */
export interface EncoderBody extends Module {
  /** Embeds and encodes a batch; `all` holds the embedding output and each layer's output when asked. */
  encode(inputs: ModelInputs, outputHiddenStates: boolean): { last: Tensor; all?: Tensor[] };
  /** The [vocab, hidden] table the masked-LM decoder is tied to. */
  readonly wordEmbeddings: { weight: Tensor; resize(num: number, init?: (rows: number, dim: number) => Tensor): void };
}

/** A head: its modules (registered at the model's root under their Hugging Face names) and what it computes. */
export interface HeadSpec {
  modules: Record<string, Module>;
  /** Hidden states [B, L, H] → logits; absent for the bare encoder. */
  logits?: (hidden: Tensor, inputs: ModelInputs, opts: ForwardOptions, training: boolean) => Tensor;
  /** Keys Hugging Face leaves out of checkpoints because they are tied to the word embeddings. */
  tiedKeys?: string[];
  /** The masked-LM output bias, which grows with the vocabulary. */
  lmBias?: { get(): Tensor; set(t: Tensor): void };
}

/** How a family assembles a model: where the body goes and which transformers class this is. */
export interface ModelSpec {
  family: string;
  prefix: string;
  architecture: string;
  body: EncoderBody;
  head: HeadSpec;
  /** Position slots the family reserves before the first token (RoBERTa: padding_idx + 1). */
  positionOffset?: number;
}

/** A model with Hugging Face parameter names: the family's body plus one head. */
export class TransformerModel extends Module {
  /** Family name ("bert", "roberta", "xlm-roberta", "distilbert"). */
  readonly family: string;
  /** Hugging Face's base_model_prefix: where the body lives in head checkpoints. */
  readonly prefix: string;
  /** The transformers class name written to config.json's `architectures`. */
  readonly architecture: string;
  readonly body: EncoderBody;
  /** The longest input (in tokens, special tokens included) the position table allows. */
  readonly maxInputLength: number;
  readonly #head: HeadSpec;

  /** Registers the body under its prefix (at the root for the bare encoder) and the head modules at the root. */
  constructor(
    readonly config: ModelConfig,
    readonly head: HeadKind,
    spec: ModelSpec,
  ) {
    super();
    this.family = spec.family;
    this.prefix = spec.prefix;
    this.architecture = spec.architecture;
    this.maxInputLength = config.maxPositions - (spec.positionOffset ?? 0);
    this.body = this.child(head === 'base' ? '' : spec.prefix, spec.body);
    for (const [name, m] of Object.entries(spec.head.modules)) this.child(name, m);
    this.#head = spec.head;
  }

  /** Keys Hugging Face leaves out of checkpoints because they are tied to the word embeddings. */
  get tiedKeys(): string[] {
    return this.#head.tiedKeys ?? [];
  }

  /**
   * Parameters a checkpoint may lack because it was saved with another head: the head's own, and the pooler
   * (transformers' masked-LM classes have none, its bare and classification classes do).
   */
  headKeys(): string[] {
    const bodyPrefix = this.head === 'base' ? '' : `${this.prefix}.`;
    const bodyKeys = new Set(this.body.namedParameters(bodyPrefix).map(([k]) => k));
    return this.namedParameters()
      .map(([k]) => k)
      .filter((k) => !bodyKeys.has(k) || k.startsWith(`${bodyPrefix}pooler.`));
  }

  /** Runs the encoder and the head. */
  forward(inputs: ModelInputs, opts: ForwardOptions = {}): ModelOutput {
    const { last, all } = this.body.encode(inputs, opts.outputHiddenStates ?? false);
    const out: ModelOutput = { lastHiddenState: last };
    if (all) out.hiddenStates = all;
    if (this.#head.logits) out.logits = this.#head.logits(last, inputs, opts, this.training);
    return out;
  }

  /**
   * The head alone on hidden states the encoder already produced (e.g. cached while the encoder is frozen).
   * Only for heads that read nothing but the hidden states: masked-LM heads.
   */
  headLogits(hidden: Tensor, opts: ForwardOptions = {}): Tensor {
    if (this.head !== 'masked-lm' || !this.#head.logits)
      throw new ModelError('MODEL_CONFIG', `headLogits needs the masked-LM head; this model has the ${this.head} head`);
    return this.#head.logits(hidden, {} as ModelInputs, opts, this.training);
  }

  /** Sentence embeddings [B, H] pooled from the last hidden state (mean pooling by default). */
  embed(inputs: ModelInputs, opts: PoolOptions = {}): Tensor {
    return tidy(() => pool(this.body.encode(inputs, false).last, inputs.attentionMask, opts));
  }

  /**
   * Grows the vocabulary to `size` rows (after adding prompt tokens to the tokenizer). New rows start at the mean
   * of the existing embeddings, so a new token begins as an "average word" rather than noise; the masked-LM bias
   * grows with zeros, as transformers does.
   */
  resizeTokenEmbeddings(size: number): void {
    const emb = this.body.wordEmbeddings;
    const mean = noGrad(() => emb.weight.mean([0], true));
    emb.resize(size, (rows) => mean.expand(rows, -1).clone());
    mean.dispose();
    const bias = this.#head.lmBias;
    if (bias) {
      const old = bias.get();
      const n = old.size(0);
      const grown = tidy(() =>
        noGrad(() =>
          size <= n ? old.slice(0, 0, size).clone() : cat([old.detach(), zeros([size - n], { dtype: old.dtype })], 0),
        ),
      );
      bias.set(grown);
    }
    this.config.vocabSize = size;
    this.config.raw.vocab_size = size;
  }
}

/** Vocabulary logits: hidden [B, L, H] (or the rows at `logitsAt`) times the tied embedding table, plus bias. */
export function tiedDecoder(
  hidden: Tensor,
  transform: (h: Tensor) => Tensor,
  embeddings: Tensor,
  bias: Tensor,
  at?: Tensor,
): Tensor {
  const h = at ? hidden.reshape(-1, hidden.size(-1)).indexSelect(0, at) : hidden;
  return F.linear(transform(h), embeddings, bias);
}
