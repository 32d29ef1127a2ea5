// The population stability index: how far a live distribution has moved from a reference one, summed over bins
// as (live − ref) · ln(live / ref). Rule of thumb: < 0.1 stable, 0.1–0.2 moderate shift, > 0.2 significant.

// Empty bins would make the logarithm infinite; a small floor keeps one empty bin from dominating.
const FLOOR = 1e-4;

/** PSI between two distributions given as proportions over the same bins. */
export function psi(reference: readonly number[], live: readonly number[]): number {
  if (reference.length !== live.length) throw new Error(`psi: ${reference.length} reference bins but ${live.length} live bins`);
  let total = 0;
  reference.forEach((r, i) => {
    const a = Math.max(r, FLOOR);
    const b = Math.max(live[i] as number, FLOOR);
    total += (b - a) * Math.log(b / a);
  });
  return total;
}

/** Bin edges at the reference's quantiles (deciles by default), duplicates removed. */
export function quantileEdges(values: readonly number[], bins = 10): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return [];
  const edges: number[] = [];
  for (let i = 1; i < bins; i++) {
    const e = sorted[Math.min(sorted.length - 1, Math.floor((i * sorted.length) / bins))] as number;
    if (edges[edges.length - 1] !== e) edges.push(e);
  }
  return edges;
}

/** Proportions of values per bin: bin i holds values < edges[i] (and ≥ edges[i-1]); the last bin the rest. */
export function binProportions(values: readonly number[], edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const v of values) {
    let i = 0;
    while (i < edges.length && v >= (edges[i] as number)) i++;
    counts[i] = (counts[i] as number) + 1;
  }
  return counts.map((c) => (values.length ? c / values.length : 0));
}

/** Proportions per category, in the order of `categories` plus "(other)" for anything else. */
export function categoryProportions(values: readonly string[], categories: readonly string[]): number[] {
  const counts = new Array<number>(categories.length + 1).fill(0);
  for (const v of values) {
    const i = categories.indexOf(v);
    const k = i < 0 ? categories.length : i;
    counts[k] = (counts[k] as number) + 1;
  }
  return counts.map((c) => (values.length ? c / values.length : 0));
}
