// bench:serve's reading of the server's batch-size histogram from /metrics: per model, differences, buckets.
import { describe, expect, it } from 'vitest';
import { bucketCounts, describeHistogram, histogramDelta, readHistogram } from '../bench/serve/histogram.js';

const text = (live: number[], sum: number, canary = 0): string =>
  [
    '# HELP promptune_batch_size Examples per forward pass',
    '# TYPE promptune_batch_size histogram',
    ...[1, 2, 4, 8].map((le, i) => `promptune_batch_size_bucket{le="${le}",model="live"} ${live[i]}`),
    `promptune_batch_size_bucket{le="+Inf",model="live"} ${live[3]}`,
    `promptune_batch_size_sum{model="live"} ${sum}`,
    `promptune_batch_size_count{model="live"} ${live[3]}`,
    `promptune_batch_size_bucket{le="1",model="canary"} ${canary}`,
    `promptune_batch_size_bucket{le="+Inf",model="canary"} ${canary}`,
    `promptune_batch_size_sum{model="canary"} ${canary}`,
    `promptune_batch_size_count{model="canary"} ${canary}`,
    'promptune_batch_size_duration_seconds_count{model="live"} 99',
    'promptune_process_cpu_seconds_total 1.5',
  ].join('\n');

describe('bench:serve histogram reading', () => {
  it('reads cumulative buckets, sum and count of one model, ignoring look-alike metrics', () => {
    const h = readHistogram(text([2, 2, 5, 6], 20), 'promptune_batch_size', { model: 'live' });
    expect(h.buckets).toEqual([
      { le: 1, count: 2 },
      { le: 2, count: 2 },
      { le: 4, count: 5 },
      { le: 8, count: 6 },
      { le: Number.POSITIVE_INFINITY, count: 6 },
    ]);
    expect(h).toMatchObject({ sum: 20, count: 6 });
  });

  it('sums the series of every model without a label filter, and is empty for an absent metric', () => {
    const h = readHistogram(text([1, 1, 1, 1], 1, 3), 'promptune_batch_size');
    expect(h.count).toBe(4);
    expect(h.buckets[0]).toEqual({ le: 1, count: 4 });
    expect(readHistogram(text([1, 1, 1, 1], 1), 'nope')).toEqual({ buckets: [], sum: 0, count: 0 });
  });

  it('takes the difference of two readings and turns it into per-bucket counts and a line', () => {
    const before = readHistogram(text([2, 2, 5, 6], 20), 'promptune_batch_size', { model: 'live' });
    const after = readHistogram(text([2, 3, 9, 14], 80), 'promptune_batch_size', { model: 'live' });
    const d = histogramDelta(before, after);
    expect(d).toMatchObject({ sum: 60, count: 8 });
    expect(bucketCounts(d).map((b) => b.count)).toEqual([0, 1, 3, 4, 0]);
    expect(describeHistogram(d)).toBe('mean 7.5 (≤2: 1, ≤4: 3, ≤8: 4)');
    expect(describeHistogram(histogramDelta(after, after))).toBe('none');
  });
});
