// Reading and writing the task file (promptune.yaml): YAML in, a validated Task out, with errors that point at
// the line, the field and the fix.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, type Node, parseDocument, stringify } from 'yaml';
import type { z } from 'zod';
import { TaskError } from './errors.js';
import { type Task, type TaskInput, taskSchema } from './schema.js';

/** The file name `promptune init` writes and commands look for. */
export const TASK_FILE = 'promptune.yaml';

/** Where a task file's parts are: the task, and the directory its data paths are relative to. */
export interface LoadedTask {
  task: Task;
  path: string;
  /** Absolute paths of the data files (train, dev, test) that the task names. */
  dataPaths: { train?: string; dev?: string; test?: string };
}

// What to do about each kind of problem, in the user's terms.
const FIXES: Record<string, string> = {
  name: 'a short identifier such as "review-sentiment"',
  objective: 'one sentence such as "Route customer reviews by sentiment"',
  labels: 'a list of {name, description}, e.g. - name: positive',
  languages: 'a list such as [en, fr]',
  metric: 'macro-f1 (the default), micro-f1, weighted-f1, accuracy or f1:<label>',
  inputs: 'a list of {name, description}, e.g. - name: text',
  type: 'single-label or multi-label',
};

/** Validates a parsed task object; `where` maps a field path to "file:line" for the message. */
export function validateTask(value: unknown, source = 'task', where: (path: PropertyKey[]) => string = () => source): Task {
  const r = taskSchema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((issue: z.core.$ZodIssue) => {
    const path = issue.path;
    const field = path.length ? path.map(String).join('.') : '(top level)';
    const got = path.reduce<unknown>((o, k) => (o as Record<PropertyKey, unknown> | undefined)?.[k], value);
    const shown = got === undefined ? 'missing' : JSON.stringify(got);
    const unknownKeys =
      issue.code === 'unrecognized_keys'
        ? ` (${issue.keys.join(', ')}; allowed: ${Object.keys(taskSchema.shape).join(', ')})`
        : '';
    const fix = FIXES[String(path[0])];
    return `${where(path)}: ${field} is ${shown}: ${issue.message}${unknownKeys}${fix ? `. Expected ${fix}.` : '.'}`;
  });
  throw new TaskError('TASK_INVALID', issues.join('\n'));
}

/** Reads and validates a task file. */
export function readTask(path: string): LoadedTask {
  const abs = resolve(path);
  if (!existsSync(abs)) {
    throw new TaskError(
      'TASK_NOT_FOUND',
      `${path} not found: run "promptune init" to create a task file, or pass --task <file>.`,
    );
  }
  const text = readFileSync(abs, 'utf8');
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const pos = e?.linePos?.[0];
    throw new TaskError(
      'TASK_SYNTAX',
      `${path}${pos ? `:${pos.line}:${pos.col}` : ''}: not valid YAML: ${e?.message.split('\n')[0]}`,
    );
  }
  const where = (p: PropertyKey[]): string => {
    for (let n = p.length; n >= 0; n--) {
      const node = doc.getIn(p.slice(0, n) as unknown[], true) as Node | undefined;
      if (node?.range) return `${path}:${lines.linePos(node.range[0]).line}`;
    }
    return path;
  };
  const task = validateTask(doc.toJS(), path, where);
  const base = dirname(abs);
  const at = (p?: string): string | undefined => (p === undefined ? undefined : isAbsolute(p) ? p : resolve(base, p));
  return { task, path: abs, dataPaths: { train: at(task.data?.train), dev: at(task.data?.dev), test: at(task.data?.test) } };
}

/** Writes a task file with a comment header; refuses to overwrite unless asked. Returns the validated task. */
export function writeTask(path: string, input: TaskInput, opts: { overwrite?: boolean } = {}): Task {
  if (existsSync(path) && !opts.overwrite) {
    throw new TaskError('TASK_EXISTS', `${path} already exists: edit it, or pass --force to replace it.`);
  }
  const task = validateTask(input, path);
  const header = [
    '# Promptune task file: what the classifier reads, what it answers, and how success is measured.',
    '# Reference: docs/task.md. Validate with "promptune task check".',
    '',
  ].join('\n');
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, header + stringify(task, { lineWidth: 110 }));
  renameSync(tmp, path);
  return task;
}
