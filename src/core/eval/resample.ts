// The two halves of every percentile bootstrap here: drawing indices with replacement from a seeded generator,
// and reading an interval off the resampled statistics.

/** n indices drawn uniformly with replacement from 0..n-1, from `rand` (one call per index, in order). */
export function resampleIndices(n: number, rand: () => number): number[] {
  return Array.from({ length: n }, () => Math.floor(rand() * n));
}

/** The central `level` percentile interval, interpolated linearly between order statistics as numpy.percentile. */
export function percentileInterval(values: readonly number[], level: number): [number, number] {
  const sorted = [...values].sort((a, b) => a - b);
  return [quantile(sorted, (1 - level) / 2), quantile(sorted, (1 + level) / 2)];
}

function quantile(sorted: readonly number[], q: number): number {
  const pos = q * (sorted.length - 1);
  const below = Math.floor(pos);
  const above = Math.min(sorted.length - 1, below + 1);
  const a = sorted[below] as number;
  return a + (pos - below) * ((sorted[above] as number) - a);
}
