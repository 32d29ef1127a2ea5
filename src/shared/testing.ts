// Child processes in tests, run without blocking the test worker.
import { spawn } from 'node:child_process';

/** What a finished child printed and its exit status. */
export interface ProcessRun {
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
): Promise<ProcessRun> {
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
