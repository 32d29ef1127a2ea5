// Is prompt B really better than prompt A on the same examples? A paired bootstrap interval on the metric
// difference and McNemar's test on which examples each gets right, summed up in plain words.
import { bootstrapCi } from './bootstrap-ci.js';
import { classificationMetrics, metricValue } from './metrics.js';

/** McNemar's test on paired correctness. */
export interface McNemar {
  /** Examples A gets right and B wrong. */
  aOnly: number;
  /** Examples B gets right and A wrong. */
  bOnly: number;
  pValue: number;
  /** Exact binomial test (few discordant pairs) or chi-square with continuity correction. */
  method: 'exact' | 'chi2';
}

/** McNemar's test: do A and B err on different examples more than chance would explain? */
export function mcnemar(gold: readonly string[], a: readonly string[], b: readonly string[]): McNemar {
  let aOnly = 0;
  let bOnly = 0;
  gold.forEach((g, i) => {
    const ra = a[i] === g;
    const rb = b[i] === g;
    if (ra && !rb) aOnly++;
    if (rb && !ra) bOnly++;
  });
  const n = aOnly + bOnly;
  if (n === 0) return { aOnly, bOnly, pValue: 1, method: 'exact' };
  if (n < 25) {
    // Two-sided exact binomial test with p = 1/2, summed in log space to stay exact for any n.
    const k = Math.min(aOnly, bOnly);
    let tail = 0;
    for (let i = 0; i <= k; i++) tail += Math.exp(logChoose(n, i) - n * Math.LN2);
    return { aOnly, bOnly, pValue: Math.min(1, 2 * tail), method: 'exact' };
  }
  const stat = (Math.abs(aOnly - bOnly) - 1) ** 2 / n;
  return { aOnly, bOnly, pValue: erfc(Math.sqrt(stat / 2)), method: 'chi2' };
}

/** A paired bootstrap of the difference in a metric between B and A. */
export interface BootstrapDiff {
  metric: string;
  a: number;
  b: number;
  /** b - a on the full data. */
  diff: number;
  /** Percentile interval of b - a over resamples. */
  ci: [number, number];
  confidence: number;
  resamples: number;
}

/** Resamples examples with replacement (the same rows for A and B) and reports the interval of B - A. */
export function bootstrapDiff(
  gold: readonly string[],
  a: readonly string[],
  b: readonly string[],
  labels: readonly string[],
  opts: { metric?: string; resamples?: number; confidence?: number; seed?: number } = {},
): BootstrapDiff {
  const metric = opts.metric ?? 'macro-f1';
  const resamples = opts.resamples ?? 1000;
  const confidence = opts.confidence ?? 0.95;
  const score = (pred: readonly string[], idx: readonly number[]): number =>
    metricValue(
      classificationMetrics(
        idx.map((i) => gold[i] as string),
        idx.map((i) => pred[i] as string),
        labels,
      ),
      metric,
    );
  // The same resampled rows score both A and B: the interval is of a paired difference.
  const boot = bootstrapCi(gold.length, (idx) => score(b, idx) - score(a, idx), {
    samples: resamples,
    level: confidence,
    seed: opts.seed ?? 0,
  });
  const all = gold.map((_, i) => i);
  const sa = score(a, all);
  const sb = score(b, all);
  return { metric, a: sa, b: sb, diff: sb - sa, ci: boot.ci, confidence, resamples };
}

/** One sentence a non-statistician can act on. */
export function verdict(names: [string, string], boot: BootstrapDiff, test: McNemar, alpha = 0.05): string {
  const pts = (x: number): string => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}`;
  const level = `${(100 * boot.confidence).toFixed(0)}% CI`;
  const interval = `${level} ${pts(boot.ci[0])} to ${pts(boot.ci[1])} points`;
  const p = test.pValue < 0.001 ? 'p < 0.001' : `p = ${test.pValue.toFixed(3)}`;
  const excludesZero = boot.ci[0] > 0 || boot.ci[1] < 0;
  if (excludesZero && test.pValue < alpha) {
    // The interval of the winner's gain: B − A as measured, or A − B (the interval mirrored) when A wins.
    const bWins = boot.diff > 0;
    const [winner, loser] = bWins ? [names[1], names[0]] : names;
    const gain = bWins ? interval : `${level} ${pts(-boot.ci[1])} to ${pts(-boot.ci[0])} points`;
    return `${winner} is better than ${loser}: ${boot.metric} ${pts(Math.abs(boot.diff))} points (${gain}; McNemar ${p}). The difference is unlikely to be chance.`;
  }
  return `No reliable difference between ${names[0]} and ${names[1]}: ${boot.metric} ${pts(boot.diff)} points for ${names[1]} (${interval}; McNemar ${p}). Collect more examples or keep the simpler prompt.`;
}

/** log C(n, k). */
function logChoose(n: number, k: number): number {
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}

function logFactorial(n: number): number {
  let s = 0;
  for (let i = 2; i <= n; i++) s += Math.log(i);
  return s;
}

/** Complementary error function: Taylor series of erf near zero, a continued fraction in the tail. */
export function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  if (x < 2.5) {
    // erf(x) = 2/√π Σ (-1)^n x^(2n+1) / (n! (2n+1)); terms shrink fast enough for x < 2.5.
    let term = x;
    let sum = x;
    for (let n = 1; n < 80; n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(x) = e^(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated from the bottom up.
  let k = x;
  for (let n = 60; n >= 1; n--) k = x + n / 2 / k;
  return Math.exp(-x * x) / (Math.sqrt(Math.PI) * k);
}
