// An online A/B comparison that stays valid while you watch: the mixture sequential probability ratio test
// (mSPRT, Johari, Pekelis & Walsh, "Always valid inference", 2017) on the difference of two success rates, with a
// normal prior of scale tau on that difference. Its p-value may be checked after every new observation and the
// test stopped whenever it says so, without inflating false positives — unlike a fixed-sample test peeked at
// repeatedly.

/** One side's outcomes so far. */
export interface SuccessCount {
  successes: number;
  trials: number;
}

/** Where the comparison of B against A stands. */
export interface SequentialResult {
  /** B's success rate minus A's. */
  diff: number;
  /** Always-valid p-value: the smallest 1/Λ seen along the way (1 before any evidence). */
  pValue: number;
  /** An always-valid confidence interval for the difference (confidence sequence), at level 1 − alpha. */
  ci: [number, number];
  significant: boolean;
  alpha: number;
}

/** Options of the test. */
export interface SequentialOptions {
  /** Level of the test (default 0.05). */
  alpha?: number;
  /** Prior scale of the difference (default 0.1: effects of around ten points). */
  tau?: number;
}

interface Step {
  diff: number;
  variance: number;
}

function step(a: SuccessCount, b: SuccessCount): Step | undefined {
  if (a.trials < 2 || b.trials < 2) return undefined;
  const pa = a.successes / a.trials;
  const pb = b.successes / b.trials;
  // A rate of exactly 0 or 1 would give zero variance and infinite evidence; shrink it by half an observation.
  const clamp = (p: number, n: number) => Math.min(1 - 0.5 / n, Math.max(0.5 / n, p));
  const va = clamp(pa, a.trials);
  const vb = clamp(pb, b.trials);
  return { diff: pb - pa, variance: (va * (1 - va)) / a.trials + (vb * (1 - vb)) / b.trials };
}

/** The mixture likelihood ratio Λ for the current counts. */
function lambda(s: Step, tau2: number): number {
  const v = s.variance;
  return Math.sqrt(v / (v + tau2)) * Math.exp((tau2 * s.diff * s.diff) / (2 * v * (v + tau2)));
}

/**
 * Runs the test along a sequence of outcomes in arrival order (side "a" or "b", success or not), so the p-value
 * is the running minimum the method requires, whenever the comparison is looked at.
 */
export function sequentialComparison(
  outcomes: readonly { side: 'a' | 'b'; success: boolean }[],
  opts: SequentialOptions = {},
): SequentialResult & { a: SuccessCount; b: SuccessCount } {
  const alpha = opts.alpha ?? 0.05;
  const tau2 = (opts.tau ?? 0.1) ** 2;
  const a: SuccessCount = { successes: 0, trials: 0 };
  const b: SuccessCount = { successes: 0, trials: 0 };
  let pValue = 1;
  for (const o of outcomes) {
    const side = o.side === 'a' ? a : b;
    side.trials++;
    if (o.success) side.successes++;
    const s = step(a, b);
    if (s) pValue = Math.min(pValue, 1 / lambda(s, tau2));
  }
  const s = step(a, b);
  let ci: [number, number] = [-1, 1];
  if (s) {
    const v = s.variance;
    const half = Math.sqrt(((v * (v + tau2)) / tau2) * (2 * Math.log(1 / alpha) + Math.log((v + tau2) / v)));
    ci = [Math.max(-1, s.diff - half), Math.min(1, s.diff + half)];
  }
  return { a, b, diff: s?.diff ?? 0, pValue, ci, significant: pValue < alpha, alpha };
}
