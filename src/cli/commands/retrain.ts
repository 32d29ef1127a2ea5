// promptune retrain: closes the feedback loop — the task's training data plus what people corrected or confirmed
// (the server's review queue, feedback, the CRM) becomes a new dataset version, a run trains on it with the live
// model's recipe, and the new model is compared with the live one on the test set before anyone promotes it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { type Dataset, csvLine } from '../../core/data/index.js';
import { bootstrapDiff, classificationMetrics, mcnemar, verdict } from '../../core/eval/index.js';
import { loadClassifier, readClassifierMeta } from '../../core/train/index.js';
import { type Command, UsageError } from '../command.js';
import { PROJECT_HELP, PROJECT_OPTIONS, type Project, importTaskSplit, openProject, saveDataset } from '../context.js';
import { describeOutcome, executeRun, openRun, runDirOf, specOfRun } from '../training/run.js';
import { HYPER_HELP, HYPER_OPTIONS, type RunSpec, specFromFlags } from '../training/spec.js';
import { resolveModelDir } from './model-dir.js';

const HELP = `Usage: promptune retrain [--live <dir> | --live-run <id>] [--since <ISO time>] [training options]

Builds a new training set — the task's data.train plus every labelled example from feedback (corrections, and
thumbs-up that confirm a prediction; the latest verdict on an input wins and replaces a training row with the
same input) — saves it as a dataset version whose parent is the training data, trains a run on it with the live
model's settings (or the training options given), and compares the new model with the live one on data.test:
the metric of each, a paired bootstrap interval of the difference and McNemar's test, with a verdict.
Promote the new model only when the verdict says it is better (docs/serving.md: POST /v1/models, split, promote).

Options:
  --live <dir>             the model in production (default: the task's newest completed run)
  --live-run <id>          its run id
  --since <time>           only feedback recorded since this ISO time
  --min-feedback <n>       refuse to retrain on fewer new labelled examples (default 1)
${HYPER_HELP}
${PROJECT_HELP}`;

/** The merged training rows as CSV with the task's column names. */
function mergedCsv(project: Project, base: Dataset, extra: { inputs: Record<string, string>; labels: string[] }[]): string {
  const task = project.loaded.task;
  const columns = task.inputs.map((i) => i.column ?? i.name);
  const labelColumn = task.data?.labelColumn ?? 'label';
  const sep = task.data?.labelSeparator ?? '|';
  const key = (inputs: Record<string, string>) => JSON.stringify(task.inputs.map((i) => inputs[i.name] ?? ''));
  const rows = new Map<string, { inputs: Record<string, string>; labels: string[] }>();
  for (const e of base.examples) rows.set(key(e.inputs), { inputs: e.inputs, labels: e.labels });
  for (const e of extra) {
    rows.delete(key(e.inputs));
    rows.set(key(e.inputs), e);
  }
  const lines = [csvLine([...columns, labelColumn])];
  for (const r of rows.values()) lines.push(csvLine([...task.inputs.map((i) => r.inputs[i.name] ?? ''), r.labels.join(sep)]));
  return `${lines.join('\n')}\n`;
}

export const retrainCommand: Command = {
  name: 'retrain',
  summary: 'train a new model on the task data plus reviewed feedback, and compare it with the live one',
  help: HELP,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        ...PROJECT_OPTIONS,
        ...HYPER_OPTIONS,
        live: { type: 'string' },
        'live-run': { type: 'string' },
        since: { type: 'string' },
        'min-feedback': { type: 'string', default: '1' },
      },
    });
    const { task: _t, store: _s, live, 'live-run': liveRun, since, 'min-feedback': minRaw, ...hyper } = values;
    const minFeedback = Number(minRaw);
    if (!(Number.isInteger(minFeedback) && minFeedback >= 0))
      throw new UsageError(`--min-feedback ${minRaw}: expected a whole number ≥ 0`);
    if (since !== undefined && Number.isNaN(Date.parse(since)))
      throw new UsageError(`--since ${since}: expected an ISO time, e.g. 2026-11-24T00:00:00Z`);
    const project = await openProject(values, io);
    try {
      const task = project.loaded.task;
      const liveDir = await resolveModelDir(project, { model: live, run: liveRun }, io);
      const liveMeta = readClassifierMeta(liveDir);

      const imported = await importTaskSplit(project, 'train');
      if (!imported) throw new UsageError('the task file names no data.train file: add data.train to promptune.yaml');
      const labels = task.labels.map((l) => l.name);
      const fields = task.inputs.map((i) => i.name);
      const feedback = await project.store.feedback.exportExamples(
        task.name,
        since ? { since: new Date(since).toISOString() } : {},
      );
      const usable: { inputs: Record<string, string>; labels: string[] }[] = [];
      let skipped = 0;
      for (const f of feedback) {
        const input = f.input as Record<string, unknown>;
        const ok = fields.every((k) => typeof input?.[k] === 'string');
        const ls = f.label.split(task.data?.labelSeparator ?? '|');
        if (!ok || !ls.every((l) => labels.includes(l))) {
          skipped++;
          continue;
        }
        usable.push({ inputs: Object.fromEntries(fields.map((k) => [k, input[k] as string])), labels: ls });
      }
      if (skipped)
        io.stderr.write(`warning: ${skipped} feedback example(s) skipped: their input fields or labels do not match the task\n`);
      if (usable.length < minFeedback)
        throw new UsageError(
          `only ${usable.length} labelled feedback example(s)${since ? ` since ${since}` : ''}, fewer than --min-feedback ${minFeedback}: review more predictions first (GET /v1/review)`,
        );

      const dir = join(project.projectDir, '.promptune', 'retrain', new Date().toISOString().replace(/[:.]/g, '-'));
      mkdirSync(dir, { recursive: true });
      const file = join(dir, 'train.csv');
      writeFileSync(file, mergedCsv(project, imported.dataset, usable));
      const merged = (await importTaskSplit(project, 'train', false, file))?.dataset as Dataset;
      await saveDataset(project, merged, 'retrain', imported.dataset.hash);
      io.stdout.write(
        `training set: ${imported.dataset.examples.length} rows of ${relative(io.cwd, imported.dataset.source) || imported.dataset.source} + ${usable.length} from feedback → ${merged.examples.length} rows (dataset ${merged.hash.slice(0, 12)}, ${relative(io.cwd, file)})\n`,
      );

      const flagsGiven = Object.values(hyper).some((v) => v !== undefined && v !== false);
      const liveRunRecord = liveMeta.runId ? await project.store.runs.get(liveMeta.runId).catch(() => undefined) : undefined;
      let spec: RunSpec;
      if (flagsGiven || !liveRunRecord) spec = specFromFlags(hyper);
      else {
        const { out: _out, ...rest } = specOfRun(liveRunRecord);
        spec = rest as RunSpec;
      }
      if (!flagsGiven && !liveRunRecord)
        io.stderr.write(
          `note: the live model's run is not in this store: training with default settings (give options to choose)\n`,
        );
      const opened = await openRun(project, { ...spec, trainFile: file });
      const outcome = await executeRun(project, opened, io);
      io.stdout.write(describeOutcome(outcome, task.metric, io.cwd));

      const test = (await importTaskSplit(project, 'test'))?.dataset;
      if (!test || liveMeta.multiLabel) {
        io.stdout.write(
          test
            ? 'multi-label models: compare with promptune eval --compare\n'
            : 'no data.test in the task: nothing to compare the models on\n',
        );
        return 0;
      }
      const gold = test.examples.map((e) => e.labels[0] as string);
      const predictWith = (modelDir: string): string[] => {
        const c = loadClassifier(modelDir);
        try {
          return c.predict(test.examples.map((e) => e.inputs)).map((p) => {
            const top = Object.entries(p.probs).sort((x, y) => y[1] - x[1])[0];
            return (top?.[0] ?? '') as string;
          });
        } finally {
          c.dispose();
        }
      };
      const old = predictWith(liveDir);
      const fresh = predictWith(outcome.modelDir);
      const metric = task.metric;
      const score = (pred: string[]) => classificationMetrics(gold, pred, labels);
      const boot = bootstrapDiff(gold, old, fresh, labels, { metric });
      const text = verdict(
        [`live (${liveMeta.runId ?? relative(io.cwd, liveDir)})`, `retrained (${outcome.run.id})`],
        boot,
        mcnemar(gold, old, fresh),
      );
      io.stdout.write(
        [
          `on ${test.examples.length} test examples: live macro-F1 ${score(old).macroF1.toFixed(3)}, retrained ${score(fresh).macroF1.toFixed(3)}`,
          text,
          `retrained model: ${relative(io.cwd, outcome.modelDir)} (run dir ${relative(io.cwd, runDirOf(project, outcome.run.id))})`,
          '',
        ].join('\n'),
      );
      return 0;
    } finally {
      await project.close();
    }
  },
};
