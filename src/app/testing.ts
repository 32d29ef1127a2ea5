// Test projects for the application layer: a task file over the embedded review fixtures (great / other) and the
// tiny masked-LM checkpoint, written with the task writer the CLI's init uses.
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TASK_FILE, writeTask } from '../core/task/index.js';

const root = new URL('../../', import.meta.url).pathname;

/** The tiny masked-LM checkpoint (seconds per training run). */
export const TINY_MODEL = join(root, 'src/transformers/models/__fixtures__/tiny-xlmr-with-tokenizer');

/** A temp project on 200 training and 100 test reviews; resolves to its directory. */
export function reviewTaskDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  copyFileSync(join(root, 'src/core/data/__fixtures__/reviews-train-200.csv'), join(dir, 'train.csv'));
  copyFileSync(join(root, 'src/core/data/__fixtures__/reviews-test-100.csv'), join(dir, 'test.csv'));
  writeTask(join(dir, TASK_FILE), {
    name: 'spot-great-reviews',
    objective: 'Spot five-star reviews',
    inputs: [{ name: 'text' }],
    labels: [
      { name: 'great', description: 'five stars' },
      { name: 'other', description: 'anything else' },
    ],
    model: TINY_MODEL,
    data: { train: 'train.csv', test: 'test.csv', format: 'csv', labelColumn: 'label' },
  });
  return dir;
}
