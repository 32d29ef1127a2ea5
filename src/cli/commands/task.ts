// promptune task check: validates the task file and prints what it declares; task schema: the task file's JSON
// Schema, for editors.
import { existsSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { TASK_FILE, readTask, taskJsonSchema } from '../../core/task/index.js';
import { type Command, UsageError } from '../command.js';

const HELP = `Usage: promptune task check [--task <file>]
       promptune task schema [--out <file>]

check    validates the task file (default: ${TASK_FILE}) and prints a summary: inputs, labels with descriptions,
         languages, metric, model and data files (marking any that do not exist). Exit code 1 when it is invalid.
schema   prints the task file's JSON Schema (or writes it to --out), for editors that validate and complete YAML:
         put "# yaml-language-server: $schema=<that file>" at the top of ${TASK_FILE}.`;

export const taskCommand: Command = {
  name: 'task',
  summary: 'check the task file and show what it declares',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { task: { type: 'string', default: TASK_FILE }, out: { type: 'string' } },
    });
    if (positionals[0] === 'schema' && positionals.length === 1) {
      const text = `${JSON.stringify(taskJsonSchema(), null, 2)}\n`;
      if (values.out) {
        writeFileSync(resolve(io.cwd, values.out), text);
        io.stdout.write(`Wrote the task file's JSON Schema to ${values.out}.\n`);
      } else io.stdout.write(text);
      return 0;
    }
    if (positionals[0] !== 'check' || positionals.length > 1)
      throw new UsageError('expected "promptune task check" or "promptune task schema"');
    const { task, dataPaths } = readTask(resolve(io.cwd, values.task as string));
    const out: string[] = [
      `${values.task}: valid`,
      `  task       ${task.name} (${task.type}) — ${task.objective}`,
      `  inputs     ${task.inputs.map((i) => (i.description ? `${i.name} (${i.description})` : i.name)).join(', ')}`,
      '  labels',
      ...task.labels.map((l) => `    ${l.name}${l.description ? ` — ${l.description}` : ''}`),
      `  languages  ${task.languages.join(', ')}`,
      `  metric     ${task.metric}`,
      `  model      ${task.model}`,
    ];
    let missing = 0;
    for (const [split, path] of Object.entries(dataPaths)) {
      if (!path) continue;
      const ok = existsSync(path);
      if (!ok) missing++;
      out.push(`  ${split.padEnd(10)} ${relative(io.cwd, path) || path}${ok ? '' : '  (missing)'}`);
    }
    if (!task.data) out.push('  data       none yet: add a data: section with train (and test) files');
    io.stdout.write(`${out.join('\n')}\n`);
    return missing ? 1 : 0;
  },
};
