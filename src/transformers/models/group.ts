// A module that only names its children and parameters, so nested Hugging Face key paths
// (cls.predictions.transform.dense) need no one-off class per level.
import { Module, type Tensor } from '../../engine/index.js';

/** Named sub-modules and parameters under one dotted prefix; `modules` and `params` keep their static types. */
export class Group<C extends Record<string, Module>, P extends Record<string, Tensor> = Record<never, Tensor>> extends Module {
  /** Creates the group and registers every child and parameter under its key. */
  constructor(
    readonly modules: C,
    readonly params: P = {} as P,
  ) {
    super();
    for (const [k, m] of Object.entries(modules)) this.child(k, m);
    for (const [k, t] of Object.entries(params)) this.param(k, t);
  }

  /** Swaps a parameter (e.g. a resized bias) and keeps `params` pointing at the live tensor. */
  setParam(name: keyof P & string, t: Tensor): void {
    (this.params as Record<string, Tensor>)[name] = this.replaceParam(name, t);
  }
}
