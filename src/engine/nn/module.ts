// Module: a tree of named parameters (dotted names, as Hugging Face checkpoints spell them) and a train/eval flag.
import { noGrad } from '../autograd.js';
import { engineError } from '../errors.js';
import { keep } from '../scope.js';
import type { Tensor } from '../tensor.js';

/** What loadStateDict found: keys the module wanted but did not get, and keys nobody asked for. */
export interface LoadReport {
  missing: string[];
  unexpected: string[];
}

/** Base class of every layer and model. Parameters are kept out of tidy() scopes and owned by the module. */
export class Module {
  /** Dropout and similar layers behave differently when training. */
  training = true;
  readonly #params = new Map<string, Tensor>();
  readonly #buffers = new Map<string, Tensor>();
  readonly #children = new Map<string, Module>();

  /** Registers a trainable parameter under `name`. */
  protected param(name: string, t: Tensor): Tensor {
    keep(t);
    t.requiresGrad_(true);
    this.#params.set(name, t);
    return t;
  }

  /** Swaps the parameter registered as `name` for `t` (e.g. a resized embedding), freeing the old tensor. */
  protected replaceParam(name: string, t: Tensor): Tensor {
    const old = this.#params.get(name);
    if (old === undefined) throw engineError('replaceParam', 'ENGINE_ERROR', `no parameter named '${name}'`);
    const grad = old.requiresGrad;
    this.param(name, t).requiresGrad_(grad);
    if (old !== t) old.dispose();
    return t;
  }

  /** Registers a non-trainable tensor that is saved with the module (e.g. position ids). */
  protected buffer(name: string, t: Tensor): Tensor {
    keep(t);
    this.#buffers.set(name, t);
    return t;
  }

  /** Registers a sub-module under `name`. */
  protected child<M extends Module>(name: string, m: M): M {
    this.#children.set(name, m);
    return m;
  }

  /** Every parameter with its full dotted name, depth first in registration order. */
  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, t] of this.#params) out.push([prefix + n, t]);
    // A child registered under '' is transparent: its names join the parent's level (a bare model's body).
    for (const [n, m] of this.#children) out.push(...m.namedParameters(n === '' ? prefix : `${prefix}${n}.`));
    return out;
  }

  /** This module and every descendant with its dotted name ('' for this one), depth first. */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix.replace(/\.$/, ''), this]];
    for (const [n, m] of this.#children) {
      if (n === '') out.push(...m.namedModules(prefix).slice(1));
      else out.push(...m.namedModules(`${prefix}${n}.`));
    }
    return out;
  }

  /** Removes a sub-module registered under `name` (its tensors stay alive; dispose them if no longer needed). */
  protected removeChild(name: string): void {
    this.#children.delete(name);
  }

  /** Every buffer with its full dotted name. */
  namedBuffers(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, t] of this.#buffers) out.push([prefix + n, t]);
    for (const [n, m] of this.#children) out.push(...m.namedBuffers(n === '' ? prefix : `${prefix}${n}.`));
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Total number of parameter elements. */
  parameterCount(): number {
    return this.parameters().reduce((n, t) => n + t.numel, 0);
  }

  /** Sets training mode on this module and all children. */
  train(on = true): this {
    this.training = on;
    for (const m of this.#children.values()) m.train(on);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Parameters and buffers by dotted name (the live tensors, not copies). */
  stateDict(): Map<string, Tensor> {
    return new Map([...this.namedParameters(), ...this.namedBuffers()]);
  }

  /** Copies tensors into the module by name, checking every shape. strict (default) throws on any mismatch. */
  loadStateDict(state: Map<string, Tensor>, opts: { strict?: boolean } = {}): LoadReport {
    const own = this.stateDict();
    const missing = [...own.keys()].filter((k) => !state.has(k));
    const unexpected = [...state.keys()].filter((k) => !own.has(k));
    const strict = opts.strict ?? true;
    if (strict && (missing.length || unexpected.length)) {
      throw engineError(
        'loadStateDict',
        'ENGINE_SHAPE',
        `state does not match the module: missing [${missing.join(', ')}], unexpected [${unexpected.join(', ')}]`,
      );
    }
    noGrad(() => {
      for (const [k, dst] of own) {
        const src = state.get(k);
        if (src === undefined) continue;
        if (src.shape.join() !== dst.shape.join()) {
          throw engineError(
            'loadStateDict',
            'ENGINE_SHAPE',
            `${k}: expected shape [${dst.shape.join(', ')}], got [${src.shape.join(', ')}]`,
          );
        }
        dst.copy_(src);
      }
    });
    return { missing, unexpected };
  }

  /** Frees every parameter and buffer of this module and its children. */
  dispose(): void {
    for (const t of this.#params.values()) t.dispose();
    for (const t of this.#buffers.values()) t.dispose();
    for (const m of this.#children.values()) m.dispose();
  }
}

/** An indexed list of modules, named 0, 1, 2... (Hugging Face's `layer.0.…`). */
export class ModuleList<M extends Module> extends Module {
  readonly items: M[];

  constructor(items: M[]) {
    super();
    this.items = items;
    items.forEach((m, i) => this.child(String(i), m));
  }
}
