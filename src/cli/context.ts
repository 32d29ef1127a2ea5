// What most commands start from: the project (app/project.ts) opened from the --task / --store flags, and the
// flags every project command shares.
import { type Project, openProject as openAppProject } from '../app/index.js';
import { TASK_FILE } from '../core/task/index.js';
import { type CliIO, UsageError } from './command.js';

export { type Project, importTaskSplit, saveDataset } from '../app/index.js';

/** Options every project command accepts. */
export const PROJECT_OPTIONS = {
  task: { type: 'string', default: TASK_FILE },
  store: { type: 'string' },
} as const;

/** Options of commands that take one example's inputs (see readInputs). */
export const INPUT_OPTIONS = {
  text: { type: 'string' },
  input: { type: 'string', multiple: true },
} as const;

/** Help lines for PROJECT_OPTIONS. */
export const PROJECT_HELP = `  --task <file>            the task file (default: ${TASK_FILE})
  --store <url>            sqlite:<file>, postgres://… (default: PROMPTUNE_STORE_URL, else .promptune/promptune.db next to the task file)`;

/** Opens the task file and the store, saving the task's current spec in the store; warnings go to stderr. */
export function openProject(values: { task?: string; store?: string }, io: CliIO): Promise<Project> {
  return openAppProject({
    ...(values.task !== undefined ? { task: values.task } : {}),
    ...(values.store !== undefined ? { store: values.store } : {}),
    cwd: io.cwd,
    env: io.env,
    warn: (m) => io.stderr.write(`warning: ${m}\n`),
  });
}

/** The example's input fields from --text (one-input tasks) or repeated --input field=value; `what` names the use. */
export function readInputs(
  values: { text?: string; input?: string[] },
  fields: readonly string[],
  what: string,
): Record<string, string> {
  if (values.text !== undefined && fields.length !== 1) {
    throw new UsageError(`this task has inputs ${fields.join(', ')}: give each with --input field=value`);
  }
  const out: Record<string, string> = values.text !== undefined ? { [fields[0] as string]: values.text } : {};
  for (const spec of values.input ?? []) {
    const i = spec.indexOf('=');
    if (i <= 0) throw new UsageError(`--input "${spec}": write field=value`);
    out[spec.slice(0, i)] = spec.slice(i + 1);
  }
  const missing = fields.filter((f) => out[f] === undefined);
  if (missing.length) {
    throw new UsageError(
      `${what} needs ${missing.map((f) => `--input ${f}=...`).join(' ')}${fields.length === 1 ? ' (or --text)' : ''}`,
    );
  }
  return out;
}
