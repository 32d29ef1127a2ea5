// checkTaskData: the label column of each data file the task names, against the task's labels, before any import.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTask, writeTask } from '../core/task/index.js';
import { checkTaskData } from './project.js';

describe('checkTaskData', () => {
  it("names the file's labels next to the task's: fatal when none match, a warning when some do", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pt-task-data-'));
    writeFileSync(join(dir, 'train.csv'), 'text,label\na,great\nb,other\nc,great\n');
    writeFileSync(join(dir, 'dev.csv'), 'text,label\na,Positive\nb,fine\nc,ok\n');
    writeFileSync(join(dir, 'test.csv'), 'text,stars\na,5\n');
    const file = join(dir, 'promptune.yaml');
    writeTask(file, {
      name: 'reviews',
      objective: 'sentiment of reviews',
      inputs: [{ name: 'text' }],
      labels: [{ name: 'positive' }, { name: 'negative' }, { name: 'neutral' }],
      data: { train: 'train.csv', dev: 'dev.csv', test: 'test.csv', labelSynonyms: { ok: 'neutral' } },
    });
    expect(await checkTaskData(readTask(file))).toEqual([
      {
        split: 'train',
        path: join(dir, 'train.csv'),
        message:
          "the file's labels are great, other; the task's are positive, negative, neutral: map them in data.labelSynonyms or rename them",
        fatal: true,
      },
      {
        split: 'dev',
        path: join(dir, 'dev.csv'),
        message:
          "the file's labels fine are not the task's (positive, negative, neutral): map them in data.labelSynonyms or rename them",
        fatal: false,
      },
      {
        split: 'test',
        path: join(dir, 'test.csv'),
        message: `${join(dir, 'test.csv')} has no column "label" (it has text, stars): name the label column in data.labelColumn.`,
        fatal: true,
      },
    ]);
  });
});
