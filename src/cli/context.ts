// What most commands start from: the task file, the project's store (with the task saved in it), and the
// task's model, each opened once and with one clear error when missing.
import { dirname, resolve } from 'node:path';
import { type Dataset, type ImportResult, importFile } from '../core/data/index.js';
import { type LoadedTask, TASK_FILE, readTask } from '../core/task/index.js';
import { type Store, openStore } from '../store/index.js';
import { type Pretrained, loadPretrained } from '../transformers/index.js';
import { type CliIO, UsageError } from './command.js';

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

/** An opened project: the task, its store, and the task's model on demand. */
export interface Project {
  loaded: LoadedTask;
  /** The directory of the task file (where .promptune/ lives). */
  projectDir: string;
  store: Store;
  /**
   * Loads (once) the model the task names, or `override`; `head` picks the head to build. `fresh` loads a
   * private copy (for training, which changes it) that the caller disposes.
   */
  model(opts?: {
    override?: string;
    head?: 'base' | 'masked-lm' | 'sequence-classification';
    fresh?: boolean;
  }): Promise<Pretrained>;
  close(): Promise<void>;
}

/** Opens the task file and the store, saving the task's current spec in the store. */
export async function openProject(values: { task?: string; store?: string }, io: CliIO): Promise<Project> {
  const loaded = readTask(resolve(io.cwd, values.task ?? TASK_FILE));
  const store = await openStore(values.store ?? (io.env.PROMPTUNE_STORE_URL || undefined), { projectDir: dirname(loaded.path) });
  await store.tasks.upsert(loaded.task);
  const models = new Map<string, Pretrained>();
  return {
    loaded,
    projectDir: dirname(loaded.path),
    store,
    async model(opts = {}) {
      const ref = opts.override ?? loaded.task.model;
      const key = `${ref}#${opts.head ?? ''}`;
      let p = opts.fresh ? undefined : models.get(key);
      if (!p) {
        p = await loadPretrained(ref, {
          cwd: dirname(loaded.path),
          head: opts.head,
          // A classification head always gets the task's labels (a checkpoint head for other labels is replaced).
          ...(opts.head === 'sequence-classification' ? { labels: loaded.task.labels.map((l) => l.name) } : {}),
          onWarning: (m) => io.stderr.write(`warning: ${m}\n`),
        });
        if (!opts.fresh) models.set(key, p);
      }
      return p;
    },
    async close() {
      for (const p of models.values()) p.model.dispose();
      await store.close();
    },
  };
}

/** Reads one of the task's data files with the task's column mapping and labels. */
export async function importTaskSplit(
  project: Project,
  split: 'train' | 'dev' | 'test',
  strict = false,
  /** Read this file (with the task's column mapping) instead of the task's file for the split. */
  file?: string,
): Promise<ImportResult | undefined> {
  const path = file ?? project.loaded.dataPaths[split];
  const task = project.loaded.task;
  if (!path || !task.data) return undefined;
  return importFile(path, {
    format: task.data.format,
    inputs: Object.fromEntries(task.inputs.map((i) => [i.name, i.column ?? i.name])),
    labelColumn: task.data.labelColumn,
    multiLabel: task.type === 'multi-label',
    labelSeparator: task.data.labelSeparator,
    synonyms: task.data.labelSynonyms,
    allowedLabels: task.labels.map((l) => l.name),
    strict,
  });
}

/** Stores a dataset version with its rows. */
export async function saveDataset(project: Project, ds: Dataset, role: string, parent: string | null): Promise<void> {
  const labelCounts = Object.fromEntries(ds.labels.map((l) => [l, ds.examples.filter((e) => e.labels.includes(l)).length]));
  await project.store.datasets.insert({
    hash: ds.hash,
    taskId: project.loaded.task.name,
    role,
    source: ds.source,
    parentHash: parent,
    labelCounts,
    rows: ds.examples,
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
