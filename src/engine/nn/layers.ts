// Building blocks with PyTorch's parameter names and default initialisation.
import { noGrad } from '../autograd.js';
import { engineError } from '../errors.js';
import { cat, empty, ones, zeros } from '../factories.js';
import * as F from '../functional.js';
import { tidy } from '../scope.js';
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';

/** y = x Wᵀ + b with W [out, in]; initialised like torch.nn.Linear (uniform ±1/√in). */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | undefined;

  constructor(inFeatures: number, outFeatures: number, opts: { bias?: boolean } = {}) {
    super();
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = this.param('weight', empty([outFeatures, inFeatures]).uniform_(-bound, bound));
    this.bias = opts.bias === false ? undefined : this.param('bias', empty([outFeatures]).uniform_(-bound, bound));
  }

  #lowRank?: { a: Linear; b: Linear; scale: number; dropout: number };

  forward(x: Tensor): Tensor {
    const y = F.linear(x, this.weight, this.bias);
    const lr = this.#lowRank;
    if (!lr) return y;
    return y.add(lr.b.forward(lr.a.forward(F.dropout(x, lr.dropout, this.training))).mul(lr.scale));
  }

  /**
   * Adds a trainable low-rank update (LoRA): y = W x + b + scale · B(A(dropout(x))). A and B register as children
   * `lora_A` and `lora_B`, the names PEFT uses, so their weights save under `<this>.lora_A.weight`.
   */
  attachLowRank(a: Linear, b: Linear, scale: number, dropout = 0): void {
    if (this.#lowRank) throw engineError('attachLowRank', 'ENGINE_ERROR', 'this layer already has a low-rank update');
    this.child('lora_A', a);
    this.child('lora_B', b);
    this.#lowRank = { a, b, scale, dropout };
  }

  /** The low-rank update, if attached. */
  get lowRank(): { a: Linear; b: Linear; scale: number; dropout: number } | undefined {
    return this.#lowRank;
  }

  /** Folds the low-rank update into the weight (W += scale · B A) and removes it. */
  mergeLowRank(): void {
    const lr = this.#lowRank;
    if (!lr) return;
    noGrad(() => tidy(() => this.weight.copy_(this.weight.add(lr.b.weight.matmul(lr.a.weight).mul(lr.scale)))));
    this.removeChild('lora_A');
    this.removeChild('lora_B');
    lr.a.dispose();
    lr.b.dispose();
    this.#lowRank = undefined;
  }
}

/** A lookup table [num, dim], initialised N(0, 1) like torch.nn.Embedding. */
export class Embedding extends Module {
  #weight: Tensor;

  constructor(
    num: number,
    dim: number,
    readonly paddingIdx?: number,
  ) {
    super();
    this.#weight = this.param('weight', empty([num, dim]).normal_(0, 1));
  }

  /** The table [num, dim]; a new tensor after resize(). */
  get weight(): Tensor {
    return this.#weight;
  }

  /** Grows or shrinks the table to `num` rows, keeping existing rows; new rows come from `init` (default N(0, 1)). */
  resize(num: number, init?: (rows: number, dim: number) => Tensor): void {
    const [old, dim] = this.#weight.shape as [number, number];
    if (num === old) return;
    const next = tidy(() =>
      noGrad(() => {
        if (num < old) return this.#weight.slice(0, 0, num).clone();
        const extra = init ? init(num - old, dim) : empty([num - old, dim]).normal_(0, 1);
        return cat([this.#weight.detach(), extra.to(this.#weight.dtype)], 0);
      }),
    );
    this.#weight = this.replaceParam('weight', next);
  }

  forward(ids: Tensor): Tensor {
    return F.embedding(ids, this.weight, this.paddingIdx);
  }
}

/** Layer normalisation over the last dim, with weight (ones) and bias (zeros). */
export class LayerNorm extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;

  constructor(
    readonly dim: number,
    readonly eps = 1e-5,
  ) {
    super();
    this.weight = this.param('weight', ones([dim]));
    this.bias = this.param('bias', zeros([dim]));
  }

  forward(x: Tensor): Tensor {
    return F.layerNorm(x, [this.dim], this.weight, this.bias, this.eps);
  }
}

/** Dropout that is active only in training mode. */
export class Dropout extends Module {
  constructor(readonly p: number) {
    super();
  }

  forward(x: Tensor): Tensor {
    return F.dropout(x, this.p, this.training);
  }
}
