// Runs the real promptune command in a child process, as a user would (for the CLI's tests).
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type ProcessRun, runProcess } from '../shared/testing.js';

const bin = join(new URL('../../', import.meta.url).pathname, 'bin/promptune.mjs');

/** The result of one command. */
export type CliRun = ProcessRun;

export { runProcess };

/** Runs `promptune ...args` in `cwd` with the project's default store (no PROMPTUNE_STORE_URL from outside). */
export function runCli(
  cwd: string,
  args: readonly string[],
  opts: { input?: string; env?: Record<string, string> } = {},
): Promise<CliRun> {
  return runProcess(process.execPath, [bin, ...args], {
    cwd,
    ...(opts.input !== undefined ? { input: opts.input } : {}),
    env: { ...process.env, PROMPTUNE_STORE_URL: '', PROMPTUNE_DEBUG: '', ...opts.env },
  });
}

/** The tiny masked-LM checkpoint the CLI tests train (seconds per run). */
export const TINY_MODEL = join(
  new URL('../../', import.meta.url).pathname,
  'src/transformers/models/__fixtures__/tiny-xlmr-with-tokenizer',
);

/**
 * A temp project on 200 training and 100 test reviews (great / other) with the tiny model; with `prompt`, a
 * prompt version "cloze" ("{text} It was {mask}." with great / bad).
 */
export async function reviewProject(prefix: string, opts: { prompt?: boolean } = {}): Promise<string> {
  const root = new URL('../../', import.meta.url).pathname;
  const cwd = mkdtempSync(join(tmpdir(), prefix));
  copyFileSync(join(root, 'src/core/data/__fixtures__/reviews-train-200.csv'), join(cwd, 'train.csv'));
  copyFileSync(join(root, 'src/core/data/__fixtures__/reviews-test-100.csv'), join(cwd, 'test.csv'));
  const steps = [
    [
      'init',
      '--yes',
      '--objective',
      'Spot five-star reviews',
      '--labels',
      'great,other',
      '--train',
      'train.csv',
      '--test',
      'test.csv',
      '--model',
      TINY_MODEL,
    ],
    ...(opts.prompt
      ? [
          [
            'prompt',
            'add',
            'cloze',
            '--template',
            '{text} It was {mask}.',
            '--verbalizer',
            'great=great',
            '--verbalizer',
            'other=bad',
          ],
        ]
      : []),
  ];
  for (const args of steps) {
    const r = await runCli(cwd, args);
    if (r.status !== 0) throw new Error(`promptune ${args[0]} failed in the test project: ${r.stderr}`);
  }
  return cwd;
}
