// promptune jobs: queue work for promptune worker processes and follow it.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type RetrainJob, type TrainJob, retrainJobSchema, scoreJobSchema, trainJobSchema } from '../../app/index.js';
import { type EnqueueOptions, JOB_STATUSES, openStore } from '../../store/index.js';
import { type Command, UsageError } from '../command.js';
import { HYPER_OPTIONS, specFromFlags } from '../training/spec.js';
import { retrainInputFromArgv } from './retrain.js';

const HELP = `Usage: promptune jobs add score --data <file> --out <file> --model <dir> [--batch-size N]
       promptune jobs add train [--task <file>] -- <train options>
       promptune jobs add retrain [--task <file>] [-- <retrain options>]
       promptune jobs list [--status queued|running|completed|failed|cancelled]
       promptune jobs show <id>
       promptune jobs logs <id>
       promptune jobs cancel <id>

Jobs wait in the store until a promptune worker claims them. Paths are stored as absolute paths: workers on
other machines must see the same files at the same paths (shared storage). Options after -- are checked now,
as promptune train / retrain check them. A train job whose worker dies resumes its run from the newest
checkpoint on the next worker. A cancelled job is never claimed again; a running one stops at its worker's next
lease renewal (a train job checkpoints first). jobs logs prints what its workers logged: each claim, hand-back,
warning and failure. Searches (promptune search) and exports go through the same queue.

On SQLite the store's own table is the queue (workers on this machine). On PostgreSQL the queue runs on pg-boss:
workers on many machines, liveness by heartbeat (PROMPTUNE_JOB_HEARTBEAT_S, default 30, at least 10), dead
workers' jobs looked for every PROMPTUNE_JOB_SUPERVISE_S (default 10), finished jobs kept
PROMPTUNE_JOB_RETENTION_DAYS (default 30).

Options:
  --priority <n>           higher runs first (default 0)
  --start-after <time>     not before this ISO 8601 time, e.g. 2026-12-24T18:00:00Z
  --max-attempts <n>       claims before the job is given up (default 3); a failure retries after 10 s, doubling
  --store <url>            sqlite:<file> or postgres://… (default: PROMPTUNE_STORE_URL, else .promptune/promptune.db here)`;

export const jobsCommand: Command = {
  name: 'jobs',
  summary: 'queue training, retraining and batch-scoring jobs for workers, list them, show one',
  help: HELP,
  async run(argv, io) {
    const dash = argv.indexOf('--');
    const { values, positionals } = parseArgs({
      args: dash < 0 ? argv : argv.slice(0, dash),
      allowPositionals: true,
      options: {
        data: { type: 'string' },
        out: { type: 'string' },
        model: { type: 'string' },
        'batch-size': { type: 'string' },
        task: { type: 'string', default: 'promptune.yaml' },
        status: { type: 'string' },
        store: { type: 'string' },
        priority: { type: 'string' },
        'start-after': { type: 'string' },
        'max-attempts': { type: 'string' },
      },
    });
    const [action, what] = positionals;
    const queueing = enqueueOptions(values);
    const store = await openStore(values.store ?? (io.env.PROMPTUNE_STORE_URL || undefined), { projectDir: resolve(io.cwd) });
    try {
      if (action === 'add' && what === 'score') {
        for (const [flag, why] of [
          ['data', 'the CSV or JSONL file to score'],
          ['out', 'where the predictions go (.csv or .jsonl)'],
          ['model', 'the model directory'],
        ] as const)
          if (!values[flag]) throw new UsageError(`promptune jobs add score needs --${flag} <…>: ${why}`);
        const payload = scoreJobSchema.safeParse({
          data: values.data && resolve(io.cwd, values.data),
          out: values.out && resolve(io.cwd, values.out),
          model: values.model && resolve(io.cwd, values.model),
          ...(values['batch-size'] ? { batchSize: Number(values['batch-size']) } : {}),
        });
        if (!payload.success) {
          const field = String(payload.error.issues[0]?.path[0] ?? '');
          throw new UsageError(
            `--${field === 'batchSize' ? 'batch-size' : field}: ${payload.error.issues[0]?.message} (see promptune jobs --help)`,
          );
        }
        const job = await store.jobs.enqueue('score', payload.data, queueing);
        io.stdout.write(`${job.id}\n`);
      } else if (action === 'add' && what === 'train') {
        const { values: flags } = parseArgs({ args: dash < 0 ? [] : argv.slice(dash + 1), options: HYPER_OPTIONS });
        const payload: TrainJob = { task: resolve(io.cwd, values.task as string), spec: specFromFlags(flags) };
        const job = await store.jobs.enqueue('train', trainJobSchema.parse(payload), queueing);
        io.stdout.write(`${job.id}\n`);
      } else if (action === 'add' && what === 'retrain') {
        // The options are checked now, as retrain checks them, so a typo fails here and not later on a worker.
        const { input } = retrainInputFromArgv(dash < 0 ? [] : argv.slice(dash + 1));
        const payload: RetrainJob = { task: resolve(io.cwd, values.task as string), input };
        const job = await store.jobs.enqueue('retrain', retrainJobSchema.parse(payload), queueing);
        io.stdout.write(`${job.id}\n`);
      } else if (action === 'list') {
        const status = JOB_STATUSES.find((s) => s === values.status);
        if (values.status && !status) throw new UsageError(`--status ${values.status}: use ${JOB_STATUSES.join(', ')}`);
        for (const j of await store.jobs.list({ ...(status ? { status } : {}), limit: 100 }))
          io.stdout.write(
            `${j.id}\t${j.kind}\t${j.status}\tattempt ${j.attempts}/${j.maxAttempts}\t${j.workerId ?? '-'}\t${j.createdAt}${j.error ? `\t${j.error}` : ''}\n`,
          );
      } else if (action === 'show' && what) {
        io.stdout.write(`${JSON.stringify(await store.jobs.get(what), null, 2)}\n`);
      } else if (action === 'logs' && what) {
        const id = (await store.jobs.get(what)).id;
        for (const l of await store.jobLogs.list(id)) io.stdout.write(`${l.at}\t${l.level}\t${l.message}\n`);
      } else if (action === 'cancel' && what) {
        const job = await store.jobs.cancel(what);
        io.stdout.write(`${job.id}\t${job.status}\n`);
      } else
        throw new UsageError(
          'expected "promptune jobs add score|train|retrain", "jobs list", "jobs show <id>", "jobs logs <id>" or "jobs cancel <id>"',
        );
      return 0;
    } finally {
      await store.close();
    }
  },
};

/** The queueing flags as enqueue options; a bad one is a usage error naming the flag. */
function enqueueOptions(values: { priority?: string; 'start-after'?: string; 'max-attempts'?: string }): EnqueueOptions {
  const opts: EnqueueOptions = {};
  if (values.priority !== undefined) {
    const n = Number(values.priority);
    if (!Number.isInteger(n)) throw new UsageError(`--priority ${values.priority}: expected a whole number (higher runs first)`);
    opts.priority = n;
  }
  if (values['max-attempts'] !== undefined) {
    const n = Number(values['max-attempts']);
    if (!(Number.isInteger(n) && n > 0))
      throw new UsageError(`--max-attempts ${values['max-attempts']}: expected a whole number ≥ 1`);
    opts.maxAttempts = n;
  }
  if (values['start-after'] !== undefined) {
    const t = new Date(values['start-after']);
    if (Number.isNaN(t.getTime()))
      throw new UsageError(`--start-after ${values['start-after']}: expected an ISO 8601 time, e.g. 2026-12-24T18:00:00Z`);
    opts.startAfter = t;
  }
  return opts;
}
