// A Parzen estimator on an interval: a mixture of normals truncated to [low, high], one at each observed point
// plus a wide prior component, so the density is never zero and a handful of points already gives a shape.

/** A fitted mixture: component centres, widths, weights and the mass each keeps inside [low, high]. */
export interface Parzen {
  low: number;
  high: number;
  mus: number[];
  sigmas: number[];
  weights: number[];
  masses: number[];
}

/** erfc(x), Numerical Recipes' Chebyshev fit: fractional error below 1.2e-7 everywhere. */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const r = t * Math.exp(-z * z + poly);
  return x >= 0 ? r : 2 - r;
}

/** The standard normal distribution function. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/**
 * Fits the mixture: each point's width is its larger gap to a neighbouring centre (the range's ends bound the
 * outermost ones), clipped to [range / min(100, n + 1), range]; the prior sits mid-range with the whole range
 * as width. Wide where points are sparse, narrow where they cluster — the usual TPE bandwidth rule.
 */
export function fitParzen(points: readonly number[], low: number, high: number, priorWeight = 1): Parzen {
  const width = high - low;
  const mus = [...points, (low + high) / 2];
  const prior = mus.length - 1;
  const order = mus.map((_, i) => i).sort((a, b) => (mus[a] as number) - (mus[b] as number));
  const minSigma = width / Math.min(100, mus.length + 1);
  const sigmas = new Array<number>(mus.length).fill(width);
  order.forEach((idx, k) => {
    if (idx === prior) return;
    const mu = mus[idx] as number;
    const left = k === 0 ? low : (mus[order[k - 1] as number] as number);
    const right = k === order.length - 1 ? high : (mus[order[k + 1] as number] as number);
    sigmas[idx] = Math.min(width, Math.max(minSigma, mu - left, right - mu));
  });
  const weights = mus.map((_, i) => (i === prior ? priorWeight : 1));
  const masses = mus.map((mu, i) => {
    const s = sigmas[i] as number;
    return normalCdf((high - mu) / s) - normalCdf((low - mu) / s);
  });
  return { low, high, mus, sigmas, weights, masses };
}

/** log density of the mixture at x (x in [low, high]). */
export function parzenLogPdf(p: Parzen, x: number): number {
  const total = p.weights.reduce((a, b) => a + b, 0);
  const terms = p.mus.map((mu, i) => {
    const s = p.sigmas[i] as number;
    const z = (x - mu) / s;
    return (
      Math.log((p.weights[i] as number) / total) - 0.5 * z * z - Math.log(s * Math.sqrt(2 * Math.PI) * (p.masses[i] as number))
    );
  });
  const top = Math.max(...terms);
  return top + Math.log(terms.reduce((a, t) => a + Math.exp(t - top), 0));
}

/** One draw from the mixture: a component by weight, then its normal until the draw falls inside [low, high]. */
export function sampleParzen(p: Parzen, rng: () => number): number {
  const total = p.weights.reduce((a, b) => a + b, 0);
  let pick = rng() * total;
  let i = 0;
  while (i < p.weights.length - 1 && pick >= (p.weights[i] as number)) pick -= p.weights[i++] as number;
  const mu = p.mus[i] as number;
  const s = p.sigmas[i] as number;
  // Each component keeps at least a third of its mass inside (its centre is inside, its width at most the range).
  for (let tries = 0; tries < 64; tries++) {
    const normal = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    const x = mu + s * normal;
    if (x >= p.low && x <= p.high) return x;
  }
  return Math.min(p.high, Math.max(p.low, mu));
}
