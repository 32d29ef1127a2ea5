// promptune eval: evaluates one or more fine-tuned models on labelled data — metrics with bootstrap intervals,
// per class and per language, ROC AUC, calibration, error analysis — writes a self-contained HTML report and a
// JSON summary per model (plus a side-by-side comparison for several), records the evaluation in the store,
// and with --calibrate fits the temperature (and "not sure" threshold) on this data and saves it with the model.
// The workflow is app/evaluate; this verb parses its flags and prints its result.
import { basename, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type EvaluateInput,
  type EvaluateResult,
  type MultiLabelEvaluation,
  type SingleLabelEvaluation,
  evaluateModel,
} from '../../app/index.js';
import type { OnProgress } from '../../app/progress.js';
import type { RunReport } from '../../core/report/index.js';
import { type CliIO, type Command, UsageError } from '../command.js';
import { PROJECT_HELP, PROJECT_OPTIONS, openProject } from '../context.js';
import { EXIT, EXIT_CODES_HELP } from '../exit-codes.js';
import { ProgressBar } from '../progress.js';

/** Metrics a quality gate can name: higher is better for each. */
const GATE_METRICS = ['accuracy', 'macro-f1', 'micro-f1', 'weighted-f1', 'roc-auc', 'subset-accuracy'] as const;

const HELP = `Usage: promptune eval [--model <dir>]... [--run <id>]... [--data <file> | --split test|dev] [options]

Evaluates fine-tuned models (default: the task's newest completed run) on labelled data (default: data.test):
accuracy, macro/micro/weighted F1 with 95 % bootstrap intervals, per-class scores, confusion matrix, ROC AUC,
expected calibration error with a reliability diagram, per-language scores when the task has several languages,
and the most confident mistakes. Writes report.html (open it in a browser; no network needed) and summary.json
per model, and comparison.html when several models are given.

Options:
  --model <dir>            a model saved by promptune train (repeat to compare)
  --run <id>               the model of a run (repeat to compare)
  --data <file>            labelled CSV / JSONL / Parquet read with the task's columns
  --split <name>           test (default) or dev: the task's data file
  --target-precision <p>   report the confidence threshold that reaches precision p ("not sure" below it)
  --calibrate              fit the temperature (and, with --target-precision, the threshold) on this data and
                           save them in the model's promptune.json; use dev data, never the test set
  --by <what>              language: break metrics down by detected language (default when the task lists
                           several languages); none: no breakdown
  --out <dir>              where reports go (default .promptune/reports/<run or model>)
  --bootstrap <n>          bootstrap resamples (default 1000)
  --fail-under <m>=<v>     quality gate for CI: exit 3 when a model's metric m is below v (repeat for several;
                           m: ${GATE_METRICS.join(', ')})
${PROJECT_HELP}

${EXIT_CODES_HELP}`;

/** One --fail-under: the metric and the least value that passes. */
export interface QualityGate {
  metric: string;
  min: number;
}

/** Parses --fail-under values ("macro-f1=0.8"), naming the flag, the value and the fix on a mistake. */
export function parseGates(values: readonly string[] = []): QualityGate[] {
  return values.map((raw) => {
    const m = raw.match(/^([a-z][a-z0-9-]*)=([0-9.]+)$/);
    const min = Number(m?.[2]);
    if (!m || !(min >= 0 && min <= 1))
      throw new UsageError(`--fail-under ${raw}: expected <metric>=<value between 0 and 1>, e.g. --fail-under macro-f1=0.80`);
    if (!(GATE_METRICS as readonly string[]).includes(m[1] as string))
      throw new UsageError(`--fail-under ${raw}: ${m[1]} is not a metric a gate can check; use ${GATE_METRICS.join(', ')}`);
    return { metric: m[1] as string, min };
  });
}

/** The gate metrics of one evaluated model. */
function gateValues(m: EvaluateResult['models'][number]): Record<string, number | undefined> {
  if (m.kind === 'multi-label')
    return { 'macro-f1': m.metrics.macroF1, 'micro-f1': m.metrics.microF1, 'subset-accuracy': m.metrics.subsetAccuracy };
  return {
    accuracy: m.metrics.accuracy,
    'macro-f1': m.metrics.macroF1,
    'micro-f1': m.metrics.microF1,
    'weighted-f1': m.metrics.weightedF1,
    'roc-auc': m.metrics.rocAuc,
  };
}

/** What failed the gates, one line per model and metric (a metric the model lacks fails, saying so). */
export function gateFailures(r: EvaluateResult, gates: readonly QualityGate[], cwd: string): string[] {
  return r.models.flatMap((m) => {
    const values = gateValues(m);
    const who = relative(cwd, m.modelDir) || m.modelDir;
    return gates.flatMap((g) => {
      const v = values[g.metric];
      if (v === undefined) return [`${who}: no ${g.metric} for this model (gate ${g.metric} ≥ ${g.min})`];
      return v < g.min ? [`${who}: ${g.metric} ${v.toFixed(3)} is below ${g.min}`] : [];
    });
  });
}

/** Parses eval's flags into the project's location flags and the workflow's input (paths resolved against `cwd`). */
export function evalInputFromArgv(
  argv: string[],
  cwd: string,
): { project: { task?: string; store?: string }; input: EvaluateInput; gates: QualityGate[] } {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...PROJECT_OPTIONS,
      model: { type: 'string', multiple: true },
      run: { type: 'string', multiple: true },
      data: { type: 'string' },
      split: { type: 'string' },
      'target-precision': { type: 'string' },
      calibrate: { type: 'boolean', default: false },
      by: { type: 'string' },
      out: { type: 'string' },
      bootstrap: { type: 'string', default: '1000' },
      'fail-under': { type: 'string', multiple: true },
    },
  });
  const gates = parseGates(values['fail-under']);
  if (values.data && values.split) throw new UsageError('give --data <file> or --split <name>, not both');
  const split = values.split ?? 'test';
  if (split !== 'test' && split !== 'dev') throw new UsageError(`--split ${split}: use test or dev`);
  const target = values['target-precision'] === undefined ? undefined : Number(values['target-precision']);
  if (target !== undefined && !(target > 0 && target <= 1))
    throw new UsageError(`--target-precision ${values['target-precision']}: expected a precision in (0, 1]`);
  const samples = Number(values.bootstrap);
  if (!Number.isInteger(samples) || samples < 1)
    throw new UsageError(`--bootstrap ${values.bootstrap}: expected a whole number ≥ 1`);
  if (values.by && values.by !== 'language' && values.by !== 'none')
    throw new UsageError(`--by ${values.by}: use language or none`);
  if (values.calibrate && !values.data && split === 'test')
    throw new UsageError('--calibrate fits on the data it evaluates: pass --split dev or --data <dev file>, not the test set');
  return {
    project: { task: values.task, ...(values.store !== undefined ? { store: values.store } : {}) },
    input: {
      ...(values.model ? { models: values.model.map((m) => resolve(cwd, m)) } : {}),
      ...(values.run ? { runs: values.run } : {}),
      ...(values.data ? { data: resolve(cwd, values.data) } : { split }),
      ...(target !== undefined ? { targetPrecision: target } : {}),
      calibrate: values.calibrate,
      ...(values.by ? { by: values.by as 'language' | 'none' } : {}),
      ...(values.out !== undefined ? { out: resolve(cwd, values.out) } : {}),
      bootstrap: samples,
    },
    gates,
  };
}

export const evalCommand: Command = {
  name: 'eval',
  summary: 'evaluate fine-tuned models: metrics, calibration, errors, HTML report',
  help: HELP,
  async run(argv, io) {
    const { project: at, input, gates } = evalInputFromArgv(argv, io.cwd);
    const project = await openProject(at, io);
    try {
      const result = await evaluateModel(project, input, { onProgress: evalProgress(io) });
      io.stdout.write(describeEval(result, project.loaded.task.metric, io.cwd));
      const failed = gateFailures(result, gates, io.cwd);
      if (failed.length) {
        io.stderr.write(`quality gate failed:\n${failed.map((f) => `  ${f}\n`).join('')}`);
        return EXIT.threshold;
      }
      if (gates.length) io.stdout.write(`quality gate passed: ${gates.map((g) => `${g.metric} ≥ ${g.min}`).join(', ')}\n`);
      return EXIT.ok;
    } finally {
      await project.close();
    }
  },
};

/** Warnings on stderr, and a progress bar per model while its examples are scored (opened by done 0). */
function evalProgress(io: CliIO): OnProgress {
  let bar: ProgressBar | undefined;
  return (e) => {
    if (e.type === 'note') io.stderr.write(`${e.level === 'warning' ? 'warning' : 'note'}: ${e.message}\n`);
    else if (e.type === 'examples') {
      if (e.done === 0) bar = new ProgressBar(io.stderr, e.total, 'examples');
      else bar?.update(e.done);
      if (bar && e.done >= e.total) {
        bar.finish();
        bar = undefined;
      }
    }
  };
}

/** What eval prints: per model its calibration, headline and files, then the comparison. */
export function describeEval(r: EvaluateResult, metric: string, cwd: string): string {
  const at = (p: string) => relative(cwd, p);
  const lines = r.models.map((m) => (m.kind === 'multi-label' ? describeMultiLabel(m, r, cwd) : describeSingle(m, metric, cwd)));
  if (r.comparison) {
    const n = r.models.filter((m) => m.kind === 'single-label').length;
    lines.push(`comparison of ${n} models: ${at(r.comparison)}\n`);
  }
  return lines.join('');
}

function describeSingle(m: SingleLabelEvaluation, metric: string, cwd: string): string {
  const s = m.calibration.saved;
  const calibrated = s
    ? `calibrated ${relative(cwd, m.modelDir) || m.modelDir}: temperature ${s.temperature.toFixed(3)}${s.abstainBelow === undefined ? '' : `, not sure below ${s.abstainBelow.toFixed(3)}`}\n`
    : '';
  return `${calibrated}${headline(m.report, metric)}\n  report: ${relative(cwd, m.paths.report)}\n  summary: ${relative(cwd, m.paths.summary)}\n`;
}

function describeMultiLabel(e: MultiLabelEvaluation, r: EvaluateResult, cwd: string): string {
  const m = e.metrics;
  const rows = m.perLabel.map(
    (c) =>
      `    ${c.label.padEnd(16)} P ${c.precision.toFixed(3)}  R ${c.recall.toFixed(3)}  F1 ${c.f1.toFixed(3)}  (n=${c.support})`,
  );
  return `multi-label model ${relative(cwd, e.modelDir) || e.modelDir} on ${basename(r.dataset.source)} (${m.n} examples)\n  macro-F1 ${m.macroF1.toFixed(3)} · micro-F1 ${m.microF1.toFixed(3)} · subset accuracy ${m.subsetAccuracy.toFixed(3)} · Hamming loss ${m.hammingLoss.toFixed(3)}\n${rows.join('\n')}\n  summary: ${relative(cwd, e.paths.summary)}\n`;
}

/** "macro-f1 0.842 [0.811, 0.870] · accuracy 0.861 [...] · ECE 0.041 · ROC AUC 0.93" */
function headline(r: RunReport, metric: string): string {
  const ci = (k: string): string => {
    const v = r.intervals?.[k];
    return v ? ` [${v[0].toFixed(3)}, ${v[1].toFixed(3)}]` : '';
  };
  const parts = [
    `macro-F1 ${r.metrics.macroF1.toFixed(3)}${ci('macroF1')}`,
    `accuracy ${r.metrics.accuracy.toFixed(3)}${ci('accuracy')}`,
  ];
  if (metric !== 'macro-f1' && metric !== 'accuracy' && r.intervals?.[metric]) parts.push(`${metric}${ci(metric)}`);
  if (r.metrics.rocAuc !== undefined) parts.push(`ROC AUC ${r.metrics.rocAuc.toFixed(3)}`);
  if (r.metrics.ece !== undefined) parts.push(`ECE ${r.metrics.ece.toFixed(3)} (T=${(r.metrics.temperature ?? 1).toFixed(2)})`);
  if (r.metrics.abstain)
    parts.push(
      `not sure below ${r.metrics.abstain.threshold.toFixed(3)}: precision ${r.metrics.abstain.precision.toFixed(3)} at coverage ${r.metrics.abstain.coverage.toFixed(3)}`,
    );
  const groups = r.byGroup?.map((g) => `${g.group} ${g.macroF1.toFixed(3)} (n=${g.n})`).join(', ');
  return `${r.title} (${r.dataset.n} examples)\n  ${parts.join(' · ')}${groups ? `\n  by language (macro-F1): ${groups}` : ''}`;
}
