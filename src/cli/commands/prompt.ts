// promptune prompt: add, edit, list, log, diff and preview prompt versions (template + verbalizer).
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import {
  AppError,
  abTestPrompts,
  evaluatePrompts,
  maskedLm,
  promptVersionText,
  resolvePromptVersion,
  searchPrompt,
} from '../../app/index.js';
import { type Metrics, metricValue } from '../../core/eval/index.js';
import {
  type CheckedPrompt,
  type PromptSpec,
  abTest,
  buildPreview,
  checkPrompt,
  diffLines,
  encodePrompt,
  formatDiff,
  formatPreview,
  labelWordIds,
  parseVerbalizerSpecs,
  zeroShotMlm,
} from '../../core/prompts/index.js';
import type { PromptVersion } from '../../store/index.js';
import { type Pretrained, maxInputLength } from '../../transformers/index.js';
import { useColour } from '../colour.js';
import { type CliIO, type Command, UsageError } from '../command.js';
import {
  INPUT_OPTIONS,
  PROJECT_HELP,
  PROJECT_OPTIONS,
  type Project,
  importTaskSplit,
  openProject,
  readInputs,
  saveDataset,
} from '../context.js';

const HELP = `Usage: promptune prompt <action> [options]

Prompt versions: every edit is a new version with a content hash, a parent, an author and a note.

Actions:
  add <name> --template <t> --verbalizer <label=word|word> ...   a new prompt (first version)
  edit <name|hash> [--template <t>] [--verbalizer ...]             a new version of it (parent: that version)
  list                                                           prompts of the task, newest version first
  log <name|hash>                                                a version and its ancestors
  show <name|hash>                                               one version as YAML
  diff <a> <b>                                                   what changed between two versions
  preview <name|hash> (--row <line> | --text <t> | --input f=v)  how it renders and tokenizes
  eval <name|hash> [--split test] [--limit n] [--calibrate]      zero-shot score on labelled data (masked-LM model)
  eval --method similarity                                      zero-shot by label descriptions (sentence encoders)
  ab <a> <b> [--split test] [--limit n]                          compare two versions on the same examples
  eval <a> <b> ...                                               a PET-style ensemble: label distributions averaged
  search <name|hash> [--per-label k] [--keep n]                 LM-BFF label-word search on train, pruned on dev;
                                                                 the best is stored as a new version
  search <name|hash> --templates <t> [--templates <t>] ...       score candidate templates on dev; store the best

Templates: "{text} All in all, it was {mask}." — input slots are the task's input names; {mask} is the answer
slot; {soft:N} adds N learned prompt tokens; {sep} the model's separator; {{ and }} are literal braces.
Verbalizers: --verbalizer positive=great|good --verbalizer negative=bad (one per label).

Options:
  --template <t>           the template
  --verbalizer <spec>      label=word or label=word1|word2; repeat for every label
  --author <name>          who made the version (default: $USER)
  --note <text>            why this version exists
  --row <line>             preview: the training-data row at this line of the file
  --text <t>               preview: the input text (tasks with one input)
  --input <field=value>    preview: one input field; repeat for several
  --model <ref>            preview: tokenizer of this model instead of the task's
  --max-length <n>         preview: the length limit to check against (default: the model's)
  --no-colour              preview: plain text
  --split <s>              eval/ab: which data file (train, dev, test; default test, else train)
  --limit <n>              eval/ab/search: use the first n examples
  --calibrate              eval/ab: contextual calibration (content-free inputs)
  --json                   ab: print the result as one JSON object (metric per side, difference, interval,
                           McNemar p-value, verdict)
  --method <m>             eval: mlm (default) or similarity
  --per-label <k>          search: candidate words per label (default 8)
  --keep <n>               search: combinations re-ranked on dev (default 20)
  --templates <t>          search: a candidate template (repeat); the current one is always a candidate
${PROJECT_HELP}`;

/** A version by hash prefix, else the newest version with that name. */
async function resolveVersion(project: Project, ref: string): Promise<PromptVersion> {
  try {
    return await resolvePromptVersion(project, ref);
  } catch (e) {
    // A name that is not there is a wrong invocation here, as it always was (exit 2).
    if (AppError.isInstance(e) && e.code === 'NOT_FOUND')
      throw new UsageError(`${e.problems[0]?.message}: add one with "promptune prompt add"`);
    throw e;
  }
}

/** Checks a stored spec against the current task (the task file may have changed since). */
function checked(project: Project, v: PromptVersion): CheckedPrompt {
  return checkPrompt(v.spec, project.loaded.task);
}

const short = (hash: string): string => hash.slice(0, 10);

/** The YAML a person reads for a version (and diffs between versions). */

export const promptCommand: Command = {
  name: 'prompt',
  summary: 'add, edit, version, diff and preview prompts',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        ...PROJECT_OPTIONS,
        template: { type: 'string' },
        verbalizer: { type: 'string', multiple: true },
        author: { type: 'string' },
        note: { type: 'string' },
        ...INPUT_OPTIONS,
        model: { type: 'string' },
        'max-length': { type: 'string' },
        'no-colour': { type: 'boolean', default: false },
        split: { type: 'string' },
        limit: { type: 'string' },
        calibrate: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        method: { type: 'string', default: 'mlm' },
        'per-label': { type: 'string', default: '8' },
        keep: { type: 'string', default: '20' },
        templates: { type: 'string', multiple: true },
        row: { type: 'string' },
      },
    });
    const [action, ...args] = positionals;
    const need = (n: number, usage: string): string[] => {
      if (args.length !== n) throw new UsageError(`expected "promptune prompt ${usage}"`);
      return args;
    };
    if (!action) throw new UsageError('missing action: add, edit, list, log, show, diff or preview');
    const project = await openProject(values, io);
    try {
      const task = project.loaded.task;
      const author = values.author ?? io.env.USER ?? null;
      switch (action) {
        case 'add': {
          const [name] = need(1, 'add <name> --template <t> --verbalizer <label=words> ...');
          if (!values.template || !values.verbalizer)
            throw new UsageError('add needs --template and a --verbalizer for every label');
          if ((await project.store.prompts.list(task.name, { name: name as string })).length) {
            throw new UsageError(`a prompt named "${name}" exists: change it with "promptune prompt edit ${name}"`);
          }
          const p = checkPrompt({ template: values.template, verbalizer: parseVerbalizerSpecs(values.verbalizer) }, task);
          const { version } = await project.store.prompts.save({
            hash: p.hash,
            taskId: task.name,
            name: name as string,
            spec: p.spec,
            author,
            note: values.note ?? null,
          });
          io.stdout.write(`Added prompt "${name}" version ${short(version.hash)}.\n`);
          return 0;
        }
        case 'edit': {
          const [ref] = need(1, 'edit <name|hash> [--template <t>] [--verbalizer ...]');
          const parent = await resolveVersion(project, ref as string);
          const old = parent.spec as PromptSpec;
          const spec = {
            template: values.template ?? old.template,
            verbalizer: values.verbalizer ? { ...old.verbalizer, ...parseVerbalizerSpecs(values.verbalizer) } : old.verbalizer,
          };
          const p = checkPrompt(spec, task);
          if (p.hash === parent.hash) {
            io.stdout.write(`Nothing changed: "${parent.name}" stays at ${short(parent.hash)}.\n`);
            return 0;
          }
          const { version } = await project.store.prompts.save({
            hash: p.hash,
            taskId: task.name,
            name: parent.name,
            parentHash: parent.hash,
            spec: p.spec,
            author,
            note: values.note ?? null,
          });
          io.stdout.write(`New version ${short(version.hash)} of "${parent.name}" (parent ${short(parent.hash)}).\n`);
          io.stdout.write(
            `${formatDiff(diffLines(promptVersionText(parent), promptVersionText(version)).filter((l) => l.op !== ' '))}\n`,
          );
          return 0;
        }
        case 'list': {
          need(0, 'list');
          const all = await project.store.prompts.list(task.name);
          if (!all.length)
            io.stdout.write('No prompts yet: add one with "promptune prompt add <name> --template ... --verbalizer ...".\n');
          const seen = new Set<string>();
          for (const v of all) {
            if (seen.has(v.name)) continue;
            seen.add(v.name);
            const count = all.filter((x) => x.name === v.name).length;
            io.stdout.write(
              `${v.name}  ${short(v.hash)}  ${count} version${count > 1 ? 's' : ''}  ${(v.spec as PromptSpec).template}\n`,
            );
          }
          return 0;
        }
        case 'log': {
          const [ref] = need(1, 'log <name|hash>');
          const v = await resolveVersion(project, ref as string);
          for (const h of await project.store.prompts.history(v.hash)) {
            io.stdout.write(
              `${short(h.hash)}  ${h.createdAt}  ${h.author ?? '-'}  ${h.note ?? ''}\n    ${(h.spec as PromptSpec).template}\n`,
            );
          }
          return 0;
        }
        case 'show': {
          const [ref] = need(1, 'show <name|hash>');
          const v = await resolveVersion(project, ref as string);
          io.stdout.write(`# version ${v.hash}${v.parentHash ? `, parent ${short(v.parentHash)}` : ''}\n${promptVersionText(v)}`);
          return 0;
        }
        case 'diff': {
          const [a, b] = need(2, 'diff <a> <b>');
          const va = await resolveVersion(project, a as string);
          const vb = await resolveVersion(project, b as string);
          io.stdout.write(
            `--- ${va.name} ${short(va.hash)}\n+++ ${vb.name} ${short(vb.hash)}\n${formatDiff(diffLines(promptVersionText(va), promptVersionText(vb)))}\n`,
          );
          return 0;
        }
        case 'preview': {
          const [ref] = need(1, 'preview <name|hash> (--text <t> | --input field=value ...)');
          const prompt = checked(project, await resolveVersion(project, ref as string));
          const inputs = values.row
            ? await dataRow(project, values.row)
            : readInputs(
                values,
                task.inputs.map((i) => i.name),
                'preview',
              );
          const p = await project.model({ override: values.model });
          const maxLength = values['max-length'] ? Number(values['max-length']) : maxInputLength(p);
          if (!Number.isInteger(maxLength) || maxLength < 8)
            throw new UsageError(`--max-length must be an integer ≥ 8, got "${values['max-length']}"`);
          const words = labelWordIds(
            prompt,
            task.labels.map((l) => l.name),
            p.tokenizer,
          );
          const preview = buildPreview(
            encodePrompt(prompt, inputs, p.tokenizer, { maxLength, maskCount: words.maskCount }),
            maxLength,
          );
          io.stdout.write(`${formatPreview(preview, useColour(io, 'stdout', values['no-colour']))}\n`);
          io.stdout.write('Label words:\n');
          words.labels.forEach((label, l) => {
            const shown = (words.words[l] ?? []).map((w) => w.map((id) => p.tokenizer.idToToken(id)).join(' + '));
            io.stdout.write(`  ${label}: ${shown.join(', ')}\n`);
          });
          return 0;
        }
        case 'eval':
        case 'ab':
        case 'search':
          return await scoreActions(action, args, values, project, io);
        default:
          throw new UsageError(`unknown action "${action}": add, edit, list, log, show, diff, preview, eval, ab or search`);
      }
    } finally {
      await project.close();
    }
  },
};

/** eval, ab and search: zero-shot scoring of stored prompt versions on the task's labelled data. */
async function scoreActions(
  action: 'eval' | 'ab' | 'search',
  args: string[],
  values: ScoreValues,
  project: Project,
  io: CliIO,
): Promise<number> {
  const task = project.loaded.task;
  const labels = task.labels.map((l) => l.name);
  const progress = (done: number, total: number): void => {
    io.stderr.write(`\r  ${done}/${total} examples${done === total ? '\n' : ''}`);
  };
  // The task's metric first, then accuracy and macro-F1 unless the metric is one of them.
  const metricLine = (m: Metrics): string =>
    `${[
      `${task.metric} ${fmt(metricValue(m, task.metric))}`,
      ...(task.metric === 'accuracy' ? [] : [`accuracy ${fmt(m.accuracy)}`]),
      ...(task.metric === 'macro-f1' ? [] : [`macro-F1 ${fmt(m.macroF1)}`]),
    ].join(', ')} on ${m.n} examples`;
  if (action === 'eval') {
    if (values.method === 'similarity') {
      if (args.length)
        throw new UsageError('eval --method similarity uses the label descriptions, not a prompt: drop the prompt name');
      const { metrics: m, evaluation } = await evaluatePrompts(
        project,
        { method: 'similarity', ...scoreInput(values) },
        { onProgress: (e) => e.type === 'examples' && progress(e.done, e.total) },
      );
      const split = (evaluation.details as { split: string }).split;
      io.stdout.write(`zero-shot by label descriptions (${split}): ${metricLine(m)}\n`);
      return 0;
    }
    if (args.length < 1) throw new UsageError('expected "promptune prompt eval <name|hash> [more prompts for an ensemble]"');
    for (const ref of args) await resolveVersion(project, ref);
    const { versions, metrics: m } = await evaluatePrompts(
      project,
      { prompts: args, ...scoreInput(values) },
      { onProgress: (e) => e.type === 'examples' && progress(e.done, e.total) },
    );
    const who =
      versions.length > 1
        ? `ensemble of ${versions.map((x) => `${x.name}@${short(x.hash)}`).join(', ')}`
        : `"${versions[0]?.name}" ${short(versions[0]?.hash ?? '')}`;
    const split = values.split ?? (project.loaded.dataPaths.test ? 'test' : 'train');
    io.stdout.write(`${who} zero-shot (${split}${values.calibrate ? ', calibrated' : ''}): ${metricLine(m)}\n`);
    return 0;
  }
  if (action === 'ab') {
    if (args.length !== 2) throw new UsageError('expected "promptune prompt ab <a> <b>"');
    await resolveVersion(project, args[0] as string);
    await resolveVersion(project, args[1] as string);
    const {
      a: va,
      b: vb,
      names,
      result: r,
    } = await abTestPrompts(
      project,
      { a: args[0] as string, b: args[1] as string, ...scoreInput(values) },
      { onProgress: (e) => e.type === 'examples' && progress(e.done, e.total) },
    );
    if (values.json) {
      const side = (v: typeof va, m: Metrics) => ({ name: v.name, hash: v.hash, [task.metric]: metricValue(m, task.metric) });
      const out = {
        metric: task.metric,
        a: side(va, r.a),
        b: side(vb, r.b),
        diff: r.bootstrap.diff,
        ci: r.bootstrap.ci,
        mcnemarP: r.mcnemar.pValue,
        verdict: r.verdict,
      };
      io.stdout.write(`${JSON.stringify(out)}\n`);
      return 0;
    }
    io.stdout.write(`A ${names[0]}: ${metricLine(r.a)}\nB ${names[1]}: ${metricLine(r.b)}\n${r.verdict}\n`);
    return 0;
  }
  if (args.length !== 1) throw new UsageError('expected "promptune prompt search <name|hash>"');
  const v = await resolveVersion(project, args[0] as string);
  const { limit } = scoreInput(values);
  await mlmModel(project, values.model);
  const r = await searchPrompt(project, {
    prompt: v.hash,
    ...(values.templates?.length ? { templates: values.templates } : {}),
    perLabel: positiveInt('--per-label', values['per-label']),
    keep: positiveInt('--keep', values.keep),
    ...(limit === undefined ? {} : { limit }),
    ...(values.model ? { model: values.model } : {}),
  });
  if (r.kind === 'templates') {
    for (const c of r.candidates) io.stdout.write(`  dev ${fmt(c.devScore)}  ${c.value}\n`);
    io.stdout.write(
      r.stored
        ? `Stored version ${short(r.stored.version.hash)} of "${v.name}" with the best template.\n`
        : `The current template of "${v.name}" scores best; nothing stored.\n`,
    );
    return 0;
  }
  for (const c of r.candidates.slice(0, 5))
    io.stdout.write(
      `  dev ${fmt(c.devScore)}  train ${fmt(c.trainScore ?? 0)}  ${labels.map((l) => `${l}=${(c.value[l] as string[]).join('|')}`).join(' ')}\n`,
    );
  io.stdout.write(
    `${r.stored.created ? 'Stored' : 'Already stored:'} version ${short(r.stored.version.hash)} of "${v.name}" with the best label words.\n`,
  );
  return 0;
}

/** The inputs of the training-data row at `line` (the file's line number, as import reports it). */
async function dataRow(project: Project, line: string): Promise<Record<string, string>> {
  const r = await importTaskSplit(project, 'train');
  if (!r) throw new UsageError('--row needs a data.train file in the task file');
  const e = r.dataset.examples.find((x) => x.line === Number(line));
  if (!e)
    throw new UsageError(
      `--row ${line}: no imported example starts on that line of ${r.dataset.source} (lines ${r.dataset.examples[0]?.line}…${r.dataset.examples.at(-1)?.line})`,
    );
  return e.inputs;
}

/** The model with its masked-LM head, refusing a checkpoint whose head would start from random weights. */
async function mlmModel(project: Project, override: string | undefined): Promise<Pretrained> {
  try {
    return await maskedLm(project, override);
  } catch (e) {
    if (AppError.isInstance(e) && e.code === 'PRECONDITION') {
      const p = e.problems[0];
      throw new UsageError(
        `${p?.message}: use "prompt eval --method similarity", or a model with a masked-LM head (e.g. hf:distilroberta-base)`,
      );
    }
    throw e;
  }
}

/** A flag's value as a positive integer, or a usage error naming the flag. */
function positiveInt(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= 1)) throw new UsageError(`${flag} must be a positive integer, got "${value}"`);
  return n;
}

/** The evaluation input the --split, --limit, --model and --calibrate flags give. */
function scoreInput(values: ScoreValues): {
  split?: 'train' | 'dev' | 'test';
  limit?: number;
  model?: string;
  calibrate: boolean;
} {
  if (values.split !== undefined && !['train', 'dev', 'test'].includes(values.split))
    throw new UsageError(`--split must be train, dev or test, got "${values.split}"`);
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1))
    throw new UsageError(`--limit must be a positive integer, got "${values.limit}"`);
  return {
    ...(values.split ? { split: values.split as 'train' | 'dev' | 'test' } : {}),
    ...(limit !== undefined ? { limit } : {}),
    ...(values.model ? { model: values.model } : {}),
    calibrate: values.calibrate === true,
  };
}

/** The options scoreActions reads. */
interface ScoreValues {
  split?: string;
  limit?: string;
  calibrate?: boolean;
  json?: boolean;
  method?: string;
  model?: string;
  'per-label'?: string;
  keep?: string;
  templates?: string[];
}

const fmt = (x: number): string => x.toFixed(3);
