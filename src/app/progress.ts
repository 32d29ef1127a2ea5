// Progress of long work as events: the CLI draws them as a progress bar, the server streams them as Server-Sent
// Events, the job queue records the latest, tests assert on them. Every event is plain JSON.

/** One thing that happened during a long workflow. */
export type ProgressEvent =
  | {
      type: 'start';
      runId: string;
      resumed: boolean;
      recipe: string;
      /** LoRA rank, when training adapters. */
      loraRank?: number;
      trainExamples: number;
      devExamples: number;
      epochs: number;
      /** fp32, or bf16 mixed precision (autocast, fp32 weights). */
      precision?: 'fp32' | 'bf16';
    }
  | {
      type: 'step';
      /** `pairs`: SetFit's contrastive phase; `train`: the training loop. */
      phase: 'pairs' | 'train';
      step: number;
      total: number;
      loss: number;
      lr?: number;
      gradNorm?: number;
      examplesPerSecond?: number;
      /** Seconds left at the rate so far in this phase; null until there is a rate. */
      etaSeconds: number | null;
    }
  | { type: 'phase-end'; phase: 'pairs' | 'train' }
  | {
      type: 'eval';
      step: number;
      /** The task's metric on dev data, and the usual two beside it. */
      metric: string;
      value: number;
      accuracy: number;
      macroF1: number;
    }
  | {
      /** A dataset version the workflow built (retrain's merged training set). */
      type: 'dataset';
      role: string;
      base: { source: string; rows: number; hash: string };
      feedbackRows: number;
      skipped: number;
      merged: { hash: string; rows: number; file: string };
    }
  | { type: 'note'; level: 'info' | 'warning'; message: string }
  /** Examples scored so far (zero-shot evaluation, A/B tests). */
  | { type: 'examples'; done: number; total: number };

/** Receives progress events. */
export type OnProgress = (event: ProgressEvent) => void;

/** Estimates time left from steps done so far; `now` in ms (performance.now in use, a fake clock in tests). */
export function etaClock(now: () => number = () => performance.now()): (done: number, total: number) => number | null {
  let start: number | undefined;
  let first = 0;
  return (done, total) => {
    const t = now();
    if (start === undefined) {
      start = t;
      first = done;
    }
    const rate = (done - first) / Math.max(1e-9, (t - start) / 1000);
    if (done >= total) return 0;
    return rate > 0 && t > start ? (total - done) / rate : null;
  };
}
