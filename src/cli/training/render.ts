// How a training run looks in a terminal: its progress events drawn as the run line and progress bars on
// stderr, and the lines a finished run prints.
import { relative } from 'node:path';
import type { OnProgress, RunOutcome } from '../../app/index.js';
import type { CliIO } from '../command.js';
import { ProgressBar } from '../progress.js';

/** Draws a run's progress events on `io.stderr`; `quiet` draws nothing. */
export function renderRunProgress(io: CliIO, opts: { quiet?: boolean } = {}): OnProgress {
  let bar: ProgressBar | undefined;
  let lastDev = '';
  let devName = '';
  return (e) => {
    if (opts.quiet) return;
    if (e.type === 'start') {
      io.stderr.write(
        `run ${e.runId}${e.resumed ? ' (resumed)' : ''}: ${e.recipe}${e.loraRank ? ` + LoRA r=${e.loraRank}` : ''} on ${e.trainExamples} examples (dev ${e.devExamples}), ${e.epochs} epochs\n`,
      );
    } else if (e.type === 'step') {
      bar ??= new ProgressBar(io.stderr, e.total, e.phase === 'pairs' ? 'pair steps' : 'steps');
      if (e.phase === 'pairs') bar.update(e.step, { 'contrastive loss': e.loss.toFixed(4) });
      else
        bar.update(e.step, {
          loss: e.loss.toFixed(4),
          lr: (e.lr ?? 0).toExponential(1),
          'ex/s': (e.examplesPerSecond ?? 0).toFixed(0),
          ...(lastDev ? { [`dev ${devName}`]: lastDev } : {}),
        });
    } else if (e.type === 'phase-end') {
      bar?.finish();
      bar = undefined;
    } else if (e.type === 'eval') {
      lastDev = e.value.toFixed(3);
      devName = e.metric;
    } else if (e.type === 'note') {
      io.stderr.write(`${e.level === 'warning' ? 'warning' : 'note'}: ${e.message}\n`);
    }
  };
}

/** The lines a finished run prints. */
export function describeOutcome(o: RunOutcome, metric: string, cwd: string): string {
  const r = o.result;
  const lines = [
    `run ${o.run.id} ${r.stoppedBy} after ${r.steps} steps; best dev ${metric} ${r.best?.metric.toFixed(3) ?? 'n/a'} (step ${r.best?.step ?? '-'}); temperature ${o.temperature.toFixed(2)}`,
  ];
  if (o.test)
    lines.push(`test: ${metric} ${o.test.metric.toFixed(3)}, accuracy ${o.test.accuracy.toFixed(3)} on ${o.test.n} examples`);
  lines.push(
    `model saved to ${relative(cwd, o.modelDir) || o.modelDir}`,
    `logs and checkpoints in ${relative(cwd, o.runDir) || o.runDir}`,
  );
  return `${lines.join('\n')}\n`;
}
