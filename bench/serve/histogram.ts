// Reads one Prometheus histogram (cumulative `_bucket{le=…}` lines, `_sum`, `_count`) out of a /metrics text, and
// the difference of two readings, so a bench can show what happened during one load-test cell alone.

/** A histogram reading: cumulative counts per upper bound (ascending, `+Inf` last), the sum and the count. */
export interface HistogramReading {
  buckets: { le: number; count: number }[];
  sum: number;
  count: number;
}

const LINE = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})?\s+(\S+)/;

/** The labels of a sample line's `{…}` part. */
function labelsOf(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of (text ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) out[m[1] as string] = m[2] as string;
  return out;
}

/**
 * The histogram `name` from Prometheus text, summed over the series whose labels include `match` (all series
 * when empty); an empty reading when the metric has no samples yet.
 */
export function readHistogram(text: string, name: string, match: Record<string, string> = {}): HistogramReading {
  const buckets = new Map<number, number>();
  let sum = 0;
  let count = 0;
  for (const line of text.split('\n')) {
    const m = LINE.exec(line.trim());
    if (!m || line.startsWith('#')) continue;
    const labels = labelsOf(m[2]);
    if (!Object.entries(match).every(([k, v]) => labels[k] === v)) continue;
    const value = Number(m[3]);
    if (m[1] === `${name}_bucket`) {
      const le = labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(labels.le);
      buckets.set(le, (buckets.get(le) ?? 0) + value);
    } else if (m[1] === `${name}_sum`) sum += value;
    else if (m[1] === `${name}_count`) count += value;
  }
  return {
    buckets: [...buckets].sort((a, b) => a[0] - b[0]).map(([le, c]) => ({ le, count: c })),
    sum,
    count,
  };
}

/** What was observed between two readings of the same histogram. */
export function histogramDelta(before: HistogramReading, after: HistogramReading): HistogramReading {
  const was = new Map(before.buckets.map((b) => [b.le, b.count]));
  return {
    buckets: after.buckets.map((b) => ({ le: b.le, count: b.count - (was.get(b.le) ?? 0) })),
    sum: after.sum - before.sum,
    count: after.count - before.count,
  };
}

/** Observations per bucket (not cumulative): how many fell in (previous le, le]. */
export function bucketCounts(h: HistogramReading): { le: number; count: number }[] {
  return h.buckets.map((b, i) => ({ le: b.le, count: b.count - (i ? (h.buckets[i - 1] as { count: number }).count : 0) }));
}

/** The reading as one short line: the mean and the non-empty buckets, e.g. "mean 7.2 (≤4: 10, ≤8: 90)". */
export function describeHistogram(h: HistogramReading): string {
  if (!h.count) return 'none';
  const parts = bucketCounts(h)
    .filter((b) => b.count > 0)
    .map((b) => `${Number.isFinite(b.le) ? `≤${b.le}` : `>${h.buckets.at(-2)?.le ?? 0}`}: ${b.count}`);
  return `mean ${(h.sum / h.count).toFixed(1)} (${parts.join(', ')})`;
}
