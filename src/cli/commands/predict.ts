// promptune predict: a fine-tuned classifier on new data — one text, or a CSV / JSONL / Parquet file in and a
// CSV or JSONL file out with the predicted label, its confidence and the probability of every label (with the
// model's calibration: temperature and the "not sure" threshold).
import { writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { csvLine, readTable } from '../../core/data/index.js';
import { type Classifier, type Prediction, loadClassifier } from '../../core/train/index.js';
import { type CliIO, type Command, UsageError } from '../command.js';
import { INPUT_OPTIONS, PROJECT_HELP, PROJECT_OPTIONS, openProject, readInputs } from '../context.js';
import { ProgressBar } from '../progress.js';
import { resolveModelDir } from './model-dir.js';

const HELP = `Usage: promptune predict [--model <dir> | --run <id>] (--text "..." | --input field=value... | --data <file> [--out <file>])

Predicts labels with a fine-tuned model (default: the newest completed run of the task). A file's rows keep all
their columns; added columns: prediction (empty when the model is not sure), confidence, and p:<label> per label.
The output format follows --out's extension (.csv or .jsonl); without --out, JSONL goes to stdout.

Options:
  --model <dir>            a model directory saved by promptune train (with promptune.json)
  --run <id>               the model of this run
  --text <text>            one input (tasks with one input field)
  --input <field=value>    one input field (repeat for each)
  --data <file>            CSV, JSONL or Parquet with the task's input columns
  --out <file>             where to write the predictions (.csv or .jsonl)
  --batch-size <n>         default 32
  --min-confidence <p>     override the model's "not sure" threshold (0 answers always)
${PROJECT_HELP}`;

export const predictCommand: Command = {
  name: 'predict',
  summary: 'predict labels for new texts or a file with a fine-tuned model',
  help: HELP,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        ...PROJECT_OPTIONS,
        ...INPUT_OPTIONS,
        model: { type: 'string' },
        run: { type: 'string' },
        data: { type: 'string' },
        out: { type: 'string' },
        'batch-size': { type: 'string', default: '32' },
        'min-confidence': { type: 'string' },
      },
    });
    const single = values.text !== undefined || values.input !== undefined;
    if (single === (values.data !== undefined))
      throw new UsageError('give either --text / --input (one example) or --data <file> (many)');
    const batchSize = Number(values['batch-size']);
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new UsageError(`--batch-size ${values['batch-size']}: expected a whole number ≥ 1`);
    const project = await openProject(values, io);
    let classifier: Classifier | undefined;
    try {
      classifier = loadClassifier(await resolveModelDir(project, values, io));
      if (values['min-confidence'] !== undefined) {
        const p = Number(values['min-confidence']);
        if (!(p >= 0 && p <= 1))
          throw new UsageError(`--min-confidence ${values['min-confidence']}: expected a probability between 0 and 1`);
        classifier.meta.abstainBelow = p;
      }
      if (single) {
        const inputs = readInputs(values, classifier.meta.inputs, 'predict');
        const [pred] = classifier.predict([inputs]);
        io.stdout.write(`${describe(pred as Prediction)}\n`);
        return 0;
      }
      return await predictFile(
        classifier,
        resolve(io.cwd, values.data as string),
        values.out && resolve(io.cwd, values.out),
        batchSize,
        io,
      );
    } finally {
      classifier?.dispose();
      await project.close();
    }
  },
};

/** "positive (0.93)  positive 0.93 · negative 0.05 · neutral 0.02" (multi-label: "labels: a, b  a 0.91 · …") */
function describe(p: Prediction): string {
  const ranked = Object.entries(p.probs).sort((a, b) => b[1] - a[1]);
  if (p.labels)
    return `labels: ${p.labels.length ? p.labels.join(', ') : '(none)'}  ${ranked.map(([l, v]) => `${l} ${v.toFixed(2)}`).join(' · ')}`;
  const head =
    p.label === undefined
      ? `not sure (top ${ranked[0]?.[0]} ${p.confidence.toFixed(2)})`
      : `${p.label} (${p.confidence.toFixed(2)})`;
  return `${head}  ${ranked.map(([l, v]) => `${l} ${v.toFixed(2)}`).join(' · ')}`;
}

async function predictFile(
  classifier: Classifier,
  path: string,
  out: string | undefined,
  batchSize: number,
  io: CliIO,
): Promise<number> {
  const table = await readTable(path);
  const fields = classifier.meta.inputs;
  const missing = fields.filter((f) => !table.columns.includes(f));
  if (missing.length)
    throw new UsageError(
      `${path} has no column ${missing.join(', ')}: the model reads ${fields.join(', ')} (columns found: ${table.columns.join(', ')})`,
    );
  for (const p of table.problems) io.stderr.write(`warning: ${path}:${p.line}: ${p.message} (row skipped)\n`);
  const labels = classifier.meta.labels;
  const format = out?.endsWith('.csv') ? 'csv' : 'jsonl';
  if (out && !/\.(csv|jsonl|ndjson)$/.test(out)) throw new UsageError(`--out ${out}: use a .csv or .jsonl file name`);
  const lines: string[] = [];
  const multi = classifier.meta.multiLabel;
  // Multi-label models add the predicted label set ("a|b" in CSV, an array in JSONL) in front.
  const added = [...(multi ? ['labels'] : []), 'prediction', 'confidence', ...labels.map((l) => `p:${l}`)];
  const clash = added.filter((c) => table.columns.includes(c));
  if (clash.length)
    throw new UsageError(`${path} already has column ${clash.join(', ')}: rename it, predict adds ${added.join(', ')}`);
  if (format === 'csv') lines.push(csvLine([...table.columns, ...added]));
  const bar = new ProgressBar(io.stderr, table.rows.length, 'examples');
  const counts = new Map<string, number>();
  for (let i = 0; i < table.rows.length; i += batchSize) {
    const rows = table.rows.slice(i, i + batchSize);
    const preds = classifier.predict(
      rows.map((r) => Object.fromEntries(fields.map((f) => [f, String(r.values[f] ?? '')]))),
      batchSize,
    );
    rows.forEach((r, j) => {
      const p = preds[j] as Prediction;
      for (const key of multi ? (p.labels?.length ? p.labels : ['(none)']) : [p.label ?? '(not sure)'])
        counts.set(key, (counts.get(key) ?? 0) + 1);
      const extra = [p.label ?? '', round(p.confidence), ...labels.map((l) => round(p.probs[l] as number))];
      if (format === 'csv')
        lines.push(csvLine([...table.columns.map((c) => r.values[c]), ...(multi ? [(p.labels ?? []).join('|')] : []), ...extra]));
      else {
        const fieldsOut: Record<string, unknown> = multi ? { labels: p.labels ?? [] } : {};
        added.slice(multi ? 1 : 0).forEach((c, k) => {
          fieldsOut[c] = k === 0 && !p.label ? null : extra[k];
        });
        lines.push(JSON.stringify({ ...r.values, ...fieldsOut }));
      }
    });
    bar.update(Math.min(i + batchSize, table.rows.length));
  }
  bar.finish();
  const text = `${lines.join('\n')}\n`;
  if (out) {
    writeFileSync(out, text);
    io.stderr.write(`${table.rows.length} predictions written to ${relative(io.cwd, out) || out}\n`);
  } else {
    io.stdout.write(text);
  }
  io.stderr.write(`${[...counts].map(([l, n]) => `${l}: ${n}`).join(', ')}\n`);
  return 0;
}

const round = (x: number): number => Math.round(x * 1e6) / 1e6;
