// Reading a search space: lists and ranges parse; every mistake is reported at its line with the fix.
import { describe, expect, it } from 'vitest';
import { SearchError } from './errors.js';
import { isGridSpace, parseSearchSpace, readSearchSpace } from './space.js';

const fails = (text: string): string => {
  try {
    readSearchSpace(text, 'space.yaml');
  } catch (e) {
    expect(SearchError.isInstance(e)).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected a SearchError');
};

describe('search space', () => {
  it('reads lists and ranges in file order, with defaults for log and int', () => {
    const space = readSearchSpace(
      'lr: {min: 1e-5, max: 1e-4, log: true}\nepochs: {min: 2, max: 8, int: true}\nschedule: [linear, cosine]\nbatch-size: [8, 16]\n',
    );
    expect(Object.keys(space)).toEqual(['lr', 'epochs', 'schedule', 'batch-size']);
    expect(space).toEqual({
      lr: { kind: 'range', min: 1e-5, max: 1e-4, log: true, int: false },
      epochs: { kind: 'range', min: 2, max: 8, log: false, int: true },
      schedule: { kind: 'choice', values: ['linear', 'cosine'] },
      'batch-size': { kind: 'choice', values: [8, 16] },
    });
    expect(isGridSpace(space)).toBe(false);
    expect(isGridSpace(parseSearchSpace({ lr: [1e-5] }))).toBe(true);
  });

  it('names the line, the field, the value and the fix', () => {
    expect(fails('lr: {min: 1e-4, max: 1e-5}')).toMatchInlineSnapshot(
      `"space.yaml:1: lr.max is 0.00001: min must be below max: swap them, or use a list for one value."`,
    );
    expect(
      fails('lr: [1e-5]\nwarmup: {min: 0, max: 0.3, log: true}\nepochs: {min: 1.5, max: 4, int: true}'),
    ).toMatchInlineSnapshot(`
      "space.yaml:2: warmup.min is 0: a log scale needs min > 0.
      space.yaml:3: epochs.min is 1.5: int: true needs whole-number min and max."
    `);
    expect(fails('lr: []')).toMatchInlineSnapshot(`"space.yaml:1: lr is []: the list is empty: give at least one value."`);
    expect(fails('lr: 3e-5')).toMatchInlineSnapshot(
      `"space.yaml:1: lr is 0.00003: expected a list of values or a range, e.g. lr: [1e-5, 3e-5] or lr: {min: 1e-5, max: 1e-4, log: true}."`,
    );
    expect(fails('lr: {min: 1e-5, max: 1e-4, step: 2}')).toMatchInlineSnapshot(
      `"space.yaml:1: lr is {"min":0.00001,"max":0.0001,"step":2}: step is not a range setting: a range has only min, max, log and int."`,
    );
    expect(fails('lr: {min: low, max: 1e-4}')).toMatchInlineSnapshot(`"space.yaml:1: lr.min is "low": min must be a number."`);
    expect(fails('batch-size: [8, 8]')).toMatchInlineSnapshot(
      `"space.yaml:1: batch-size is [8,8]: a value is listed twice: list each once."`,
    );
    expect(fails('lr: [1e-5\n')).toMatch(/^space\.yaml:\d+:\d+: not valid YAML: /);
    expect(fails('- 1\n- 2')).toMatchInlineSnapshot(
      `"space.yaml: expected a mapping of hyper-parameters to values or ranges (e.g. lr: [1e-5, 3e-5] or lr: {min: 1e-5, max: 1e-4, log: true}), got [1,2]."`,
    );
    expect(fails('{}')).toMatchInlineSnapshot(
      `"space.yaml: the space names no hyper-parameter: add one, e.g. lr: [1e-5, 3e-5] or lr: {min: 1e-5, max: 1e-4, log: true}."`,
    );
  });
});
