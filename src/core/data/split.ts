// Seeded, stratified splits and K-shot samples (the LM-BFF few-shot setting: K examples per label for train and
// K per label for dev, several seeds). Every derived dataset has its own content hash.
import { seededRandom, shuffled } from '../../shared/index.js';
import { DataError } from './errors.js';
import { type Dataset, type Example, makeDataset } from './example.js';

/** Examples grouped by their first label (multi-label data is stratified on the first label). */
function byLabel(examples: readonly Example[]): Map<string, Example[]> {
  const groups = new Map<string, Example[]>();
  for (const e of examples) {
    const key = e.labels[0] ?? '';
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  return new Map([...groups].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Splits into named parts by ratio (e.g. { train: 0.8, dev: 0.1, test: 0.1 }), keeping each label's share. */
export function stratifiedSplit(ds: Dataset, ratios: Record<string, number>, seed = 42): Record<string, Dataset> {
  const names = Object.keys(ratios);
  const total = Object.values(ratios).reduce((a, b) => a + b, 0);
  if (!names.length || Object.values(ratios).some((r) => !(r > 0)) || Math.abs(total - 1) > 1e-9) {
    throw new DataError('DATA_FORMAT', `split ratios ${JSON.stringify(ratios)} must be positive and sum to 1.`);
  }
  const rand = seededRandom(seed);
  const parts = new Map<string, Example[]>(names.map((n) => [n, []]));
  for (const group of byLabel(ds.examples).values()) {
    const items = shuffled(group, rand);
    // Largest-remainder rounding: counts per part sum exactly to the group size.
    const exact = names.map((n) => (ratios[n] as number) * items.length);
    const counts = exact.map(Math.floor);
    const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0]);
    const deficit = items.length - counts.reduce((a, b) => a + b, 0);
    for (let k = 0; k < deficit; k++) counts[order[k]?.[1] as number]! += 1;
    let at = 0;
    names.forEach((n, i) => {
      parts.get(n)?.push(...items.slice(at, at + (counts[i] as number)));
      at += counts[i] as number;
    });
  }
  return Object.fromEntries(
    names.map((n) => [n, makeDataset(shuffled(parts.get(n) as Example[], rand), `${ds.source} → ${n} (seed ${seed})`)]),
  );
}

/** K examples per label for train and K per label for dev, drawn without overlap (LM-BFF's few-shot setting). */
export function kShot(ds: Dataset, k: number, seed: number): { train: Dataset; dev: Dataset } {
  if (!Number.isInteger(k) || k < 1) throw new DataError('DATA_FORMAT', `K must be a positive integer, got ${k}.`);
  const rand = seededRandom(seed);
  const train: Example[] = [];
  const dev: Example[] = [];
  for (const [label, group] of byLabel(ds.examples)) {
    if (group.length < 2 * k) {
      throw new DataError(
        'DATA_TOO_SMALL',
        `label "${label}" has ${group.length} examples; K=${k} needs ${2 * k} (K for train and K for dev): lower K or add data.`,
      );
    }
    const items = shuffled(group, rand);
    train.push(...items.slice(0, k));
    dev.push(...items.slice(k, 2 * k));
  }
  return {
    train: makeDataset(shuffled(train, rand), `${ds.source} → ${k}-shot train (seed ${seed})`),
    dev: makeDataset(shuffled(dev, rand), `${ds.source} → ${k}-shot dev (seed ${seed})`),
  };
}
