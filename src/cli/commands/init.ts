// promptune init: writes the task file, by asking the questions a practitioner would ask, or from flags.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { csvHeader } from '../../core/data/index.js';
import { METRICS, TASK_FILE, type TaskInput, writeTask } from '../../core/task/index.js';
import { type CliIO, type Command, UsageError } from '../command.js';

const HELP = `Usage: promptune init [options]

Creates ${TASK_FILE}: what the classifier reads, what it answers, which languages, what counts as success,
and where the data lives. Without --yes it asks for whatever the flags did not give (when run in a terminal,
or with --interactive).

Options:
  --name <id>              short identifier, e.g. review-sentiment (default: derived from the objective)
  --objective <text>       what the classifier is for, in plain words
  --input <name[:desc]>    an input text field; repeat for several (title + body, or a pair). Default: text
  --label <name[:desc]>    a label and when it applies; repeat for each label
  --labels <a,b,c>         labels without descriptions (alternative to --label)
  --multi-label            an input may carry several labels at once
  --languages <en,fr>      ISO 639 codes of the texts' languages (default: en)
  --metric <m>             ${METRICS.join(' | ')} | f1:<label> (default: macro-f1)
  --train <file>           labelled training data (csv, tsv, jsonl, parquet or xlsx)
  --dev <file>             labelled development data (optional)
  --test <file>            labelled test data (optional)
  --label-column <col>     column holding the label (default: label)
  --model <ref>            base model: default, hf:org/name@revision, or a directory (default: default)
  --out <file>             where to write (default: ${TASK_FILE})
  --force                  replace an existing task file
  --yes                    never ask; fail if something required is missing
  --interactive            ask even when stdin is not a terminal`;

/** "name:description" → its parts. */
function namedItem(spec: string): { name: string; description: string } {
  const i = spec.indexOf(':');
  return i < 0
    ? { name: spec.trim(), description: '' }
    : { name: spec.slice(0, i).trim(), description: spec.slice(i + 1).trim() };
}

/** A task name derived from the objective's first words. */
function slugify(text: string): string {
  const words = text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9\s-]/g, '')
    .split(/\s+/)
    .filter(Boolean);
  return (words.slice(0, 4).join('-') || 'my-task').slice(0, 64);
}

/** Comma-separated list → trimmed non-empty items. */
function list(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Asks one question with a default; an empty answer takes the default. */
type Ask = (question: string, fallback?: string) => Promise<string>;

/** The interactive part: fills what the flags left open. */
async function interview(draft: Draft, ask: Ask, io: CliIO): Promise<void> {
  io.stdout.write('Describe the classifier. Press Enter to accept the [default].\n\n');
  draft.objective ??= await ask('What is the classifier for? (one sentence, e.g. "Route customer reviews by sentiment")');
  draft.name ??= await ask('Short name for the task', slugify(draft.objective));
  if (!draft.inputs.length) {
    const names = list(await ask('What goes in? Input fields, comma-separated (e.g. text, or title,body)', 'text'));
    for (const name of names) draft.inputs.push({ name, description: await ask(`  Describe "${name}"`, '') });
  }
  if (draft.multiLabel === undefined) {
    draft.multiLabel = /^y/i.test(await ask('Can one input carry several labels at once? (y/N)', 'n'));
  }
  if (!draft.labels.length) {
    const names = list(await ask('What comes out? Labels, comma-separated (e.g. positive,negative,neutral)'));
    for (const name of names) draft.labels.push({ name, description: await ask(`  When does "${name}" apply?`, '') });
  }
  draft.languages ??= list(await ask('Which languages are the texts in? ISO codes, comma-separated', 'en'));
  if (draft.metric === undefined) {
    io.stdout.write(
      '  macro-f1 weighs every label equally (best when some labels are rare); accuracy counts every input equally.\n',
    );
    draft.metric = await ask(`What counts as success? (${METRICS.join(', ')}, f1:<label>)`, 'macro-f1');
  }
  if (draft.train === undefined) {
    draft.train =
      (await ask('Where is the labelled training data? (csv/tsv/jsonl/parquet/xlsx path, Enter to add later)', '')) || undefined;
    if (draft.train) draft.test ??= (await ask('Test data path (Enter to split the training data later)', '')) || undefined;
  }
  draft.model ??= await ask('Base model (default, hf:org/name, or a directory)', 'default');
}

/** What init has gathered so far. */
interface Draft {
  name?: string;
  objective?: string;
  inputs: { name: string; description: string }[];
  labels: { name: string; description: string }[];
  multiLabel?: boolean;
  languages?: string[];
  metric?: string;
  train?: string;
  dev?: string;
  test?: string;
  labelColumn?: string;
  model?: string;
}

/** The task file contents from a complete draft. */
function toTask(d: Draft): TaskInput {
  const task: TaskInput = {
    name: d.name ?? slugify(d.objective ?? ''),
    objective: d.objective ?? '',
    type: d.multiLabel ? 'multi-label' : 'single-label',
    inputs: d.inputs.length ? d.inputs : [{ name: 'text', description: '' }],
    labels: d.labels,
    languages: d.languages?.length ? d.languages : ['en'],
    metric: d.metric ?? 'macro-f1',
    model: d.model ?? 'default',
  };
  if (d.train) {
    task.data = { train: d.train, labelColumn: d.labelColumn ?? 'label' };
    if (d.dev) task.data.dev = d.dev;
    if (d.test) task.data.test = d.test;
  }
  return task;
}

export const init: Command = {
  name: 'init',
  summary: `create ${TASK_FILE}: inputs, labels, languages, metric, data`,
  help: HELP,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        name: { type: 'string' },
        objective: { type: 'string' },
        input: { type: 'string', multiple: true },
        label: { type: 'string', multiple: true },
        labels: { type: 'string' },
        'multi-label': { type: 'boolean' },
        languages: { type: 'string' },
        metric: { type: 'string' },
        train: { type: 'string' },
        dev: { type: 'string' },
        test: { type: 'string' },
        'label-column': { type: 'string' },
        model: { type: 'string' },
        out: { type: 'string', default: TASK_FILE },
        force: { type: 'boolean', default: false },
        yes: { type: 'boolean', default: false },
        interactive: { type: 'boolean', default: false },
      },
    });
    if (values.label && values.labels) throw new UsageError('give labels with --label or --labels, not both');
    const draft: Draft = {
      name: values.name,
      objective: values.objective,
      inputs: (values.input ?? []).map(namedItem),
      labels: values.label ? values.label.map(namedItem) : list(values.labels ?? '').map((name) => ({ name, description: '' })),
      multiLabel: values['multi-label'],
      languages: values.languages === undefined ? undefined : list(values.languages),
      metric: values.metric,
      train: values.train,
      dev: values.dev,
      test: values.test,
      labelColumn: values['label-column'],
      model: values.model,
    };
    const out = resolve(io.cwd, values.out as string);
    if (existsSync(out) && !values.force) {
      throw new UsageError(`${values.out} already exists: edit it, or pass --force to replace it`);
    }
    const interactive = !values.yes && (values.interactive || io.stdin.isTTY === true);
    if (interactive) {
      const rl = createInterface({ input: io.stdin, output: io.stdout, terminal: io.stdin.isTTY === true });
      // Piped answers can arrive before a question is asked; queue lines so none is lost.
      const lines: string[] = [];
      const waiting: ((line: string) => void)[] = [];
      let closed = false;
      rl.on('line', (line) => (waiting.length ? (waiting.shift() as (l: string) => void)(line) : lines.push(line)));
      rl.on('close', () => {
        closed = true;
        for (const w of waiting.splice(0)) w('');
      });
      const ask: Ask = async (question, fallback) => {
        io.stdout.write(`${question}${fallback ? ` [${fallback}]` : ''}: `);
        const line = lines.length ? (lines.shift() as string) : closed ? '' : await new Promise<string>((r) => waiting.push(r));
        if (!io.stdin.isTTY) io.stdout.write('\n');
        return line.trim() || fallback || '';
      };
      try {
        await interview(draft, ask, io);
      } finally {
        rl.close();
      }
    } else {
      const missing = [!draft.objective && '--objective', !draft.labels.length && '--label (or --labels)'].filter(Boolean);
      if (missing.length)
        throw new UsageError(`missing ${missing.join(' and ')} (or run without --yes in a terminal to be asked)`);
    }
    const task = writeTask(out, toTask(draft), { overwrite: values.force });
    io.stdout.write(
      `Wrote ${values.out}: task "${task.name}", ${task.type}, labels ${task.labels.map((l) => l.name).join(', ')}; metric ${task.metric}.\n`,
    );
    // Check the named columns against the data's header now, not at training time.
    const columns = task.data ? csvHeader(join(io.cwd, task.data.train)) : undefined;
    if (columns && task.data) {
      const wanted = [...task.inputs.map((i) => i.column ?? i.name), task.data.labelColumn];
      const absent = wanted.filter((c) => !columns.includes(c));
      if (absent.length) {
        io.stderr.write(
          `warning: ${task.data.train} has no column ${absent.map((c) => `"${c}"`).join(', ')} (it has ${columns.join(', ')}): set inputs[].column / data.labelColumn in ${values.out}.\n`,
        );
      }
    } else if (task.data && !existsSync(join(io.cwd, task.data.train))) {
      io.stderr.write(`warning: ${task.data.train} does not exist yet.\n`);
    }
    io.stdout.write('Next: promptune task check.\n');
    return 0;
  },
};
