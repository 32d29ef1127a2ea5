// A/B comparison of two prompt versions on the same labelled examples: each one's metrics, the difference with a
// paired bootstrap interval, McNemar's test, and a verdict in plain words.
import type { Pretrained } from '../../transformers/index.js';
import {
  type BootstrapDiff,
  type McNemar,
  type Metrics,
  bootstrapDiff,
  classificationMetrics,
  mcnemar,
  verdict,
} from '../eval/index.js';
import type { CheckedPrompt } from './spec.js';
import { type ZeroShotOptions, type ZeroShotResult, zeroShotMlm } from './zero-shot.js';

/** What an A/B comparison found. */
export interface AbResult {
  names: [string, string];
  a: Metrics;
  b: Metrics;
  bootstrap: BootstrapDiff;
  mcnemar: McNemar;
  verdict: string;
  predictions: { a: ZeroShotResult; b: ZeroShotResult };
}

/** Options of abTest. */
export interface AbOptions extends ZeroShotOptions {
  names?: [string, string];
  /** The task's metric (default macro-f1). */
  metric?: string;
  resamples?: number;
  seed?: number;
}

/** Scores both prompts zero-shot on the same examples and compares them. */
export function abTest(
  p: Pretrained,
  prompts: [CheckedPrompt, CheckedPrompt],
  examples: readonly { inputs: Readonly<Record<string, string>>; label: string }[],
  labels: readonly string[],
  opts: AbOptions = {},
): AbResult {
  const names = opts.names ?? ['A', 'B'];
  const inputs = examples.map((e) => e.inputs);
  const gold = examples.map((e) => e.label);
  const ra = zeroShotMlm(p, prompts[0], inputs, labels, opts);
  const rb = zeroShotMlm(p, prompts[1], inputs, labels, opts);
  const boot = bootstrapDiff(gold, ra.predictions, rb.predictions, labels, {
    metric: opts.metric,
    resamples: opts.resamples,
    seed: opts.seed,
  });
  const test = mcnemar(gold, ra.predictions, rb.predictions);
  return {
    names,
    a: classificationMetrics(gold, ra.predictions, labels),
    b: classificationMetrics(gold, rb.predictions, labels),
    bootstrap: boot,
    mcnemar: test,
    verdict: verdict(names, boot, test),
    predictions: { a: ra, b: rb },
  };
}
