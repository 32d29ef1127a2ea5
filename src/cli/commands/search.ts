// promptune search: hyper-parameter search over a space file. Every trial is a queued run in the store whose
// config is the full run spec plus {search: {id, trial, sampler, params}}, and a train job on the store's one job
// queue; this process then works through the queue like any worker (`promptune worker`) would, so workers
// elsewhere sharing the store take trials too, and a killed process's trial is resumed from its checkpoint by
// whoever claims it next. TPE proposes each trial after the earlier ones finish. Results: a table sorted
// best-first, and best.json / results.csv / results.json in .promptune/search/<id>/.
import { existsSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  AppError,
  type Project,
  SAMPLERS,
  type Sampler,
  type SearchState,
  TRAIN_OPTIONS,
  type TrainJobResult,
  type TrialRow,
  type TrialTag,
  paramsText,
  planSearch,
  queueTrials,
  readSearch,
  resultTable,
  runWorker,
  saveSearch,
  saveSearchResults,
  searchResults,
  searchTrials,
  trainJobHandlerWith,
  trialOptions,
  trialTagOf,
} from '../../app/index.js';
import { type Assignment, isGridSpace, readSearchSpace } from '../../core/train/index.js';
import { type CliIO, type Command, UsageError } from '../command.js';
import { PROJECT_HELP, PROJECT_OPTIONS, openProject } from '../context.js';
import { renderRunProgress } from '../training/render.js';
import { HYPER_HELP, HYPER_OPTIONS, flagProblemText } from '../training/spec.js';

const HELP = `Usage: promptune search --space <file> [--sampler grid|random|tpe] [--trials <n>] [--seed <s>] [--queue-only] [train options]
       promptune search --resume <search id>

Searches hyper-parameters: each trial is a training run (as promptune train would do it) with the values the
sampler picks from the space file, on top of the train options given here. Trials are queued in the store and
this process works through the queue; another machine sharing the store can too (promptune search --resume <id>).
Prints a line per trial and a table sorted by the dev score of the task's metric, and writes best.json (the best
run spec), results.csv and results.json to .promptune/search/<id>/. Every trial's model is saved by its run.

The space file (YAML) gives each hyper-parameter, by its train option name, a list or a range:
  lr: {min: 1e-5, max: 1e-4, log: true}
  epochs: {min: 2, max: 8, int: true}
  batch-size: [8, 16]

Options:
  --space <file>           the search space
  --sampler <s>            grid: every combination of the listed values (default when the space has only lists);
                           random: seeded uniform draws (log-uniform for log: true);
                           tpe: a tree-structured Parzen estimator that learns from finished trials (default with ranges)
  --trials <n>             trials for random and tpe (default 10); grid runs every combination
  --seed <s>               seeds the sampler and every trial's training (default 42); vary it with seed: [1, 2, 3]
  --queue-only             only queue the trials (tpe: its first, random ones), for workers to run with --resume
  --resume <search id>     continue a search: run its queued trials (a trial whose process died is resumed from
                           its checkpoint once its claim lapses), then propose the rest (tpe); waits for trials
                           other workers hold; prints the results table when nothing is left
${HYPER_HELP.split('\n')
  .filter((l) => !l.includes('--out <dir>'))
  .join('\n')}
${PROJECT_HELP}`;

const SEARCH_OPTIONS = {
  space: { type: 'string' },
  sampler: { type: 'string' },
  trials: { type: 'string' },
  'queue-only': { type: 'boolean', default: false },
  resume: { type: 'string' },
} as const;

type HyperFlags = Record<string, string | boolean | undefined>;

/** How long this process's claim on a trial lasts without renewal: a killed search's trial is taken over after it. */
const TRIAL_LEASE_MS = 10_000;

export const searchCommand: Command = {
  name: 'search',
  summary: 'search hyper-parameters (grid, random or TPE); each trial is a queued job that workers share',
  help: HELP,
  async run(argv, io) {
    const { values } = parseArgs({ args: argv, options: { ...PROJECT_OPTIONS, ...HYPER_OPTIONS, ...SEARCH_OPTIONS } });
    const { task: _t, store: _s, space: spaceFile, sampler, trials, 'queue-only': queueOnly, resume, ...hyper } = values;
    const given = Object.entries(hyper).filter(([, v]) => v !== undefined && v !== false);
    if (resume && (given.length || spaceFile || sampler || trials))
      throw new UsageError('--resume takes no other search or training options: the search continues with its own');
    if (!resume && !spaceFile) throw new UsageError('give the search space with --space <file> (or --resume <search id>)');
    if (hyper.out !== undefined)
      throw new UsageError('--out does not apply to a search: each trial saves its model in .promptune/runs/<run id>/model');
    const project = await openProject(values, io);
    try {
      const state = resume
        ? readSearch(project, resume)
        : await newSearch(project, io, spaceFile as string, sampler, trials, hyper);
      if (!resume) {
        saveSearch(project, state);
        io.stdout.write(
          `search ${state.id}: ${state.sampler}, ${state.trials} trials over ${Object.keys(state.space).join(', ')}\n`,
        );
      }
      await queueTrials(project, state, { startOnly: queueOnly });
      if (queueOnly) {
        const queued = (await searchTrials(project, state)).filter((r) => r.status === 'queued').length;
        io.stdout.write(
          `queued ${queued} trials; run them with: promptune search --resume ${state.id} (here or on any machine sharing the store)\n`,
        );
        return 0;
      }
      await work(project, state, io);
      const rows = await searchResults(project, state);
      await report(project, state, rows, io);
      return rows.some((r) => r.status === 'completed') ? 0 : 1;
    } catch (e) {
      // The plan's problems already name the space file or the flag.
      if (AppError.isInstance(e) && e.code === 'INVALID_INPUT')
        throw new UsageError(e.problems.map((p) => `${p.message}${p.fix ? `: ${p.fix}` : ''}`).join('; '));
      throw e;
    } finally {
      await project.close();
    }
  },
};

/** Reads the space and the flags, and plans the search (the app checks every value the sampler could pick). */
async function newSearch(
  project: Project,
  io: CliIO,
  spaceFile: string,
  samplerFlag: string | undefined,
  trialsFlag: string | undefined,
  hyper: HyperFlags,
): Promise<SearchState> {
  const path = resolve(io.cwd, spaceFile);
  if (!existsSync(path)) throw new UsageError(`--space ${spaceFile}: no such file (a YAML file such as lr: [1e-5, 3e-5])`);
  const space = readSearchSpace(readFileSync(path, 'utf8'), spaceFile);
  if (samplerFlag !== undefined && !(SAMPLERS as readonly string[]).includes(samplerFlag))
    throw new UsageError(`--sampler ${samplerFlag}: use grid, random or tpe`);
  let trials: number | undefined;
  if (trialsFlag !== undefined) {
    if (samplerFlag === 'grid' || (samplerFlag === undefined && isGridSpace(space)))
      throw new UsageError('--trials does not apply to grid, which runs every combination: use --sampler random for a subset');
    trials = Number(trialsFlag);
    if (!Number.isInteger(trials) || trials < 1) throw new UsageError(`--trials ${trialsFlag}: expected a whole number ≥ 1`);
  }
  if (hyper.seed !== undefined && !Number.isInteger(Number(hyper.seed)))
    throw new UsageError(`--seed ${hyper.seed}: expected a whole number`);
  return planSearch(
    project,
    {
      space,
      spaceFile,
      base: hyper,
      ...(samplerFlag ? { sampler: samplerFlag as Sampler } : {}),
      ...(trials !== undefined ? { trials } : {}),
    },
    flagProblemText,
  );
}

/** Runs this search's trials from the job queue (and any other train job it meets) until none is left to run. */
async function work(project: Project, state: SearchState, io: CliIO): Promise<void> {
  const render = renderRunProgress(io);
  const started = new Map<string, number>();
  const label = (runId: string, tag: TrialTag | undefined): string => {
    if (tag?.id === state.id) return `trial ${tag.trial}/${state.trials} ${paramsText(tag.params)}`;
    return tag ? `trial ${tag.trial} of search ${tag.id} ${paramsText(tag.params)}` : `queued run ${runId}`;
  };
  const handler = trainJobHandlerWith({
    onStart: (job, run, resumed) => {
      started.set(job.id, performance.now());
      io.stderr.write(`${label(run.id, trialTagOf(run))}: ${resumed ? 'resuming' : 'starting'} run ${run.id}\n`);
    },
    onProgress: (_job, e) => render(e),
  });
  const train: typeof handler = async (job, ctx) => {
    const runId = () => (job.progress as { runId?: string } | null)?.runId ?? (job.payload as { runId?: string }).runId ?? '';
    try {
      const result = (await handler(job, ctx)) as TrainJobResult;
      const run = await project.store.runs.get(result.runId);
      const secs = ((performance.now() - (started.get(job.id) ?? performance.now())) / 1000).toFixed(0);
      const dev = result.bestMetric ? result.bestMetric.value.toFixed(3) : 'n/a';
      io.stdout.write(
        `${label(run.id, trialTagOf(run))}: dev ${state.metric} ${dev}${result.test ? `, test ${result.test.metric.toFixed(3)}` : ''}, ${result.steps ?? 0} steps, ${secs}s (run ${run.id})\n`,
      );
      return result;
    } catch (e) {
      if (!ctx.signal.aborted) {
        const id = runId();
        const run = id ? await project.store.runs.get(id).catch(() => undefined) : undefined;
        io.stdout.write(`${label(id, run && trialTagOf(run))}: failed: ${(e as Error).message}${id ? ` (run ${id})` : ''}\n`);
      }
      throw e;
    }
  };
  const waiting = new Set<string>();
  for (;;) {
    await runWorker(project.store, { train }, { untilEmpty: true, leaseMs: TRIAL_LEASE_MS, workerId: `search-${process.pid}` });
    // Trials still held elsewhere (another worker, or a killed process whose claim has not lapsed yet): wait for them.
    const open = (await searchTrials(project, state)).filter((r) => r.status === 'queued' || r.status === 'running');
    const jobs = await project.store.jobs.list({ kind: 'train' });
    const pending = open.filter((r) =>
      jobs.some((j) => (j.status === 'queued' || j.status === 'running') && (j.payload as { runId?: string }).runId === r.id),
    );
    if (!pending.length) return;
    for (const r of pending)
      if (!waiting.has(r.id)) {
        waiting.add(r.id);
        io.stderr.write(`${label(r.id, trialTagOf(r))}: held by another worker; waiting for it or for its claim to lapse\n`);
      }
    await new Promise((done) => setTimeout(done, 1000));
  }
}

const shellWord = (v: string): string => (/^[\w.,:/@+=-]+$/.test(v) ? v : `'${v.replaceAll("'", "'\\''")}'`);

/** The train options that reproduce a trial, in the order train lists them. */
function trainArgs(state: SearchState, params: Assignment): string[] {
  const flags: HyperFlags = { ...state.base, ...trialOptions(params) };
  return Object.keys(TRAIN_OPTIONS).flatMap((name) => {
    const v = flags[name];
    if (v === undefined || v === false) return [];
    return v === true ? [`--${name}`] : [`--${name}`, shellWord(v)];
  });
}

/** Prints the table and how to use the best trial; writes best.json, results.csv and results.json. */
async function report(project: Project, state: SearchState, rows: TrialRow[], io: CliIO): Promise<void> {
  const table = resultTable(state, rows);
  const widths = (table[0] as string[]).map((_, c) => Math.max(...table.map((r) => (r[c] as string).length)));
  const line = (r: string[]): string =>
    r
      .map((v, c) => v.padEnd(widths[c] as number))
      .join('  ')
      .trimEnd();
  io.stdout.write(`\n${table.map(line).join('\n')}\n\n`);
  const { dir, best } = await saveSearchResults(project, state, rows);
  const rel = (p: string): string => relative(io.cwd, p) || p;
  const unfinished = rows.filter((r) => r.status === 'queued' || r.status === 'running').length;
  if (unfinished) io.stdout.write(`${unfinished} trials not finished: promptune search --resume ${state.id}\n`);
  if (!best) {
    io.stdout.write(`no trial completed; results in ${rel(dir)}/results.csv\n`);
    return;
  }
  const { row, run } = best;
  io.stdout.write(
    [
      `best: trial ${row.trial} (${paramsText(row.params)}), dev ${state.metric} ${row.dev?.toFixed(3)}${row.test === null ? '' : `, test ${row.test.toFixed(3)}`}`,
      `  its model: ${rel(run.checkpointPath ?? '')} (promptune predict --run ${row.run}, promptune eval --run ${row.run})`,
      `  train it again: promptune train ${trainArgs(state, row.params).join(' ')}`,
      `saved ${rel(dir)}/best.json (its run spec), results.csv and results.json`,
      '',
    ].join('\n'),
  );
}
