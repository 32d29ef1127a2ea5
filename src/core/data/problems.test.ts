// Files with no usable row are errors (nothing to store), and a problem most rows share is said once with the cure.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError, importFile, labelMismatch, problemLines } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'pt-problems-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const TASK = ['positive', 'negative', 'neutral'];
const failure = async (path: string, opts = {}): Promise<DataError> => {
  const e = await importFile(path, { allowedLabels: TASK, ...opts }).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(DataError);
  return e as DataError;
};

describe('files with no usable rows', () => {
  it('every label unknown: an error with the labels side by side and a few rows', async () => {
    const rows = Array.from({ length: 1000 }, (_, i) => `review ${i},${i % 3 ? 'great' : 'other'}`);
    const path = file('labels.csv', `text,label\n${rows.join('\n')}\n`);
    const e = await failure(path);
    expect(e.code).toBe('DATA_EMPTY');
    expect(e.file).toBe(path);
    expect(e.fix).toBe(
      "the file's labels are great, other; the task's are positive, negative, neutral: map them in data.labelSynonyms or rename them",
    );
    expect(e.message).toBe(
      [
        `${path}: none of its 1000 rows can be imported: the file's labels are great, other; the task's are positive, negative, neutral: map them in data.labelSynonyms or rename them:`,
        '  line 2 (label): UNKNOWN_LABEL: "other" is not a label of the task (positive, negative, neutral): map it in data.labelSynonyms.',
        '  line 3 (label): UNKNOWN_LABEL: "great" is not a label of the task (positive, negative, neutral): map it in data.labelSynonyms.',
        '  line 4 (label): UNKNOWN_LABEL: "great" is not a label of the task (positive, negative, neutral): map it in data.labelSynonyms.',
        '  … 997 more problem rows',
      ].join('\n'),
    );
  });

  it('a header alone, and a header without the mapped columns, are errors too', async () => {
    const header = await failure(file('header.csv', 'text,label\n'));
    expect([header.code, header.message]).toEqual([
      'DATA_EMPTY',
      `${join(dir, 'header.csv')} has no data rows: add labelled rows (text, label) under the header.`,
    ]);
    // The column check runs with no rows at all.
    const columns = await failure(file('foo.csv', 'foo,bar\n'));
    expect([columns.code, columns.message]).toEqual([
      'DATA_COLUMNS',
      `${join(dir, 'foo.csv')} has no column "text", "label" (it has foo, bar): map the columns (inputs[].column / data.labelColumn in the task file).`,
    ]);
    expect((await failure(file('empty.jsonl', '\n'))).code).toBe('DATA_EMPTY');
    // Mixed problems: each kind, up to five rows.
    const mixed = await failure(file('mixed.csv', 'text,label\n,positive\nfine,\nok,great\n'));
    expect(mixed.message.split('\n')).toEqual([
      `${join(dir, 'mixed.csv')}: none of its 3 rows can be imported:`,
      '  line 2 (text): EMPTY_TEXT: "text" is empty: fill it in or remove the row.',
      '  line 3 (label): MISSING_LABEL: no label in "label": label the row or remove it.',
      '  line 4 (label): UNKNOWN_LABEL: "great" is not a label of the task (positive, negative, neutral): map it in data.labelSynonyms.',
    ]);
  });
});

describe('a problem most rows share', () => {
  it('is said once, with a few example rows, when the file still has usable rows', async () => {
    const rows = ['a,positive', ...Array.from({ length: 30 }, (_, i) => `r${i},${i % 2 ? 'Great' : 'bad'}`), ',neutral'];
    const r = await importFile(file('most.csv', `text,label\n${rows.join('\n')}\n`), { allowedLabels: TASK });
    expect(r.dataset.examples).toHaveLength(1);
    expect(r.summaries).toEqual([
      {
        code: 'UNKNOWN_LABEL',
        count: 30,
        message:
          "the file's labels bad, Great are not the task's (positive, negative, neutral): map them in data.labelSynonyms or rename them",
      },
    ]);
    expect(problemLines(r)).toEqual([
      "30 of 32 rows: UNKNOWN_LABEL: the file's labels bad, Great are not the task's (positive, negative, neutral): map them in data.labelSynonyms or rename them",
      '  e.g. line 3 (label): UNKNOWN_LABEL: "bad" is not a label of the task (positive, negative, neutral): map it in data.labelSynonyms.',
      '  e.g. line 4 (label): UNKNOWN_LABEL: "Great" is not a label of the task (positive, negative, neutral): map it in data.labelSynonyms.',
      '  e.g. line 5 (label): UNKNOWN_LABEL: "bad" is not a label of the task (positive, negative, neutral): map it in data.labelSynonyms.',
      'line 33 (text): EMPTY_TEXT: "text" is empty: fill it in or remove the row.',
      '… 27 more problem rows',
    ]);
    // A problem on a few rows is listed row by row, as before.
    const few = await importFile(file('few.csv', 'text,label\na,positive\nb,negative\nc,great\n'), { allowedLabels: TASK });
    expect(few.summaries).toEqual([]);
    expect(problemLines(few)).toEqual([
      'line 4 (label): UNKNOWN_LABEL: "great" is not a label of the task (positive, negative, neutral): map it in data.labelSynonyms.',
    ]);
  });

  it("names at most ten of the file's labels", () => {
    const many = Array.from({ length: 12 }, (_, i) => `l${i}`);
    expect(labelMismatch(many, [], ['a', 'b'])).toBe(
      "the file's labels are l0, l1, l2, l3, l4, l5, l6, l7, l8, l9 and 2 more; the task's are a, b: map them in data.labelSynonyms or rename them",
    );
  });
});
