import { existsSync } from 'node:fs';
// What most workflows start from: the task file, the project's store (with the task saved in it), and the task's
// model, each opened once. Every surface opens a project the same way; only how warnings reach a person differs.
import { dirname, resolve } from 'node:path';
import {
  DataError,
  type Dataset,
  type ImportOptions,
  type ImportResult,
  type ReadOptions,
  checkLabels,
  importFile,
  parseDelimiter,
} from '../core/data/index.js';
import { type LoadedTask, TASK_FILE, readTask } from '../core/task/index.js';
import { type Store, openStore } from '../store/index.js';
import { type Pretrained, loadPretrained } from '../transformers/index.js';

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
  /** Where warnings go (a terminal's stderr, a job's log). */
  warn(message: string): void;
  close(): Promise<void>;
}

/** Where a project is and how to reach its store. */
export interface ProjectLocation {
  /** The task file, relative to `cwd` (default promptune.yaml). */
  task?: string;
  /**
   * A store URL (default: `env.PROMPTUNE_STORE_URL`, else .promptune/promptune.db next to the task file), or a store
   * already open (a worker's: one connection per process, so SQLite never waits on itself); that one stays open.
   */
  store?: string | Store;
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Receives warnings (default: dropped). */
  warn?: (message: string) => void;
}

/** Opens the task file and the store, saving the task's current spec in the store. */
export async function openProject(at: ProjectLocation): Promise<Project> {
  const loaded = readTask(resolve(at.cwd, at.task ?? TASK_FILE));
  const given = typeof at.store === 'object' ? at.store : undefined;
  const store =
    given ??
    (await openStore((at.store as string | undefined) ?? (at.env?.PROMPTUNE_STORE_URL || undefined), {
      projectDir: dirname(loaded.path),
    }));
  await store.tasks.upsert(loaded.task);
  const models = new Map<string, Pretrained>();
  const warn = at.warn ?? (() => undefined);
  return {
    loaded,
    projectDir: dirname(loaded.path),
    store,
    warn,
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
          onWarning: warn,
        });
        if (!opts.fresh) models.set(key, p);
      }
      return p;
    },
    async close() {
      for (const p of models.values()) p.model.dispose();
      if (!given) await store.close();
    },
  };
}

/**
 * Reads one of the task's data files with the task's column mapping and labels, and the task's delimiter, encoding
 * and worksheet (data.delimiter / encoding / sheet) unless `read` gives them (what `data import --delimiter` does).
 */
export async function importTaskSplit(
  project: Project,
  split: 'train' | 'dev' | 'test',
  strict = false,
  /** Read this file (with the task's column mapping) instead of the task's file for the split. */
  file?: string,
  read: ReadOptions = {},
): Promise<ImportResult | undefined> {
  const path = file ?? project.loaded.dataPaths[split];
  if (!path || !project.loaded.task.data) return undefined;
  return importFile(path, { ...taskImportOptions(project.loaded.task, read), strict });
}

/** How the task's data files are read: its column mapping, labels and data.delimiter / encoding / sheet, or `read`'s. */
function taskImportOptions(
  task: LoadedTask['task'],
  read: ReadOptions = {},
): ImportOptions & { allowedLabels: readonly string[] } {
  const data = task.data;
  const delimiter = read.delimiter ?? (data?.delimiter !== undefined ? parseDelimiter(data.delimiter) : undefined);
  const encoding = read.encoding ?? data?.encoding;
  const sheet = read.sheet ?? data?.sheet;
  return {
    format: data?.format,
    ...(delimiter !== undefined ? { delimiter } : {}),
    ...(encoding !== undefined ? { encoding } : {}),
    ...(sheet !== undefined ? { sheet } : {}),
    inputs: Object.fromEntries(task.inputs.map((i) => [i.name, i.column ?? i.name])),
    labelColumn: data?.labelColumn,
    multiLabel: task.type === 'multi-label',
    labelSeparator: data?.labelSeparator,
    synonyms: data?.labelSynonyms,
    allowedLabels: task.labels.map((l) => l.name),
  };
}

/** A data file of the task whose label values are not (all) the task's labels, or that cannot be read. */
export interface TaskDataIssue {
  split: 'train' | 'dev' | 'test';
  path: string;
  /** e.g. "the file's labels are great, other; the task's are positive, negative: map them in data.labelSynonyms …" */
  message: string;
  /** Nothing in the file would import: none of its labels is the task's, or it cannot be read. */
  fatal: boolean;
}

/**
 * Reads the label column of each data file the task names (that exists) and compares its distinct values with the
 * task's labels as import will (what `task check` reports, before anything is imported).
 */
export async function checkTaskData(loaded: Pick<LoadedTask, 'task' | 'dataPaths'>): Promise<TaskDataIssue[]> {
  const issues: TaskDataIssue[] = [];
  for (const split of ['train', 'dev', 'test'] as const) {
    const path = loaded.dataPaths[split];
    if (!path || !existsSync(path)) continue;
    try {
      const check = await checkLabels(path, taskImportOptions(loaded.task));
      if (check.message) issues.push({ split, path, message: check.message, fatal: !check.known.length });
    } catch (e) {
      if (!DataError.isInstance(e)) throw e;
      issues.push({ split, path, message: e.message, fatal: true });
    }
  }
  return issues;
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
