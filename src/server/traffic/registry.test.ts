import { describe, expect, it } from 'vitest';
import { keyPosition } from './registry.js';

describe('keyPosition', () => {
  it('is stable, in [0, 1), and spreads keys evenly enough for a split', () => {
    expect(keyPosition('customer-42')).toBe(keyPosition('customer-42'));
    const xs = Array.from({ length: 4000 }, (_, i) => keyPosition(`k${i}`));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const below10 = xs.filter((x) => x < 0.1).length / xs.length;
    expect(below10).toBeGreaterThan(0.08);
    expect(below10).toBeLessThan(0.12);
  });
});
