// promptune retrain: closes the feedback loop — the task's training data plus what people corrected or confirmed
// (the server's review queue, feedback, the CRM) becomes a new dataset version, a run trains on it with the live
// model's recipe, and the new model is compared with the live one on the test set before anyone promotes it.
// The workflow is app/retrain; this verb parses its flags and prints its result.
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { type OnProgress, type RetrainInput, type RetrainResult, retrain } from '../../app/index.js';
import { type CliIO, type Command, UsageError } from '../command.js';
import { PROJECT_HELP, PROJECT_OPTIONS, openProject } from '../context.js';
import { describeOutcome, renderRunProgress } from '../training/render.js';
import { HYPER_HELP, HYPER_OPTIONS, specFromFlags } from '../training/spec.js';

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

/** Parses retrain's flags into the project's location flags and the workflow's input. */
export function retrainInputFromArgv(argv: string[]): { project: { task?: string; store?: string }; input: RetrainInput } {
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
  const { task, store, live, 'live-run': liveRun, since, 'min-feedback': minRaw, ...hyper } = values;
  const minFeedback = Number(minRaw);
  if (!(Number.isInteger(minFeedback) && minFeedback >= 0))
    throw new UsageError(`--min-feedback ${minRaw}: expected a whole number ≥ 0`);
  if (since !== undefined && Number.isNaN(Date.parse(since)))
    throw new UsageError(`--since ${since}: expected an ISO time, e.g. 2026-11-24T00:00:00Z`);
  const flagsGiven = Object.values(hyper).some((v) => v !== undefined && v !== false);
  return {
    project: { task, ...(store !== undefined ? { store } : {}) },
    input: {
      ...(live !== undefined ? { live } : {}),
      ...(liveRun !== undefined ? { liveRun } : {}),
      ...(since !== undefined ? { since } : {}),
      minFeedback,
      ...(flagsGiven ? { spec: specFromFlags(hyper) } : {}),
    },
  };
}

export const retrainCommand: Command = {
  name: 'retrain',
  summary: 'train a new model on the task data plus reviewed feedback, and compare it with the live one',
  help: HELP,
  async run(argv, io) {
    const { project: at, input } = retrainInputFromArgv(argv);
    const project = await openProject(at, io);
    try {
      const result = await retrain(project, input, { cwd: io.cwd, onProgress: retrainProgress(io) });
      io.stdout.write(describeRetrain(result, project.loaded.task.metric, io.cwd));
      return 0;
    } finally {
      await project.close();
    }
  },
};

/** Prints the training set as soon as it is built, then the run's progress. */
function retrainProgress(io: CliIO): OnProgress {
  const run = renderRunProgress(io);
  return (e) => {
    if (e.type !== 'dataset') return run(e);
    const source = relative(io.cwd, e.base.source) || e.base.source;
    io.stdout.write(
      `training set: ${e.base.rows} rows of ${source} + ${e.feedbackRows} from feedback → ${e.merged.rows} rows (dataset ${e.merged.hash.slice(0, 12)}, ${relative(io.cwd, e.merged.file)})\n`,
    );
  };
}

/** The run's lines and the comparison with the live model. */
function describeRetrain(r: RetrainResult, metric: string, cwd: string): string {
  const lines = [describeOutcome(r.outcome, metric, cwd)];
  const c = r.comparison;
  if ('skipped' in c)
    lines.push(
      c.skipped === 'multi-label'
        ? `multi-label models: compare them with promptune eval --model ${relative(cwd, r.live.dir) || r.live.dir} --run ${r.outcome.run.id}\n`
        : 'no data.test in the task: nothing to compare the models on\n',
    );
  else
    lines.push(
      [
        `on ${c.n} test examples: live macro-F1 ${c.live.macroF1.toFixed(3)}, retrained ${c.retrained.macroF1.toFixed(3)}`,
        c.verdict,
        `retrained model: ${relative(cwd, r.outcome.modelDir)} (run dir ${relative(cwd, r.outcome.runDir)})`,
        '',
      ].join('\n'),
    );
  return lines.join('');
}
