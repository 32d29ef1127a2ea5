import { writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
// promptune data: import the task's data files as versioned datasets, report on them, split, sample K-shot
// sets, and export them (chat JSONL or a Hugging Face datasets directory).
import { parseArgs } from 'node:util';
import {
  CSV_DELIMITERS,
  type Dataset,
  type ReadOptions,
  TEXT_ENCODINGS,
  dataReport,
  describeRead,
  formatReport,
  kShot,
  parseDelimiter,
  parseEncoding,
  stratifiedSplit,
  toChatJsonl,
  writeHfDatasetDir,
} from '../../core/data/index.js';
import { checkPrompt, renderPrompt } from '../../core/prompts/index.js';
import { maxInputLength } from '../../transformers/index.js';
import { type CliIO, type Command, UsageError } from '../command.js';
import { PROJECT_HELP, PROJECT_OPTIONS, type Project, importTaskSplit, openProject, saveDataset } from '../context.js';

const HELP = `Usage: promptune data <action> [options]

Actions:
  import                      read the task's data files (data.train/dev/test: .csv, .tsv, .jsonl, .parquet, .xlsx),
                              list problem rows and label rewrites, store versions
  report                      rows per label and split, duplicates, conflicts, leakage, lengths, imbalance, languages
  split                       split the training data: --ratios train=0.8,dev=0.1,test=0.1 --seed 42
  kshot                       K per label for train and dev (LM-BFF): --k 16 --seeds 13,21,42,87,100
  export                      --format chat|hf --out <path> [--prompt <name>] (chat: the prompt renders the user turn)

Options:
  --strict                    import: any problem row is an error
  --delimiter <d>             CSV field delimiter: , ; | or tab (default: data.delimiter, else detected; .tsv: tab)
  --encoding <name>           CSV/JSONL encoding: utf-8, utf-16le, utf-16be, windows-1252, latin1
                              (default: data.encoding, else detected: BOM, else UTF-8 if valid, else windows-1252)
  --sheet <name>              .xlsx worksheet (default: data.sheet, else the first)
  --no-language               report: skip language identification
  --ratios <a=x,b=y>          split ratios (default train=0.8,dev=0.1,test=0.1)
  --seed <n> / --seeds <list> split / kshot seeds
  --k <n>                     kshot: examples per label (default 16)
${PROJECT_HELP}`;

/** --delimiter, --encoding and --sheet, checked: each names the flag, the value and what it accepts. */
function readOptions(values: { delimiter?: string; encoding?: string; sheet?: string }): ReadOptions {
  const read: ReadOptions = {};
  if (values.delimiter !== undefined) {
    const d = parseDelimiter(values.delimiter);
    if (!d)
      throw new UsageError(
        `--delimiter "${values.delimiter}" is not a CSV delimiter: use one of ${CSV_DELIMITERS.filter((c) => c !== '\t').join(' ')} or tab (quote ; and | in the shell: --delimiter ';'), or leave it out to detect it`,
      );
    read.delimiter = d;
  }
  if (values.encoding !== undefined) {
    const e = parseEncoding(values.encoding);
    if (!e)
      throw new UsageError(
        `--encoding "${values.encoding}" is not an encoding import reads: use one of ${TEXT_ENCODINGS.join(', ')}, or leave it out to detect it`,
      );
    read.encoding = e;
  }
  if (values.sheet !== undefined) {
    if (!values.sheet.trim()) throw new UsageError('--sheet "": give the worksheet\'s name, or leave it out for the first');
    read.sheet = values.sheet;
  }
  return read;
}

/** Every data file the task names, imported; an error when it names none. */
async function importAll(project: Project, io: CliIO, strict: boolean, read: ReadOptions): Promise<Record<string, Dataset>> {
  if (!project.loaded.task.data)
    throw new UsageError('the task file has no data: section: add data: { train: <file> } (and test)');
  const out: Record<string, Dataset> = {};
  const used = { delimiter: false, encoding: false, sheet: false };
  for (const split of ['train', 'dev', 'test'] as const) {
    const r = await importTaskSplit(project, split, strict, undefined, read);
    if (!r) continue;
    used.delimiter ||= r.read.delimiter !== undefined;
    used.encoding ||= r.read.encoding !== undefined;
    used.sheet ||= r.read.sheet !== undefined;
    const file = relative(io.cwd, project.loaded.dataPaths[split] as string);
    io.stdout.write(
      `${split}: ${file}: ${r.dataset.examples.length} of ${r.rowsRead} rows imported, version ${r.dataset.hash.slice(0, 12)}\n`,
    );
    io.stdout.write(`  read as ${describeRead(r.read)}\n`);
    for (const p of r.problems.slice(0, 20))
      io.stdout.write(`  line ${p.line}${p.column ? ` (${p.column})` : ''}: ${p.code}: ${p.message}\n`);
    if (r.problems.length > 20) io.stdout.write(`  … ${r.problems.length - 20} more problem rows\n`);
    for (const w of r.labelRewrites) io.stdout.write(`  label "${w.raw}" read as "${w.label}" (${w.count} rows)\n`);
    await saveDataset(project, r.dataset, split, null);
    out[split] = r.dataset;
  }
  const unused: Record<keyof typeof used, string> = {
    delimiter: '--delimiter applies to CSV files',
    encoding: '--encoding applies to CSV and JSONL files',
    sheet: '--sheet applies to .xlsx files',
  };
  for (const k of Object.keys(used) as (keyof typeof used)[])
    if (read[k] !== undefined && !used[k]) io.stderr.write(`warning: ${unused[k]}, and the task names none: it was not used\n`);
  return out;
}

export const dataCommand: Command = {
  name: 'data',
  summary: 'import, report on, split, sample and export the task data',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        ...PROJECT_OPTIONS,
        strict: { type: 'boolean', default: false },
        delimiter: { type: 'string' },
        encoding: { type: 'string' },
        sheet: { type: 'string' },
        'no-language': { type: 'boolean', default: false },
        ratios: { type: 'string', default: 'train=0.8,dev=0.1,test=0.1' },
        seed: { type: 'string', default: '42' },
        seeds: { type: 'string', default: '13,21,42,87,100' },
        k: { type: 'string', default: '16' },
        format: { type: 'string' },
        out: { type: 'string' },
        prompt: { type: 'string' },
      },
    });
    const [action] = positionals;
    if (!action || positionals.length > 1) throw new UsageError('expected "promptune data import|report|split|kshot|export"');
    const read = readOptions(values);
    const project = await openProject(values, io);
    try {
      const task = project.loaded.task;
      const int = (name: string, v: string): number => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer, got "${v}"`);
        return n;
      };
      if (action === 'import') {
        await importAll(project, io, values.strict as boolean, read);
        return 0;
      }
      if (action === 'report') {
        const splits = await importAll(project, io, false, read);
        let countTokens: ((t: string) => number) | undefined;
        let maxTokens: number | undefined;
        try {
          const p = await project.model();
          countTokens = (t) => p.tokenizer.encode(t, null, { truncation: false, padding: false }).ids.length;
          maxTokens = maxInputLength(p);
        } catch (e) {
          io.stderr.write(`warning: token lengths skipped: ${(e as Error).message}\n`);
        }
        const report = await dataReport(splits, {
          countTokens,
          maxTokens,
          languages: task.languages,
          detectLanguage: !values['no-language'],
        });
        io.stdout.write(`\n${formatReport(report)}\n`);
        return 0;
      }
      if (action === 'split' || action === 'kshot') {
        const train = await importTaskSplit(project, 'train', false, undefined, read);
        if (!train) throw new UsageError('the task file names no data.train file');
        await saveDataset(project, train.dataset, 'train', null);
        if (action === 'split') {
          const ratios = Object.fromEntries(
            (values.ratios as string).split(',').map((kv) => {
              const [k, v] = kv.split('=');
              if (!k || v === undefined || !(Number(v) > 0))
                throw new UsageError(`--ratios "${values.ratios}": write name=fraction,... e.g. train=0.8,dev=0.1,test=0.1`);
              return [k.trim(), Number(v)];
            }),
          );
          const seed = int('seed', values.seed as string);
          for (const [name, ds] of Object.entries(stratifiedSplit(train.dataset, ratios, seed))) {
            await saveDataset(project, ds, `${name}-seed-${seed}`, train.dataset.hash);
            io.stdout.write(`${name}: ${ds.examples.length} rows, version ${ds.hash.slice(0, 12)}\n`);
          }
        } else {
          const k = int('k', values.k as string);
          for (const seed of (values.seeds as string).split(',').map((s) => int('seeds', s.trim()))) {
            const { train: t, dev } = kShot(train.dataset, k, seed);
            await saveDataset(project, t, `k${k}-seed${seed}-train`, train.dataset.hash);
            await saveDataset(project, dev, `k${k}-seed${seed}-dev`, train.dataset.hash);
            io.stdout.write(
              `seed ${seed}: train ${t.hash.slice(0, 12)} (${t.examples.length}), dev ${dev.hash.slice(0, 12)} (${dev.examples.length})\n`,
            );
          }
        }
        return 0;
      }
      if (action === 'export') {
        if (!values.out) throw new UsageError('export needs --out <file or directory>');
        const out = resolve(io.cwd, values.out);
        const splits: Record<string, Dataset> = {};
        for (const split of ['train', 'dev', 'test'] as const) {
          const r = await importTaskSplit(project, split, false, undefined, read);
          if (r) splits[split] = r.dataset;
        }
        if (values.format === 'hf') {
          const files = writeHfDatasetDir(out, splits, {
            name: task.name,
            labels: task.labels.map((l) => l.name),
            multiLabel: task.type === 'multi-label',
          });
          io.stdout.write(`Wrote ${files.join(', ')} to ${values.out} (load with datasets.load_dataset("${values.out}")).\n`);
          return 0;
        }
        if (values.format !== 'chat') throw new UsageError('--format must be chat or hf');
        let user = (inputs: Record<string, string>): string => Object.values(inputs).join('\n');
        if (values.prompt) {
          const versions = await project.store.prompts.list(task.name, { name: values.prompt });
          const v = versions[0] ?? (await project.store.prompts.get(values.prompt));
          const prompt = checkPrompt(v.spec, task);
          // The answer slot becomes the assistant turn: render the template with the mask as "…".
          user = (inputs) => renderPrompt(prompt.parts, inputs, { mask: '…', sep: '\n' }).text;
        }
        const system = `${task.objective} Answer with one of: ${task.labels.map((l) => (l.description ? `${l.name} (${l.description})` : l.name)).join(', ')}.`;
        const train = splits.train as Dataset;
        writeFileSync(
          out,
          toChatJsonl(train, (e) => ({ system, user: user(e.inputs) })),
        );
        io.stdout.write(`Wrote ${train.examples.length} chat examples to ${values.out}.\n`);
        return 0;
      }
      throw new UsageError(`unknown action "${action}": import, report, split, kshot or export`);
    } finally {
      await project.close();
    }
  },
};
