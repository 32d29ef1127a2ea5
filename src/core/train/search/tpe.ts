// The smarter sampler: a tree-structured Parzen estimator (Bergstra et al., 2011), univariate as in hyperopt.
//
// Why TPE and not successive halving: halving compares trials part-way and continues the promising ones with
// more budget, but a promptune run's learning-rate schedule (warm-up, linear or cosine decay) is laid out over
// its total steps, so a trial cut after one epoch of four is not a one-epoch run, and continuing it needs the
// budget fixed up front; it also judges slow starters (small learning rates) too early. TPE treats each trial
// as one whole run, which is exactly what a queued run is: propose → enqueue → run → observe. Trials still
// running elsewhere count as bad ("constant liar"), so several workers sharing the queue spread out instead of
// proposing the same point.
import { seededRandom } from '../../../shared/index.js';
import { fitParzen, parzenLogPdf, sampleParzen } from './parzen.js';
import { randomSearch, sampleDimension } from './samplers.js';
import { type Assignment, type ChoiceDimension, type ParamValue, type SearchSpace, toUnit } from './space.js';

/** A trial so far: its configuration and objective (higher is better); no finite value = failed or unfinished. */
export interface Observation {
  params: Assignment;
  value?: number;
}

/** TPE settings. */
export interface TpeOptions {
  seed: number;
  /** The first this many trials are random (the same as randomSearch with this seed): TPE needs data first. */
  startup?: number;
  /** The best this fraction of finished trials form the "good" density l(x). */
  gamma?: number;
  /** Candidates drawn from l(x) per hyper-parameter; the one with the highest l(x)/g(x) wins. */
  candidates?: number;
}

const same = (a: Assignment, b: Assignment): boolean =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

/** The next configuration to try given the trials so far; fully determined by the seed and the history. */
export function tpeSuggest(space: SearchSpace, history: readonly Observation[], opts: TpeOptions): Assignment {
  const { seed, startup = 5, gamma = 0.25, candidates = 24 } = opts;
  if (history.length < startup) return randomSearch(space, startup, seed)[history.length] as Assignment;
  const rng = seededRandom((Math.imul(seed, 0x9e3779b1) ^ Math.imul(history.length + 1, 0x85ebca6b)) >>> 0);
  const finished = history.filter((o) => Number.isFinite(o.value)).sort((a, b) => (b.value as number) - (a.value as number));
  const draw = (): Assignment => Object.fromEntries(Object.entries(space).map(([n, d]) => [n, sampleDimension(d, rng)]));
  if (finished.length === 0) return draw();
  const nGood = Math.max(1, Math.ceil(gamma * finished.length));
  const good = finished.slice(0, nGood).map((o) => o.params);
  const bad = [...finished.slice(nGood), ...history.filter((o) => !Number.isFinite(o.value))].map((o) => o.params);
  const proposal: Assignment = {};
  for (const [name, d] of Object.entries(space)) {
    if (d.kind === 'choice') {
      proposal[name] = bestChoice(d, good, bad, name, candidates, rng);
      continue;
    }
    const u = toUnit(d);
    const at = (ps: Assignment[]): number[] =>
      ps.map((p) => p[name]).flatMap((v) => (typeof v === 'number' && v >= d.min && v <= d.max ? [u.to(v)] : []));
    const l = fitParzen(at(good), u.low, u.high);
    const g = fitParzen(at(bad), u.low, u.high);
    let best = Number.NaN;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < candidates; c++) {
      const x = sampleParzen(l, rng);
      const score = parzenLogPdf(l, x) - parzenLogPdf(g, x);
      if (score > bestScore) [best, bestScore] = [x, score];
    }
    proposal[name] = u.from(best);
  }
  // Training is deterministic for a given configuration, so a repeat teaches nothing: try fresh points instead.
  for (let tries = 0; tries < 32 && history.some((o) => same(o.params, proposal)); tries++) Object.assign(proposal, draw());
  return proposal;
}

/** The listed value with the highest l/g among candidates drawn from l; counts with one pseudo-count each. */
function bestChoice(
  d: ChoiceDimension,
  good: Assignment[],
  bad: Assignment[],
  name: string,
  candidates: number,
  rng: () => number,
): ParamValue {
  const weights = (ps: Assignment[]): number[] => d.values.map((v) => 1 + ps.filter((p) => p[name] === v).length);
  const l = weights(good);
  const g = weights(bad);
  const lSum = l.reduce((a, b) => a + b, 0);
  const gSum = g.reduce((a, b) => a + b, 0);
  let best = 0;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < candidates; c++) {
    let pick = rng() * lSum;
    let i = 0;
    while (i < l.length - 1 && pick >= (l[i] as number)) pick -= l[i++] as number;
    const score = Math.log((l[i] as number) / lSum) - Math.log((g[i] as number) / gSum);
    if (score > bestScore) [best, bestScore] = [i, score];
  }
  return d.values[best] as ParamValue;
}
