// Runs the real promptune command in a child process, as a user would (for the CLI's tests).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const bin = join(new URL('../../', import.meta.url).pathname, 'bin/promptune.mjs');

/** The result of one command. */
export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `promptune ...args` in `cwd` with the project's default store (no PROMPTUNE_STORE_URL from outside). */
export function runCli(
  cwd: string,
  args: readonly string[],
  opts: { input?: string; env?: Record<string, string> } = {},
): CliRun {
  return spawnSync(process.execPath, [bin, ...args], {
    cwd,
    input: opts.input,
    encoding: 'utf8',
    env: { ...process.env, PROMPTUNE_STORE_URL: '', PROMPTUNE_DEBUG: '', ...opts.env },
  });
}
