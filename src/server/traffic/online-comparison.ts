// The online comparison of two served versions: every prediction someone judged (a thumbs up or down, or a
// correction) is a success or a failure of the version that made it; the always-valid sequential test says when
// the difference is real, so the split can be watched continuously and stopped as soon as it is.
import { type SequentialResult, type SuccessCount, sequentialComparison } from '../../core/eval/index.js';
import type { Feedback, Store } from '../../store/index.js';

/** Where an A/B (or canary) comparison stands. */
export interface OnlineComparison extends SequentialResult {
  a: SuccessCount & { model: string };
  b: SuccessCount & { model: string };
  /** In words, for dashboards and logs. */
  verdict: string;
}

/** Whether a judged prediction was right; undefined when the feedback does not say (a comment, "unsure"). */
export function outcome(f: Pick<Feedback, 'prediction' | 'correctLabel' | 'rating'>): boolean | undefined {
  if (f.correctLabel !== null) return f.correctLabel === f.prediction;
  if (f.rating === 1) return true;
  if (f.rating === -1) return false;
  return undefined;
}

/** Compares served versions `a` and `b` (names) on the feedback their predictions received, in arrival order. */
export async function compareOnline(
  store: Store,
  a: { name: string; version: string },
  b: { name: string; version: string },
  opts: { since?: string; alpha?: number; tau?: number } = {},
): Promise<OnlineComparison> {
  const ids = { a: `${a.name}@${a.version}`, b: `${b.name}@${b.version}` };
  const judged = (await store.feedback.list(opts.since ? { since: opts.since } : {}))
    .filter((f) => f.predictionId !== null && (f.modelVersion === ids.a || f.modelVersion === ids.b))
    .reverse();
  // One verdict per prediction: the latest feedback on it counts.
  const latest = new Map<string, Feedback>();
  for (const f of judged) {
    latest.delete(f.predictionId as string);
    latest.set(f.predictionId as string, f);
  }
  const outcomes = [...latest.values()].flatMap((f) => {
    const success = outcome(f);
    return success === undefined ? [] : [{ side: f.modelVersion === ids.a ? ('a' as const) : ('b' as const), success }];
  });
  const r = sequentialComparison(outcomes, { alpha: opts.alpha, tau: opts.tau });
  const pct = (c: SuccessCount) => (c.trials ? `${((100 * c.successes) / c.trials).toFixed(1)} %` : 'n/a');
  const verdict = r.significant
    ? `${r.diff > 0 ? b.name : a.name} is better: ${pct(r.diff > 0 ? r.b : r.a)} vs ${pct(r.diff > 0 ? r.a : r.b)} right (always-valid p = ${r.pValue.toPrecision(2)})`
    : `no reliable difference yet: ${a.name} ${pct(r.a)} of ${r.a.trials}, ${b.name} ${pct(r.b)} of ${r.b.trials} judged predictions right (p = ${r.pValue.toPrecision(2)}); keep collecting feedback`;
  return { ...r, a: { ...r.a, model: a.name }, b: { ...r.b, model: b.name }, verdict };
}
