// Per-label decision thresholds for multi-label prediction, chosen on dev data: 0.5 is rarely best for a
// rare label. Candidates are the midpoints between consecutive distinct scores, plus the lowest score itself
// (predict the label everywhere), which is best when the label is on (nearly) every example.
import { finite, matrixWidth, nonEmpty, sameLength } from './check.js';

/** The threshold per label (predict when score ≥ threshold) maximising that label's F1; 0.5 for a label with no positives. */
export function tuneThresholds(gold: readonly (readonly boolean[])[], probs: readonly (readonly number[])[]): number[] {
  const fn = 'tuneThresholds';
  sameLength(fn, 'gold', gold, 'probs', probs);
  nonEmpty(fn, 'gold', gold);
  const k = matrixWidth(fn, 'gold', gold);
  matrixWidth(fn, 'probs', probs, k);
  finite(fn, 'probs', probs);
  return Array.from({ length: k }, (_, c) =>
    bestThreshold(
      gold.map((row) => Boolean(row[c])),
      probs.map((row) => row[c] as number),
    ),
  );
}

/** One label: sweep the distinct scores from the top, counting positives and negatives kept. */
function bestThreshold(gold: readonly boolean[], score: readonly number[]): number {
  const positives = gold.filter(Boolean).length;
  if (positives === 0) return 0.5;
  const order = score.map((_, i) => i).sort((a, b) => (score[a] as number) - (score[b] as number));
  // Distinct scores ascending, with how many positive and negative examples carry each.
  const values: number[] = [];
  const pos: number[] = [];
  const neg: number[] = [];
  for (const i of order) {
    const s = score[i] as number;
    if (values[values.length - 1] !== s) {
      values.push(s);
      pos.push(0);
      neg.push(0);
    }
    const last = values.length - 1;
    if (gold[i]) pos[last] = (pos[last] as number) + 1;
    else neg[last] = (neg[last] as number) + 1;
  }
  // Threshold m keeps every score ≥ values[m]; going down from the top, ties resolve to the lowest threshold.
  let tp = 0;
  let fp = 0;
  let bestF1 = -1;
  let best = 0;
  for (let m = values.length - 1; m >= 0; m--) {
    tp += pos[m] as number;
    fp += neg[m] as number;
    const f1 = (2 * tp) / (2 * tp + fp + (positives - tp));
    if (f1 >= bestF1) {
      bestF1 = f1;
      best = m;
    }
  }
  return best === 0 ? (values[0] as number) : ((values[best - 1] as number) + (values[best] as number)) / 2;
}
