// Projects that live in a server's workspace directory, for the surfaces without a terminal (the HTTP API, the
// studio): a task defined from a form becomes <workspace>/<name>/promptune.yaml, an uploaded file becomes
// <workspace>/<name>/data/<role>.<format> named by the task — exactly the project `promptune init` and a text
// editor would make, so the CLI, the workers and the API all open the same files.
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DataError, type DataReport, dataReport } from '../../core/data/index.js';
import { TASK_FILE, type Task, readTask, taskSchema, writeTask } from '../../core/task/index.js';
import { problemsFromZod } from '../../shared/index.js';
import type { DatasetRecord, Store } from '../../store/index.js';
import { AppError } from '../errors.js';
import { importTaskSplit, openProject, saveDataset } from '../project.js';

/** The task file of a workspace project. */
export function workspaceTaskFile(workspace: string, name: string): string {
  return join(workspace, name, TASK_FILE);
}

/** Defines (or redefines) a task in the workspace; the data files it already names are kept. */
export async function defineTask(
  workspace: string,
  input: unknown,
  store: Store,
): Promise<{ taskFile: string; task: Task; created: boolean }> {
  const parsed = taskSchema.safeParse(input);
  if (!parsed.success) throw new AppError('INVALID_INPUT', problemsFromZod(parsed.error, input));
  const file = workspaceTaskFile(workspace, parsed.data.name);
  const existing = existsSync(file) ? readTask(file).task : undefined;
  // A task sent back as it was read (with its data section) is fine; new data paths are not.
  if (parsed.data.data && JSON.stringify(parsed.data.data) !== JSON.stringify(existing?.data))
    throw new AppError('INVALID_INPUT', [
      {
        code: 'DATA_BY_UPLOAD',
        path: 'data',
        message: 'data files of a workspace task are uploaded, not named',
        fix: 'leave data out and upload each file (POST /v1/tasks/{id}/data/{role})',
      },
    ]);
  mkdirSync(join(workspace, parsed.data.name), { recursive: true });
  const data = existing?.data ?? parsed.data.data;
  const task = writeTask(file, { ...parsed.data, ...(data ? { data } : {}) }, { overwrite: true });
  await store.tasks.upsert(task);
  return { taskFile: file, task, created: existing === undefined };
}

/** Which of a task's files an upload is. */
export const dataRoleSchema = z.enum(['train', 'dev', 'test']);
/** The formats an upload can have. */
export const uploadFormatSchema = z.enum(['csv', 'jsonl']);

/** What an upload gives back: the dataset version stored, its report, and the rows that were left out. */
export interface UploadResult {
  dataset: DatasetRecord;
  report: DataReport;
  /** Each skipped row with its line and what was wrong. */
  problems: { line: number; message: string }[];
  rowsRead: number;
}

/**
 * Saves an uploaded data file as the task's `role` file, imports it with the task's column mapping and labels,
 * stores the dataset version and reports on it. The task must exist; a dev or test file needs a train file first.
 */
export async function uploadTaskData(
  workspace: string,
  name: string,
  upload: { role: z.infer<typeof dataRoleSchema>; format: z.infer<typeof uploadFormatSchema>; content: string },
  store: Store,
): Promise<UploadResult> {
  const file = workspaceTaskFile(workspace, name);
  if (!existsSync(file))
    throw new AppError('NOT_FOUND', [
      {
        code: 'NO_TASK',
        path: 'task',
        message: `no task "${name}" in the workspace`,
        fix: 'define it first (PUT /v1/tasks/{id})',
      },
    ]);
  const { task } = readTask(file);
  if (upload.role !== 'train' && !task.data)
    throw new AppError('PRECONDITION', [
      {
        code: 'NO_TRAIN_DATA',
        path: 'role',
        message: `a ${upload.role} file needs a train file first`,
        fix: 'upload the train file first',
      },
    ]);
  if (task.data?.format && task.data.format !== upload.format)
    throw new AppError('INVALID_INPUT', [
      {
        code: 'FORMAT',
        path: 'format',
        message: `the task reads ${task.data.format} files`,
        received: JSON.stringify(upload.format),
        fix: `send ${task.data.format}, or drop data.format from the task`,
      },
    ]);
  const relative = join('data', `${upload.role}.${upload.format}`);
  mkdirSync(join(workspace, name, 'data'), { recursive: true });
  // Written whole, then renamed: a reader never sees half a file.
  const target = join(workspace, name, relative);
  writeFileSync(`${target}.tmp-${process.pid}`, upload.content);
  renameSync(`${target}.tmp-${process.pid}`, target);
  const data = { ...(task.data ?? { train: relative }), [upload.role]: relative };
  writeTask(file, { ...task, data }, { overwrite: true });
  const project = await openProject({ task: file, cwd: join(workspace, name), store });
  try {
    const imported = await importTaskSplit(project, upload.role).catch((e: unknown) => {
      // A file that cannot be read at all (no header, no label column) is the upload's fault.
      if (DataError.isInstance(e))
        throw new AppError('INVALID_INPUT', [{ code: e.code, path: 'content', message: e.message }], { cause: e });
      throw e;
    });
    if (!imported) throw new Error(`the task names no ${upload.role} file after the upload`);
    await saveDataset(project, imported.dataset, upload.role, null);
    const report = await dataReport({ [upload.role]: imported.dataset }, { languages: project.loaded.task.languages });
    return {
      dataset: await store.datasets.get(imported.dataset.hash),
      report,
      problems: imported.problems.map((p) => ({ line: p.line, message: p.message })),
      rowsRead: imported.rowsRead,
    };
  } finally {
    await project.close();
  }
}
