// promptune prompt: add, edit, list, log, diff and preview prompt versions (template + verbalizer).
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import {
  type CheckedPrompt,
  type PromptSpec,
  buildPreview,
  checkPrompt,
  diffLines,
  encodePrompt,
  formatDiff,
  formatPreview,
  labelWordIds,
  parseVerbalizerSpecs,
} from '../../core/prompts/index.js';
import type { PromptVersion } from '../../store/index.js';
import { maxInputLength } from '../../transformers/index.js';
import { type CliIO, type Command, UsageError } from '../command.js';
import { PROJECT_HELP, PROJECT_OPTIONS, type Project, openProject } from '../context.js';

const HELP = `Usage: promptune prompt <action> [options]

Prompt versions: every edit is a new version with a content hash, a parent, an author and a note.

Actions:
  add <name> --template <t> --verbalizer <label=word|word> ...   a new prompt (first version)
  edit <name|hash> [--template <t>] [--verbalizer ...]             a new version of it (parent: that version)
  list                                                           prompts of the task, newest version first
  log <name|hash>                                                a version and its ancestors
  show <name|hash>                                               one version as YAML
  diff <a> <b>                                                   what changed between two versions
  preview <name|hash> (--text <t> | --input field=value ...)     how it renders and tokenizes

Templates: "{text} All in all, it was {mask}." — input slots are the task's input names; {mask} is the answer
slot; {soft:N} adds N learned prompt tokens; {sep} the model's separator; {{ and }} are literal braces.
Verbalizers: --verbalizer positive=great|good --verbalizer negative=bad (one per label).

Options:
  --template <t>           the template
  --verbalizer <spec>      label=word or label=word1|word2; repeat for every label
  --author <name>          who made the version (default: $USER)
  --note <text>            why this version exists
  --text <t>               preview: the input text (tasks with one input)
  --input <field=value>    preview: one input field; repeat for several
  --model <ref>            preview: tokenizer of this model instead of the task's
  --max-length <n>         preview: the length limit to check against (default: the model's)
  --no-colour              preview: plain text
${PROJECT_HELP}`;

/** A version by hash prefix, else the newest version with that name. */
async function resolveVersion(project: Project, ref: string): Promise<PromptVersion> {
  const byName = await project.store.prompts.list(project.loaded.task.name, { name: ref });
  if (byName[0]) return byName[0];
  if (/^[0-9a-f]{4,64}$/i.test(ref)) return project.store.prompts.get(ref);
  const names = [...new Set((await project.store.prompts.list(project.loaded.task.name)).map((v) => v.name))];
  throw new UsageError(
    `no prompt named "${ref}"${names.length ? ` (prompts: ${names.join(', ')})` : ''}: add one with "promptune prompt add"`,
  );
}

/** Checks a stored spec against the current task (the task file may have changed since). */
function checked(project: Project, v: PromptVersion): CheckedPrompt {
  return checkPrompt(v.spec, project.loaded.task);
}

const short = (hash: string): string => hash.slice(0, 10);

/** The YAML a person reads for a version (and diffs between versions). */
function versionYaml(v: PromptVersion): string {
  return stringify({ name: v.name, ...(v.spec as PromptSpec) }, { lineWidth: 0 });
}

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
        text: { type: 'string' },
        input: { type: 'string', multiple: true },
        model: { type: 'string' },
        'max-length': { type: 'string' },
        'no-colour': { type: 'boolean', default: false },
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
          io.stdout.write(`${formatDiff(diffLines(versionYaml(parent), versionYaml(version)).filter((l) => l.op !== ' '))}\n`);
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
          io.stdout.write(`# version ${v.hash}${v.parentHash ? `, parent ${short(v.parentHash)}` : ''}\n${versionYaml(v)}`);
          return 0;
        }
        case 'diff': {
          const [a, b] = need(2, 'diff <a> <b>');
          const va = await resolveVersion(project, a as string);
          const vb = await resolveVersion(project, b as string);
          io.stdout.write(
            `--- ${va.name} ${short(va.hash)}\n+++ ${vb.name} ${short(vb.hash)}\n${formatDiff(diffLines(versionYaml(va), versionYaml(vb)))}\n`,
          );
          return 0;
        }
        case 'preview': {
          const [ref] = need(1, 'preview <name|hash> (--text <t> | --input field=value ...)');
          const prompt = checked(project, await resolveVersion(project, ref as string));
          const inputs = previewInputs(
            values,
            task.inputs.map((i) => i.name),
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
          io.stdout.write(`${formatPreview(preview, !values['no-colour'] && isTty(io))}\n`);
          io.stdout.write('Label words:\n');
          words.labels.forEach((label, l) => {
            const shown = (words.words[l] ?? []).map((w) => w.map((id) => p.tokenizer.idToToken(id)).join(' + '));
            io.stdout.write(`  ${label}: ${shown.join(', ')}\n`);
          });
          return 0;
        }
        default:
          throw new UsageError(`unknown action "${action}": add, edit, list, log, show, diff or preview`);
      }
    } finally {
      await project.close();
    }
  },
};

/** The example fields a preview renders, from --text or --input field=value. */
function previewInputs(values: { text?: string; input?: string[] }, fields: string[]): Record<string, string> {
  if (values.text !== undefined) {
    if (fields.length !== 1)
      throw new UsageError(`this task has inputs ${fields.join(', ')}: give each with --input field=value`);
    return { [fields[0] as string]: values.text };
  }
  const out: Record<string, string> = {};
  for (const spec of values.input ?? []) {
    const i = spec.indexOf('=');
    if (i <= 0) throw new UsageError(`--input "${spec}": write field=value`);
    out[spec.slice(0, i)] = spec.slice(i + 1);
  }
  const missing = fields.filter((f) => out[f] === undefined);
  if (missing.length)
    throw new UsageError(
      `preview needs ${missing.map((f) => `--input ${f}=...`).join(' ')}${fields.length === 1 ? ' (or --text)' : ''}`,
    );
  return out;
}

function isTty(io: CliIO): boolean {
  return (io.stdout as { isTTY?: boolean }).isTTY === true;
}
