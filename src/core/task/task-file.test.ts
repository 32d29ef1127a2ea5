// The task file: round trip, defaults, and messages that point at the line, the field and the fix.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TaskError, readTask, writeTask } from './index.js';

const dir = (): string => mkdtempSync(join(tmpdir(), 'pt-task-'));

function failure(fn: () => unknown): TaskError {
  try {
    fn();
  } catch (e) {
    if (TaskError.isInstance(e)) return e;
    throw e;
  }
  throw new Error('expected a TaskError');
}

describe('task file', () => {
  it('writes, reads back with defaults, and resolves data paths against the file', () => {
    const d = dir();
    const path = join(d, 'promptune.yaml');
    writeTask(path, {
      name: 'reviews',
      objective: 'Route customer reviews by sentiment',
      inputs: [{ name: 'text' }],
      labels: [{ name: 'positive', description: 'happy' }, { name: 'negative' }],
      data: { train: 'data/train.csv' },
    });
    const { task, dataPaths } = readTask(path);
    expect(task).toMatchObject({ type: 'single-label', languages: ['en'], metric: 'macro-f1', model: 'default' });
    expect(task.labels[1]).toEqual({ name: 'negative', description: '' });
    expect(dataPaths.train).toBe(join(d, 'data', 'train.csv'));
    expect(failure(() => writeTask(path, task)).code).toBe('TASK_EXISTS');
  });

  it('names the line, the field, the value and the fix', () => {
    const path = join(dir(), 'promptune.yaml');
    writeFileSync(
      path,
      [
        'name: Reviews!',
        'objective: sort reviews',
        'inputs: [{name: text}]',
        'labels:',
        '  - name: pos',
        '  - name: pos',
        'metric: f2',
      ].join('\n'),
    );
    const e = failure(() => readTask(path));
    expect(e.code).toBe('TASK_INVALID');
    expect(e.message).toContain(`${path}:1: name is "Reviews!": use 1-64 lower-case letters`);
    expect(e.message).toContain(`${path}:7: metric is "f2": use one of macro-f1, micro-f1, weighted-f1, accuracy or f1:<label>`);
    // Cross-field checks run once every field is valid on its own.
    writeFileSync(path, 'name: t\nobjective: o\ninputs: [{name: text}]\nlabels:\n  - name: pos\n  - name: pos\n');
    expect(failure(() => readTask(path)).message).toMatch(/:5: labels is .*label "pos" is declared twice/);
  });

  it('rejects unknown keys, listing the allowed ones, and labels mapped to nothing', () => {
    const path = join(dir(), 'promptune.yaml');
    writeFileSync(
      path,
      'name: t\nobjective: o\ninputs: [{name: text}]\nlabels: [{name: a}, {name: b}]\nlabel_set: [a]\ndata: {train: x.csv, labelSynonyms: {"5": c}}\n',
    );
    const e = failure(() => readTask(path));
    expect(e.message).toMatch(/Unrecognized key.*\(label_set; allowed: name, objective, type, inputs, labels/);
    expect(e.message).toContain('data.labelSynonyms.5 is "c": maps to "c", which is not a label');
  });

  it('reports YAML syntax errors with line and column, and a missing file with the way out', () => {
    const path = join(dir(), 'promptune.yaml');
    writeFileSync(path, 'name: t\nlabels: [a, b\n');
    expect(failure(() => readTask(path)).message).toMatch(/promptune.yaml:\d+:\d+: not valid YAML/);
    expect(failure(() => readTask(join(dir(), 'nope.yaml'))).message).toMatch(/not found: run "promptune init"/);
  });
});
