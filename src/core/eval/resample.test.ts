// The shared bootstrap halves: indices in range and reproducible, and numpy.percentile's linear interpolation.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../shared/index.js';
import { percentileInterval, resampleIndices } from './resample.js';

describe('resampling', () => {
  it('draws n in-range indices, the same for the same generator state', () => {
    const idx = resampleIndices(7, seededRandom(9));
    expect(idx).toHaveLength(7);
    expect(idx.every((i) => Number.isInteger(i) && i >= 0 && i < 7)).toBe(true);
    expect(resampleIndices(7, seededRandom(9))).toEqual(idx);
  });

  it('interpolates between order statistics as numpy.percentile', () => {
    // np.percentile([5, 1, 4, 2, 3], [25, 75]) == [2, 4]; np.percentile([0, 10], [5, 95]) == [0.5, 9.5].
    expect(percentileInterval([5, 1, 4, 2, 3], 0.5)).toEqual([2, 4]);
    const [lo, hi] = percentileInterval([10, 0], 0.9);
    expect(lo).toBeCloseTo(0.5, 12);
    expect(hi).toBeCloseTo(9.5, 12);
    expect(percentileInterval([3], 0.95)).toEqual([3, 3]);
  });
});
