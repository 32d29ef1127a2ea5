// AdamW and SGD, run by libtorch's own implementations, with parameter groups and a settable learning rate.
import { type NativeOptimizer, native } from '../native.js';
import { Tensor } from '../tensor.js';

/** One parameter's optimiser state: its step count and moment tensors (null before its first update). */
export type ParamState = { step: number; tensors: Tensor[] } | null;

/** A set of parameters sharing a learning rate and weight decay (e.g. no decay on biases and LayerNorm). */
export interface ParamGroup {
  params: Tensor[];
  lr?: number;
  weightDecay?: number;
}

/** Common interface of the optimisers, so training loops and schedules need not know which one runs. */
export abstract class Optimizer {
  readonly #h: NativeOptimizer;
  readonly groups: ParamGroup[];

  protected constructor(
    kind: 'adamw' | 'sgd',
    params: Tensor[] | ParamGroup[],
    options: Record<string, number | boolean | undefined>,
  ) {
    this.groups = isGroups(params) ? params : [{ params }];
    this.#h = new native.OptimizerHandle(
      kind,
      this.groups.map((g) => ({ params: g.params.map((p) => p.handle), lr: g.lr, weightDecay: g.weightDecay })),
      options,
    );
  }

  /** Applies one update from the current gradients. */
  step(): void {
    this.#h.step();
  }

  /** Drops every gradient (frees their memory until the next backward). */
  zeroGrad(): void {
    this.#h.zeroGrad();
  }

  /** Sets the learning rate of every group (or of one). */
  setLr(lr: number, group?: number): void {
    this.#h.setLr(lr, group);
  }

  getLr(group = 0): number {
    return this.#h.getLr(group);
  }

  /** Copies of the per-parameter state in group order (for checkpoints); the caller owns the tensors. */
  state(): ParamState[] {
    return this.#h.state().map((e) => e && { step: e.step, tensors: e.tensors.map((h) => new Tensor(h)) });
  }

  /** Restores what state() returned (tensors are copied; shapes must match the parameters). */
  loadState(entries: ParamState[]): void {
    this.#h.loadState(entries.map((e) => e && { step: e.step, tensors: e.tensors.map((t) => t.handle) }));
  }

  /** Frees the optimiser state (moment estimates). */
  dispose(): void {
    this.#h.dispose();
  }
}

function isGroups(p: Tensor[] | ParamGroup[]): p is ParamGroup[] {
  return p.length > 0 && 'params' in (p[0] as object);
}

/** AdamW hyper-parameters; defaults are PyTorch's. */
export interface AdamWOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
}

/** Adam with decoupled weight decay (torch.optim.AdamW). */
export class AdamW extends Optimizer {
  constructor(params: Tensor[] | ParamGroup[], opts: AdamWOptions = {}) {
    super('adamw', params, {
      lr: opts.lr ?? 1e-3,
      beta1: opts.betas?.[0] ?? 0.9,
      beta2: opts.betas?.[1] ?? 0.999,
      eps: opts.eps ?? 1e-8,
      weightDecay: opts.weightDecay ?? 0.01,
      amsgrad: opts.amsgrad ?? false,
    });
  }
}

/** SGD hyper-parameters; defaults are PyTorch's. */
export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

/** Stochastic gradient descent with optional momentum (torch.optim.SGD). */
export class SGD extends Optimizer {
  constructor(params: Tensor[] | ParamGroup[], opts: SGDOptions) {
    super('sgd', params, {
      lr: opts.lr,
      momentum: opts.momentum ?? 0,
      dampening: opts.dampening ?? 0,
      weightDecay: opts.weightDecay ?? 0,
      nesterov: opts.nesterov ?? false,
    });
  }
}
