// promptune jobs: queue work for promptune worker processes and follow it.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type RetrainJob, type TrainJob, retrainJobSchema, scoreJobSchema, trainJobSchema } from '../../app/index.js';
import { openStore } from '../../store/index.js';
import { type Command, UsageError } from '../command.js';
import { HYPER_OPTIONS, specFromFlags } from '../training/spec.js';
import { retrainInputFromArgv } from './retrain.js';

const HELP = `Usage: promptune jobs add score --data <file> --out <file> --model <dir> [--batch-size N]
       promptune jobs add train [--task <file>] -- <train options>
       promptune jobs add retrain [--task <file>] [-- <retrain options>]
       promptune jobs list [--status queued|running|completed|failed]
       promptune jobs show <id>

Jobs wait in the store until a promptune worker claims them. Paths are stored as absolute paths: workers on
other machines must see the same files at the same paths (shared storage). Options after -- are checked now,
as promptune train / retrain check them. A train job whose worker dies resumes its run from the newest
checkpoint on the next worker.

Options:
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
      },
    });
    const [action, what] = positionals;
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
        const job = await store.jobs.enqueue('score', payload.data);
        io.stdout.write(`${job.id}\n`);
      } else if (action === 'add' && what === 'train') {
        const { values: flags } = parseArgs({ args: dash < 0 ? [] : argv.slice(dash + 1), options: HYPER_OPTIONS });
        const payload: TrainJob = { task: resolve(io.cwd, values.task as string), spec: specFromFlags(flags) };
        const job = await store.jobs.enqueue('train', trainJobSchema.parse(payload));
        io.stdout.write(`${job.id}\n`);
      } else if (action === 'add' && what === 'retrain') {
        // The options are checked now, as retrain checks them, so a typo fails here and not later on a worker.
        const { input } = retrainInputFromArgv(dash < 0 ? [] : argv.slice(dash + 1));
        const payload: RetrainJob = { task: resolve(io.cwd, values.task as string), input };
        const job = await store.jobs.enqueue('retrain', retrainJobSchema.parse(payload));
        io.stdout.write(`${job.id}\n`);
      } else if (action === 'list') {
        const statuses = ['queued', 'running', 'completed', 'failed'] as const;
        const status = statuses.find((s) => s === values.status);
        if (values.status && !status) throw new UsageError(`--status ${values.status}: use ${statuses.join(', ')}`);
        for (const j of await store.jobs.list({ ...(status ? { status } : {}), limit: 100 }))
          io.stdout.write(
            `${j.id}\t${j.kind}\t${j.status}\tattempt ${j.attempts}/${j.maxAttempts}\t${j.workerId ?? '-'}\t${j.createdAt}${j.error ? `\t${j.error}` : ''}\n`,
          );
      } else if (action === 'show' && what) {
        io.stdout.write(`${JSON.stringify(await store.jobs.get(what), null, 2)}\n`);
      } else throw new UsageError('expected "promptune jobs add score|train|retrain", "jobs list" or "jobs show <id>"');
      return 0;
    } finally {
      await store.close();
    }
  },
};
