// Metrics per slice of the data (language, source, length bucket): a good average can hide a group that fails.
import { sameLength } from './check.js';
import { type Metrics, classificationMetrics } from './metrics.js';

/** Metrics of each group that has examples, largest group first (ties by name), as an ordered Map. */
export function metricsByGroup(
  gold: readonly string[],
  predicted: readonly string[],
  groups: readonly string[],
  labels: readonly string[],
): Map<string, Metrics> {
  sameLength('metricsByGroup', 'gold', gold, 'predicted', predicted);
  sameLength('metricsByGroup', 'gold', gold, 'groups', groups);
  const members = new Map<string, number[]>();
  groups.forEach((g, i) => {
    const list = members.get(g);
    if (list) list.push(i);
    else members.set(g, [i]);
  });
  const order = [...members.entries()].sort((x, y) => y[1].length - x[1].length || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  return new Map(
    order.map(([group, idx]) => [
      group,
      classificationMetrics(
        idx.map((i) => gold[i] as string),
        idx.map((i) => predicted[i] as string),
        labels,
      ),
    ]),
  );
}
