// The two plain samplers: every combination of listed values (grid), or n seeded draws (random).
import { seededRandom } from '../../../shared/index.js';
import { SearchError } from './errors.js';
import { type Assignment, type Dimension, type SearchSpace, toUnit } from './space.js';

/** Every combination of the listed values, the last hyper-parameter varying fastest; ranges are refused. */
export function gridSearch(space: SearchSpace): Assignment[] {
  const names = Object.keys(space);
  const lists = names.map((name) => {
    const d = space[name] as Dimension;
    if (d.kind === 'range')
      throw new SearchError(
        'SEARCH_SAMPLER',
        `${name} is a range (${d.min} to ${d.max}): a grid needs a list of values, e.g. ${name}: [${d.min}, ${d.max}], or use the random or tpe sampler.`,
      );
    return d.values;
  });
  let out: Assignment[] = [{}];
  names.forEach((name, i) => {
    out = out.flatMap((a) => (lists[i] ?? []).map((v) => ({ ...a, [name]: v })));
  });
  return out;
}

/** One uniform draw of `d`: a listed value, or a point of the range on its scale. */
export function sampleDimension(d: Dimension, rng: () => number): Assignment[string] {
  if (d.kind === 'choice') return d.values[Math.floor(rng() * d.values.length)] as Assignment[string];
  const u = toUnit(d);
  return u.from(u.low + rng() * (u.high - u.low));
}

/** `n` configurations drawn uniformly (log-uniformly for log ranges), fully determined by `seed`; the first k of n equal the k of k. */
export function randomSearch(space: SearchSpace, n: number, seed: number): Assignment[] {
  if (!Number.isInteger(n) || n < 1)
    throw new SearchError('SEARCH_SAMPLER', `trials is ${n}: random search needs a whole number of trials ≥ 1.`);
  const rng = seededRandom(seed);
  return Array.from({ length: n }, () =>
    Object.fromEntries(Object.entries(space).map(([name, d]) => [name, sampleDimension(d, rng)])),
  );
}
