// promptune eval: evaluates one or more fine-tuned models on labelled data — metrics with bootstrap intervals,
// per class and per language, ROC AUC, calibration, error analysis — writes a self-contained HTML report and a
// JSON summary per model (plus a side-by-side comparison for several), records the evaluation in the store,
// and with --calibrate fits the temperature (and "not sure" threshold) on this data and saves it with the model.
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type Dataset, detectLanguages, exampleText, importFile } from '../../core/data/index.js';
import { abstainThreshold, applyTemperature, fitTemperature, multiLabelMetrics } from '../../core/eval/index.js';
import {
  type CurvePoint,
  type RunReport,
  renderComparison,
  renderReport,
  reportFromPredictions,
  reportSummary,
} from '../../core/report/index.js';
import { loadClassifier, readClassifierMeta, writeClassifierMeta } from '../../core/train/index.js';
import { type CliIO, type Command, UsageError } from '../command.js';
import { PROJECT_HELP, PROJECT_OPTIONS, type Project, importTaskSplit, openProject, saveDataset } from '../context.js';
import { ProgressBar } from '../progress.js';
import { resolveModelDir } from './model-dir.js';

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
${PROJECT_HELP}`;

export const evalCommand: Command = {
  name: 'eval',
  summary: 'evaluate fine-tuned models: metrics, calibration, errors, HTML report',
  help: HELP,
  async run(argv, io) {
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
      },
    });
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
    const project = await openProject(values, io);
    try {
      const data = await evalData(project, values.data ? resolve(io.cwd, values.data) : undefined, split);
      const dirs = await modelDirs(project, values, io);
      const byLanguage = values.by ? values.by === 'language' : project.loaded.task.languages.length > 1;
      const groups = byLanguage ? (await detectLanguages(data.examples.map(exampleText))).map((g) => g.language) : undefined;
      const reports: RunReport[] = [];
      for (const dir of dirs) {
        if (readClassifierMeta(dir).multiLabel) {
          await evaluateMultiLabel(
            project,
            dir,
            data,
            values.out && dirs.length === 1 ? resolve(io.cwd, values.out) : undefined,
            io,
          );
          continue;
        }
        const report = await evaluateOne(project, dir, data, { groups, target, samples, calibrate: values.calibrate }, io);
        const out = resolve(
          io.cwd,
          values.out && dirs.length === 1
            ? values.out
            : join(values.out ?? join(project.projectDir, '.promptune', 'reports'), report.runId ?? basename(dir)),
        );
        mkdirSync(out, { recursive: true });
        writeFileSync(join(out, 'report.html'), renderReport(report));
        writeFileSync(join(out, 'summary.json'), `${JSON.stringify(reportSummary(report), null, 2)}\n`);
        io.stdout.write(
          `${headline(report, project.loaded.task.metric)}\n  report: ${relative(io.cwd, join(out, 'report.html'))}\n  summary: ${relative(io.cwd, join(out, 'summary.json'))}\n`,
        );
        reports.push(report);
      }
      if (reports.length > 1) {
        const out = resolve(io.cwd, values.out ?? join(project.projectDir, '.promptune', 'reports'));
        mkdirSync(out, { recursive: true });
        writeFileSync(join(out, 'comparison.html'), renderComparison(reports));
        io.stdout.write(`comparison of ${reports.length} models: ${relative(io.cwd, join(out, 'comparison.html'))}\n`);
      }
      return 0;
    } finally {
      await project.close();
    }
  },
};

async function evalData(project: Project, file: string | undefined, split: 'test' | 'dev'): Promise<Dataset> {
  const task = project.loaded.task;
  if (file) {
    const r = await importFile(file, {
      format: task.data?.format,
      inputs: Object.fromEntries(task.inputs.map((i) => [i.name, i.column ?? i.name])),
      labelColumn: task.data?.labelColumn,
      multiLabel: task.type === 'multi-label',
      labelSeparator: task.data?.labelSeparator,
      synonyms: task.data?.labelSynonyms,
      allowedLabels: task.labels.map((l) => l.name),
    });
    await saveDataset(project, r.dataset, 'eval', null);
    return r.dataset;
  }
  const r = await importTaskSplit(project, split);
  if (!r) throw new UsageError(`the task file names no data.${split}: pass --data <file>`);
  await saveDataset(project, r.dataset, split, null);
  return r.dataset;
}

async function modelDirs(project: Project, values: { model?: string[]; run?: string[] }, io: CliIO): Promise<string[]> {
  const named = [
    ...(values.model ?? []).map((model) => resolveModelDir(project, { model }, io)),
    ...(values.run ?? []).map((run) => resolveModelDir(project, { run }, io)),
  ];
  return named.length ? Promise.all(named) : [await resolveModelDir(project, {}, io)];
}

async function evaluateOne(
  project: Project,
  dir: string,
  data: Dataset,
  opts: { groups?: string[]; target?: number; samples: number; calibrate: boolean },
  io: CliIO,
): Promise<RunReport> {
  const task = project.loaded.task;
  const classifier = loadClassifier(dir);
  try {
    const meta = classifier.meta;
    const labels = meta.labels;
    const kept = data.examples.filter((e) => labels.includes(e.labels[0] as string));
    if (kept.length < data.examples.length)
      io.stderr.write(`warning: ${data.examples.length - kept.length} examples have labels this model does not know; left out\n`);
    const gold = kept.map((e) => labels.indexOf(e.labels[0] as string));
    const bar = new ProgressBar(io.stderr, kept.length, 'examples');
    const logits: number[][] = [];
    for (let i = 0; i < kept.length; i += 32) {
      logits.push(...classifier.logits(kept.slice(i, i + 32).map((e) => e.inputs)));
      bar.update(logits.length);
    }
    bar.finish();
    if (opts.calibrate) {
      meta.temperature = fitTemperature(gold, logits);
      if (opts.target !== undefined) {
        const t = abstainThreshold(gold, applyTemperature(logits, meta.temperature), opts.target);
        if (!t) io.stderr.write(`warning: no confidence threshold reaches precision ${opts.target} on this data; none saved\n`);
        else meta.abstainBelow = t.threshold;
      }
      writeClassifierMeta(dir, meta);
      io.stdout.write(
        `calibrated ${relative(io.cwd, dir) || dir}: temperature ${meta.temperature.toFixed(3)}${meta.abstainBelow === undefined ? '' : `, not sure below ${meta.abstainBelow.toFixed(3)}`}\n`,
      );
    }
    const curve = meta.runId ? await learningCurve(project, meta.runId, task.metric) : undefined;
    const report = reportFromPredictions({
      title: `${task.name}: ${meta.recipe}${meta.runId ? ` run ${meta.runId}` : ''} on ${basename(data.source)}`,
      model: meta.baseModel ?? dir,
      createdAt: new Date().toISOString(),
      dataset: { name: basename(data.source), n: kept.length },
      labels,
      gold,
      logits,
      temperature: meta.temperature,
      texts: kept.map(exampleText),
      ...(opts.groups
        ? {
            groups: data.examples.flatMap((e, i) => (labels.includes(e.labels[0] as string) ? [opts.groups?.[i] as string] : [])),
          }
        : {}),
      metric: task.metric,
      ...(opts.target !== undefined
        ? { targetPrecision: opts.target }
        : meta.abstainBelow !== undefined
          ? { abstainBelow: meta.abstainBelow }
          : {}),
      ...(meta.runId ? { runId: meta.runId } : {}),
      recipe: meta.recipe,
      ...(meta.prompt ? { prompt: { text: meta.prompt.template } } : {}),
      ...(curve ? { learningCurve: curve } : {}),
      bootstrap: { samples: opts.samples },
    });
    await project.store.evaluations.record({
      taskId: task.name,
      kind: 'evaluation',
      promptHashes: [],
      datasetHash: data.hash,
      modelRef: dir,
      runId: meta.runId ?? null,
      metrics: {
        accuracy: report.metrics.accuracy,
        'macro-f1': report.metrics.macroF1,
        ...(report.metrics.ece === undefined ? {} : { ece: report.metrics.ece }),
        ...(report.metrics.rocAuc === undefined ? {} : { 'roc-auc': report.metrics.rocAuc }),
      },
      details: reportSummary(report),
    });
    return report;
  } finally {
    classifier.dispose();
  }
}

/** Multi-label models: per-label precision/recall/F1 at the saved thresholds, micro/macro F1, subset accuracy. */
async function evaluateMultiLabel(
  project: Project,
  dir: string,
  data: Dataset,
  outDir: string | undefined,
  io: CliIO,
): Promise<void> {
  const classifier = loadClassifier(dir);
  try {
    const labels = classifier.meta.labels;
    const preds = classifier.predict(data.examples.map((e) => e.inputs));
    const m = multiLabelMetrics(
      data.examples.map((e) => labels.map((l) => e.labels.includes(l))),
      preds.map((p) => labels.map((l) => p.labels?.includes(l) === true)),
      labels,
    );
    const out = outDir ?? join(project.projectDir, '.promptune', 'reports', classifier.meta.runId ?? basename(dir));
    mkdirSync(out, { recursive: true });
    const summary = {
      format: 'promptune.multi-label-summary/1',
      model: dir,
      dataset: { name: basename(data.source), n: m.n },
      thresholds: classifier.meta.thresholds,
      ...m,
    };
    writeFileSync(join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    await project.store.evaluations.record({
      taskId: project.loaded.task.name,
      kind: 'evaluation',
      promptHashes: [],
      datasetHash: data.hash,
      modelRef: dir,
      runId: classifier.meta.runId ?? null,
      metrics: {
        'macro-f1': m.macroF1,
        'micro-f1': m.microF1,
        'subset-accuracy': m.subsetAccuracy,
        'hamming-loss': m.hammingLoss,
      },
      details: summary,
    });
    const rows = m.perLabel.map(
      (c) =>
        `    ${c.label.padEnd(16)} P ${c.precision.toFixed(3)}  R ${c.recall.toFixed(3)}  F1 ${c.f1.toFixed(3)}  (n=${c.support})`,
    );
    io.stdout.write(
      `multi-label model ${relative(io.cwd, dir) || dir} on ${basename(data.source)} (${m.n} examples)\n  macro-F1 ${m.macroF1.toFixed(3)} · micro-F1 ${m.microF1.toFixed(3)} · subset accuracy ${m.subsetAccuracy.toFixed(3)} · Hamming loss ${m.hammingLoss.toFixed(3)}\n${rows.join('\n')}\n  summary: ${relative(io.cwd, join(out, 'summary.json'))}\n`,
    );
  } finally {
    classifier.dispose();
  }
}

/** The run's logged loss, learning rate and dev metric as curve points. */
async function learningCurve(
  project: Project,
  runId: string,
  metric: string,
): Promise<{ metric: string; points: CurvePoint[] } | undefined> {
  const points = await project.store.runs.metrics(runId).catch(() => []);
  if (!points.length) return undefined;
  const bySteps = new Map<number, CurvePoint>();
  const at = (step: number): CurvePoint => bySteps.get(step) ?? (bySteps.set(step, { step }).get(step) as CurvePoint);
  for (const p of points) {
    const v = Number.isFinite(p.value) ? p.value : null;
    if (p.name === 'loss') at(p.step).loss = v;
    else if (p.name === 'lr') at(p.step).lr = v;
    else if (p.name === `dev/${metric}`) at(p.step).devMetric = v;
  }
  return { metric, points: [...bySteps.values()].sort((a, b) => a.step - b.step) };
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
