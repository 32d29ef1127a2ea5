// promptune worker: a process that runs jobs from the store's queue (batch scoring, retraining) — on this machine
// or any other that reaches the same PostgreSQL and the same shared storage. Several may run at once.
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { type JobHandler, jsonLogger, runWorker, scoreJobHandler } from '../../server/index.js';
import { openStore } from '../../store/index.js';
import { type CliIO, type Command, UsageError } from '../command.js';
import { retrainCommand } from './retrain.js';

const HELP = `Usage: promptune worker [--kinds score,retrain] [--id <name>] [--lease <s>] [--until-empty] [--store <url>]

Claims jobs from the store's queue and runs them, one at a time, until SIGINT / SIGTERM (then the job in hand is
stopped resumably and handed back). A worker that dies is replaced: its jobs are claimed again when its lease
runs out, and batch scoring resumes where it stopped. Logs are JSON lines on stdout.

Jobs come from POST /v1/jobs on a server, or promptune jobs add.
  score     promptune score on a file (payload: data, out, model; paths as the workers see them)
  retrain   promptune retrain for a task (payload: task file, extra arguments)

Options:
  --kinds <list>           which kinds to run (default: score,retrain)
  --id <name>              this worker's name in the queue (default: host:pid)
  --lease <seconds>        claim length, renewed every third of it (default 30)
  --until-empty            stop when the queue is empty
  --store <url>            sqlite:<file> or postgres://… (default: PROMPTUNE_STORE_URL, else .promptune/promptune.db here)`;

/** Runs retrain jobs through the retrain command, its output in the job's result. */
function retrainHandler(io: CliIO): JobHandler {
  return async (job) => {
    const p = job.payload as { task?: string; args?: string[] };
    if (typeof p?.task !== 'string') throw new Error('a retrain job needs payload.task: the task file as the workers see it');
    let out = '';
    const capture = new Writable({
      write(chunk, _enc, cb) {
        out += String(chunk);
        cb();
      },
    });
    const code = await retrainCommand.run(['--task', p.task, ...(p.args ?? [])], { ...io, stdout: capture, stderr: capture });
    if (code !== 0) throw new Error(`retrain exited with ${code}: ${out.slice(-2000)}`);
    return { output: out.slice(-10_000) };
  };
}

export const workerCommand: Command = {
  name: 'worker',
  summary: 'run queued jobs (batch scoring, retraining) from the store, on any machine',
  help: HELP,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        kinds: { type: 'string', default: 'score,retrain' },
        id: { type: 'string' },
        lease: { type: 'string', default: '30' },
        'until-empty': { type: 'boolean', default: false },
        store: { type: 'string' },
      },
    });
    const all: Record<string, JobHandler> = { score: scoreJobHandler, retrain: retrainHandler(io) };
    const kinds = (values.kinds as string).split(',').map((k) => k.trim());
    const unknown = kinds.filter((k) => !all[k]);
    if (unknown.length)
      throw new UsageError(`--kinds ${values.kinds}: unknown ${unknown.join(', ')}; use ${Object.keys(all).join(', ')}`);
    const lease = Number(values.lease);
    if (!(lease >= 1)) throw new UsageError(`--lease ${values.lease}: expected seconds ≥ 1`);
    const store = await openStore(values.store ?? (io.env.PROMPTUNE_STORE_URL || undefined), { projectDir: resolve(io.cwd) });
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const done = await runWorker(store, Object.fromEntries(kinds.map((k) => [k, all[k] as JobHandler])), {
        ...(values.id ? { workerId: values.id } : {}),
        leaseMs: lease * 1000,
        untilEmpty: values['until-empty'] as boolean,
        signal: stop.signal,
        logger: jsonLogger(io.stdout),
      });
      io.stderr.write(`promptune worker: ${done} job(s) completed\n`);
      return 0;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await store.close();
    }
  },
};
