// Runs the real promptune command in a child process, as a user would (for the CLI's tests).
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = join(new URL('../../', import.meta.url).pathname, 'bin/promptune.mjs');

/** The result of one command. */
export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `command args` to completion, collecting its output. Asynchronous on purpose: a long spawnSync blocks the
 * test worker's event loop, and past 60 s vitest's worker RPC fails the whole run ("Timeout calling
 * onTaskUpdate") even though every test passed.
 */
export function runProcess(
  command: string,
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<CliRun> {
  const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  // Children that read stdin see the input, then end of file (never a terminal that waits).
  child.stdin.on('error', () => undefined);
  child.stdin.end(opts.input ?? '');
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

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
