// promptune worker: a process that runs jobs from the store's queue (every kind of long work) — on this machine
// or any other that reaches the same PostgreSQL and the same shared storage. Several may run at once.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { JOB_HANDLERS, type JobHandler, runWorker } from '../../app/index.js';
import { jsonLogger } from '../../server/index.js';
import { openStore } from '../../store/index.js';
import { type Command, UsageError } from '../command.js';

const HELP = `Usage: promptune worker [--kinds <list>] [--id <name>] [--lease <s>] [--until-empty] [--store <url>]

Claims jobs from the store's queue and runs them, one at a time, until SIGINT / SIGTERM (then the job in hand is
stopped resumably and handed back). A worker that dies is replaced: its jobs are claimed again when its lease
runs out, and batch scoring resumes where it stopped. Logs are JSON lines on stdout.

Jobs come from POST /v1/jobs on a server, or promptune jobs add.
  score     promptune score on a file (payload: data, out, model; paths as the workers see them)
  train     promptune train for a task (payload: the task file, the run spec); resumed from its checkpoint
            by the next worker when a worker dies, handed back checkpointed on SIGTERM
  retrain   promptune retrain for a task (payload: the task file, retrain's input)
  and prompt-eval, prompt-ab, prompt-search, search, export, pretrain, eval (each payload: POST /v1/jobs in GET /openapi.json)

Options:
  --kinds <list>           which kinds to run (default: every kind: ${Object.keys(JOB_HANDLERS).join(', ')})
  --id <name>              this worker's name in the queue (default: host:pid)
  --lease <seconds>        claim length, renewed every third of it (default 30)
  --until-empty            stop when the queue is empty
  --store <url>            sqlite:<file> or postgres://… (default: PROMPTUNE_STORE_URL, else .promptune/promptune.db here)`;

export const workerCommand: Command = {
  name: 'worker',
  summary: 'run queued jobs (training, retraining, batch scoring) from the store, on any machine',
  help: HELP,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        kinds: { type: 'string', default: Object.keys(JOB_HANDLERS).join(',') },
        id: { type: 'string' },
        lease: { type: 'string', default: '30' },
        'until-empty': { type: 'boolean', default: false },
        store: { type: 'string' },
      },
    });
    const all = JOB_HANDLERS;
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
