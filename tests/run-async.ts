// Runs a child process without blocking the test worker: a long spawnSync starves vitest's worker RPC, which then
// fails the whole run with "Timeout calling onTaskUpdate" even though every test passed.
import { spawn } from 'node:child_process';

/** What a finished child printed and its exit status. */
export interface AsyncRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `command args` to completion, collecting stdout and stderr. */
export function runAsync(
  command: string,
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<AsyncRun> {
  const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
