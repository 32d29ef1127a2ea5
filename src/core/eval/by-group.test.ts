// Per-group metrics on a hand-built set: group order, and each group's metrics equal to the metrics of its rows.
import { describe, expect, it } from 'vitest';
import { classificationMetrics, metricsByGroup } from './index.js';

describe('metricsByGroup', () => {
  const labels = ['pos', 'neg'];
  const gold = ['pos', 'neg', 'pos', 'pos', 'neg', 'neg', 'pos'];
  const predicted = ['pos', 'neg', 'neg', 'pos', 'pos', 'neg', 'pos'];
  const groups = ['fr', 'en', 'en', 'de', 'de', 'en', 'fr'];

  it('lists groups largest first, ties by name, each scored on its own rows', () => {
    const by = metricsByGroup(gold, predicted, groups, labels);
    expect([...by.keys()]).toEqual(['en', 'de', 'fr']);
    expect([...by.values()].map((m) => [m.n, m.accuracy])).toEqual([
      [3, 2 / 3],
      [2, 1 / 2],
      [2, 1],
    ]);
    expect(by.get('de')).toEqual(classificationMetrics(['pos', 'neg'], ['pos', 'pos'], labels));
  });

  it('names the mismatched argument', () => {
    expect(() => metricsByGroup(gold, predicted, groups.slice(1), labels)).toThrow(
      /metricsByGroup: gold has 7 entries but groups has 6/,
    );
    expect(metricsByGroup([], [], [], labels).size).toBe(0);
  });
});
