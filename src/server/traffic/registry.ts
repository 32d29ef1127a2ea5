// The model versions a server holds and how traffic is shared between them: a request can pin a version by name;
// otherwise the split decides, sticky by a caller-supplied key (the same customer always meets the same version,
// so an A/B comparison is not muddled by people switching sides). Promotion and rollback only swap the split,
// so they take effect on the next request with no restart.
import { createHash } from 'node:crypto';
import { ServerError } from '../errors.js';
import type { ServedModel } from '../models/served-model.js';

/** A share of traffic per version name; shares are normalised to sum to 1. */
export type TrafficSplit = Record<string, number>;

/** Where [0, 1) a key falls: the first 52 bits of its sha256, so assignment is stable across processes. */
export function keyPosition(key: string): number {
  const hex = createHash('sha256').update(key).digest('hex').slice(0, 13);
  return Number.parseInt(hex, 16) / 2 ** 52;
}

/** The loaded versions and the current split. */
export class ModelRegistry {
  readonly #models = new Map<string, ServedModel>();
  #split: { name: string; share: number }[] = [];

  /** Adds a loaded version; the first one added takes all traffic. */
  add(model: ServedModel): void {
    const name = model.identity.name;
    if (this.#models.has(name))
      throw new ServerError(
        409,
        'BAD_REQUEST',
        `a model named "${name}" is already served: unload it first or pick another name.`,
      );
    this.#models.set(name, model);
    if (!this.#split.length) this.#split = [{ name, share: 1 }];
  }

  /** Removes a version that takes no traffic, and returns it (the caller closes it). */
  remove(name: string): ServedModel {
    const model = this.get(name);
    if (this.#split.some((s) => s.name === name && s.share > 0))
      throw new ServerError(
        409,
        'BAD_REQUEST',
        `model "${name}" still takes ${Math.round(this.share(name) * 100)} % of traffic: promote another version or change the split first.`,
      );
    this.#models.delete(name);
    this.#split = this.#split.filter((s) => s.name !== name);
    return model;
  }

  /** The version with this name; 404 naming the ones served. */
  get(name: string): ServedModel {
    const m = this.#models.get(name);
    if (!m)
      throw new ServerError(
        404,
        'NOT_FOUND',
        `no model named "${name}" is served: use one of ${[...this.#models.keys()].join(', ') || '(none)'}.`,
      );
    return m;
  }

  /** Every served version. */
  list(): ServedModel[] {
    return [...this.#models.values()];
  }

  /** The share of traffic a version gets now. */
  share(name: string): number {
    return this.#split.find((s) => s.name === name)?.share ?? 0;
  }

  /** The current split. */
  get split(): TrafficSplit {
    return Object.fromEntries(this.#split.map((s) => [s.name, s.share]));
  }

  /** Replaces the split (e.g. { v1: 90, v2: 10 }); every name must be served and the shares positive. */
  setSplit(split: TrafficSplit): void {
    const entries = Object.entries(split).filter(([, w]) => w > 0);
    for (const [name, w] of Object.entries(split)) {
      this.get(name);
      if (!(Number.isFinite(w) && w >= 0))
        throw new ServerError(400, 'BAD_REQUEST', `split share for "${name}" is ${w}: give a number ≥ 0 (e.g. 90 and 10).`);
    }
    const total = entries.reduce((a, [, w]) => a + w, 0);
    if (!total)
      throw new ServerError(400, 'BAD_REQUEST', 'the split gives no traffic to any model: give at least one share > 0.');
    this.#split = entries.map(([name, w]) => ({ name, share: w / total }));
  }

  /** Sends all traffic to one version (promotion, or rollback to the previous one). */
  promote(name: string): void {
    this.setSplit({ [name]: 1 });
  }

  /** The version that answers a request: the pinned one, else the split's pick for `key` (random without one). */
  choose(pinned?: string, key?: string): ServedModel {
    if (pinned) return this.get(pinned);
    if (!this.#split.length) throw new ServerError(503, 'UNAVAILABLE', 'no model is loaded yet: retry shortly.', 5);
    const x = key === undefined ? Math.random() : keyPosition(key);
    let acc = 0;
    for (const s of this.#split) {
      acc += s.share;
      if (x < acc) return this.get(s.name);
    }
    return this.get((this.#split[this.#split.length - 1] as { name: string }).name);
  }
}
