// promptune score: a CSV or JSONL file of any size through a fine-tuned model, streamed, with a progress bar
// over the input's bytes, resumable after a crash or Ctrl-C. The work is core's score(); this is its shell.
import { existsSync } from 'node:fs';
import { extname, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type ScoreProblem, type ScoreSummary, score } from '../../core/score/index.js';
import { type CliIO, type Command, UsageError } from '../command.js';
import { PROJECT_HELP, PROJECT_OPTIONS, openProject } from '../context.js';
import { ProgressBar } from '../progress.js';
import { resolveModelDir } from './model-dir.js';

const HELP = `Usage: promptune score --data <file> --out <file> [--model <dir> | --run <id>] [--batch-size <n>] [--restart]

Scores a CSV or JSONL file of any size with a fine-tuned model (default: the newest completed run of the task),
reading it in chunks. The output (.csv or .jsonl, by --out's extension) has every input column plus the columns
promptune predict adds: prediction (empty when the model is not sure), confidence, and p:<label> per label.
Rows that cannot be scored (wrong field count, bad JSON, an empty input column) are skipped with a warning
naming their line, and counted in the summary.

Progress is saved next to the output (<out>.score-state.json) every second: after a crash or Ctrl-C, run the
same command again and it continues where it stopped, with no row lost or written twice. If the input or the
model changed in between, it refuses; --restart starts over.

Options:
  --data <file>            the .csv or .jsonl file to score (with the model's input columns)
  --out <file>             where to write predictions (.csv or .jsonl); not overwritten unless --restart
  --model <dir>            a model directory saved by promptune train (then no task file is needed)
  --run <id>               the model of this run
  --batch-size <n>         rows per forward pass (default 32)
  --min-confidence <p>     override the model's "not sure" threshold (0 answers always)
  --restart                start over, replacing --out and forgetting an interrupted run's progress
${PROJECT_HELP}`;

/** How many skipped rows are named one by one before the rest are only counted. */
const SHOWN_PROBLEMS = 20;

export const scoreCommand: Command = {
  name: 'score',
  summary: 'score a CSV/JSONL file of any size with a fine-tuned model (streaming, resumable)',
  help: HELP,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        ...PROJECT_OPTIONS,
        data: { type: 'string' },
        out: { type: 'string' },
        model: { type: 'string' },
        run: { type: 'string' },
        'batch-size': { type: 'string', default: '32' },
        'min-confidence': { type: 'string' },
        restart: { type: 'boolean', default: false },
      },
    });
    if (!values.data) throw new UsageError('--data is required: the .csv or .jsonl file to score (e.g. --data reviews.csv)');
    if (!values.out) throw new UsageError('--out is required: where to write the predictions (e.g. --out scored.csv)');
    const data = resolve(io.cwd, values.data);
    const out = resolve(io.cwd, values.out);
    for (const [flag, value] of [
      ['--data', values.data],
      ['--out', values.out],
    ] as const)
      if (!['.csv', '.jsonl', '.ndjson'].includes(extname(value).toLowerCase()))
        throw new UsageError(
          `${flag} ${value}: use a .csv or .jsonl file${flag === '--data' && extname(value) === '.parquet' ? ' (for Parquet, use promptune predict)' : ''}`,
        );
    if (!existsSync(data)) throw new UsageError(`--data ${values.data}: no such file; check the path`);
    if (data === out) throw new UsageError(`--out ${values.out}: the same file as --data; write the predictions elsewhere`);
    const batchSize = Number(values['batch-size']);
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new UsageError(`--batch-size ${values['batch-size']}: expected a whole number ≥ 1 (e.g. --batch-size 32)`);
    let minConfidence: number | undefined;
    if (values['min-confidence'] !== undefined) {
      minConfidence = Number(values['min-confidence']);
      if (!(minConfidence >= 0 && minConfidence <= 1))
        throw new UsageError(`--min-confidence ${values['min-confidence']}: expected a probability between 0 and 1`);
    }
    const model = await modelDir(values, io);

    const controller = new AbortController();
    const stop = (): void => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    let bar: ProgressBar | undefined;
    let shown = 0;
    try {
      const summary = await score(
        { data, out, model, batchSize, restart: values.restart, ...(minConfidence !== undefined ? { minConfidence } : {}) },
        {
          signal: controller.signal,
          onStart({ resumedRows, bytesDone, bytesTotal }) {
            if (resumedRows > 0)
              io.stderr.write(`resuming: ${resumedRows} rows were scored before the interruption; continuing from there\n`);
            bar = new ProgressBar(io.stderr, bytesTotal, 'bytes').resumeAt(bytesDone);
          },
          onProgress(p) {
            bar?.update(p.bytesDone, { rows: String(p.rows), 'rows/s': p.rowsPerSecond.toFixed(1) });
          },
          onProblem(p) {
            shown++;
            if (shown <= SHOWN_PROBLEMS) io.stderr.write(`warning: ${describeProblem(values.data as string, p)}\n`);
            else if (shown === SHOWN_PROBLEMS + 1)
              io.stderr.write('warning: more rows are being skipped; the summary counts them all\n');
          },
          onWarning(message) {
            io.stderr.write(`warning: ${message}\n`);
          },
        },
      );
      bar?.finish();
      io.stdout.write(summarize(summary, relative(io.cwd, out) || out));
      if (!summary.completed) {
        io.stderr.write('stopped: run the same command again to continue where it left off\n');
        return 130;
      }
      return 0;
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  },
};

/** The model directory: --model as given (no project needed), else --run or the task's newest run. */
async function modelDir(values: { model?: string; run?: string; task?: string; store?: string }, io: CliIO): Promise<string> {
  if (values.model && values.run) throw new UsageError('give --model <dir> or --run <id>, not both');
  if (values.model) {
    const dir = resolve(io.cwd, values.model);
    if (!existsSync(dir))
      throw new UsageError(`--model ${values.model}: no such directory; give the model directory a run saved`);
    return dir;
  }
  const project = await openProject(values, io);
  try {
    return await resolveModelDir(project, values, io);
  } finally {
    await project.close();
  }
}

/** "data.csv:12: WRONG_FIELD_COUNT: 3 fields where … (row skipped)" */
function describeProblem(data: string, p: ScoreProblem): string {
  return `${data}:${p.line}: ${p.message} (row skipped)`;
}

/** The closing summary: rows, skipped rows, speed and labels. */
function summarize(s: ScoreSummary, out: string): string {
  const before = s.resumedRows ? ` (${s.resumedRows} before the interruption)` : '';
  const skipped = s.problems ? `; ${s.problems} row${s.problems === 1 ? '' : 's'} skipped (see warnings)` : '; no rows skipped';
  const counts = Object.entries(s.counts)
    .sort((a, b) => b[1] - a[1])
    .map(([l, n]) => `${l}: ${n}`)
    .join(', ');
  return `${s.completed ? 'scored' : 'stopped after'} ${s.rows} rows${before} into ${out} in ${s.seconds.toFixed(1)}s (${s.rowsPerSecond.toFixed(1)} rows/s)${skipped}\n${counts || 'no predictions'}\n`;
}
