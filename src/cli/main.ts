// The promptune command line: dispatches to one file per verb and turns every failure into one clear message
// (the stack trace only with PROMPTUNE_DEBUG=1).
import { readFileSync } from 'node:fs';
import { AppError } from '../app/index.js';
import { type CliIO, type Command, UsageError } from './command.js';
import { completionCommand } from './commands/completion.js';
import { dataCommand } from './commands/data.js';
import { driftCommand } from './commands/drift.js';
import { evalCommand } from './commands/eval.js';
import { exportCommand } from './commands/export.js';
import { feedbackCommand } from './commands/feedback.js';
import { init } from './commands/init.js';
import { jobsCommand } from './commands/jobs.js';
import { keysCommand } from './commands/keys.js';
import { modelsCommand } from './commands/models.js';
import { predictCommand } from './commands/predict.js';
import { pretrainCommand } from './commands/pretrain.js';
import { eraseCommand, pruneCommand } from './commands/privacy.js';
import { promptCommand } from './commands/prompt.js';
import { retrainCommand } from './commands/retrain.js';
import { scoreCommand } from './commands/score.js';
import { searchCommand } from './commands/search.js';
import { serveCommand } from './commands/serve.js';
import { taskCommand } from './commands/task.js';
import { trainCommand } from './commands/train.js';
import { workerCommand } from './commands/worker.js';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.js';

const COMMANDS: Command[] = [
  init,
  taskCommand,
  dataCommand,
  promptCommand,
  pretrainCommand,
  trainCommand,
  searchCommand,
  evalCommand,
  predictCommand,
  scoreCommand,
  feedbackCommand,
  serveCommand,
  keysCommand,
  driftCommand,
  retrainCommand,
  jobsCommand,
  workerCommand,
  modelsCommand,
  exportCommand,
  pruneCommand,
  eraseCommand,
  completionCommand(() => COMMANDS),
];

/** The top-level help text. */
export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'promptune — fine-tune transformer classifiers with prompts, in TypeScript',
    '',
    'Usage: promptune <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "promptune help <command>" (or "promptune <command> --help") for a command\'s options, "promptune --version"',
    'for the version. Docs: docs/ in the repository.',
    '',
    EXIT_CODES_HELP,
  ].join('\n');
}

/** This package's version, from its package.json. */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [first, ...afterFirst] = argv;
  if (first === '--version' || first === '-V' || first === 'version') {
    io.stdout.write(`promptune ${version()}\n`);
    return EXIT.ok;
  }
  // "promptune help train" is "promptune train --help".
  const [name, ...rest] = first === 'help' && afterFirst[0] ? [afterFirst[0], '--help'] : argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${mainHelp()}\n`);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`promptune: unknown command "${name}". Commands: ${COMMANDS.map((c) => c.name).join(', ')}.\n`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${command.help}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    return report(e, command, io);
  }
}

/** Prints an error as one message: usage errors with the usage line, known errors as they are. */
function report(e: unknown, command: Command, io: CliIO): number {
  const err = e instanceof Error ? e : new Error(String(e));
  if (io.env.PROMPTUNE_DEBUG === '1') io.stderr.write(`${err.stack}\n`);
  // A workflow refusing its input (or a project not ready for it) is answered like a wrong invocation.
  if (err instanceof UsageError || (AppError.isInstance(err) && err.code !== 'NOT_FOUND')) {
    io.stderr.write(`promptune ${command.name}: ${err.message}\nRun "promptune ${command.name} --help" for usage.\n`);
    return EXIT.usage;
  }
  // Errors from parseArgs (unknown or malformed options) are usage errors too.
  if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    io.stderr.write(`promptune ${command.name}: ${err.message}\nRun "promptune ${command.name} --help" for usage.\n`);
    return EXIT.usage;
  }
  const known = typeof (err as { code?: unknown }).code === 'string' && err.name !== 'Error';
  io.stderr.write(`promptune ${command.name}: ${err.message}\n`);
  if (!known && io.env.PROMPTUNE_DEBUG !== '1')
    io.stderr.write('(an unexpected error: rerun with PROMPTUNE_DEBUG=1 for details)\n');
  return EXIT.error;
}

/** The real process's streams. */
export function processIO(): CliIO {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env };
}
