// What every CLI verb provides, and the I/O it gets (so tests can drive it like a terminal).
import type { Readable, Writable } from 'node:stream';

/** Streams and environment a command runs with. */
export interface CliIO {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable;
  stderr: Writable;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** One verb of the promptune command line. */
export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The full --help text. */
  help: string;
  /** Runs the command; resolves to the exit code. */
  run(argv: string[], io: CliIO): Promise<number>;
}

/** A wrong invocation: printed with the command's usage line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
