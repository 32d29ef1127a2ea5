// promptune search: hyper-parameter search over a space file. Every trial is a queued run in the store whose
// config is the full run spec plus {search: {id, trial, sampler, params}}; this process then works through the
// queue like any worker would (claim → train → record), so workers elsewhere sharing the store can take trials
// too. TPE proposes each trial after the earlier ones finish. Results: a table sorted best-first, and
// best.json / results.csv / results.json in .promptune/search/<id>/.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { enqueueRun, executeRun, reopenRun, resolvePromptHash, runSplits, specOfRun } from '../../app/index.js';
import {
  type Assignment,
  type Observation,
  type SearchSpace,
  gridSearch,
  isGridSpace,
  randomSearch,
  readSearchSpace,
  tpeSuggest,
  trainConfig,
} from '../../core/train/index.js';
import { type Run, StoreError } from '../../store/index.js';
import { type CliIO, type Command, UsageError } from '../command.js';
import { PROJECT_HELP, PROJECT_OPTIONS, type Project, openProject } from '../context.js';
import { renderRunProgress } from '../training/render.js';
import { HYPER_HELP, HYPER_OPTIONS, type RunSpec, specFromFlags } from '../training/spec.js';

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
  --resume <search id>     continue a search: run its queued trials, take over trials whose process died, then
                           propose the rest (tpe); prints the results table when nothing is left
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

const SAMPLERS = ['grid', 'random', 'tpe'] as const;
type Sampler = (typeof SAMPLERS)[number];
type HyperFlags = Record<string, string | boolean | undefined>;

/** Random trials TPE starts with before it models the results. */
const TPE_STARTUP = 5;

// Options a space may vary: every train option but where the model goes and how it is logged.
const VARIABLE = Object.keys(HYPER_OPTIONS).filter((f) => !['out', 'tensorboard', 'checkpoint-every'].includes(f));

/** What a search is, saved as search.json so --resume continues it the same way. */
interface SearchState {
  id: string;
  task: string;
  sampler: Sampler;
  trials: number;
  seed: number;
  spaceFile: string;
  space: SearchSpace;
  /** The train options every trial starts from. */
  base: HyperFlags;
  metric: string;
  createdAt: string;
}

/** The record a trial's run carries in its config. */
interface TrialTag {
  id: string;
  trial: number;
  sampler: Sampler;
  params: Assignment;
}

/** One line of the results. */
interface TrialRow {
  trial: number;
  params: Assignment;
  dev: number | null;
  test: number | null;
  steps: number;
  status: Run['status'];
  run: string;
  error: string | null;
}

export const searchCommand: Command = {
  name: 'search',
  summary: 'search hyper-parameters (grid, random or TPE); each trial is a queued run that workers share',
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
        ? readState(project, resume)
        : await newState(project, io, spaceFile as string, sampler, trials, hyper);
      if (!resume) {
        writeState(project, state);
        io.stdout.write(
          `search ${state.id}: ${state.sampler}, ${state.trials} trials over ${Object.keys(state.space).join(', ')}\n`,
        );
      }
      await work(project, state, io, { queueOnly, resume: resume !== undefined });
      const rows = await results(project, state);
      if (queueOnly) {
        const queued = rows.filter((r) => r.status === 'queued').length;
        io.stdout.write(
          `queued ${queued} trials; run them with: promptune search --resume ${state.id} (here or on any machine sharing the store)\n`,
        );
        return 0;
      }
      await report(project, state, rows, io);
      return rows.some((r) => r.status === 'completed') ? 0 : 1;
    } finally {
      await project.close();
    }
  },
};

/** Validates the options and the space, and checks every value the sampler could pick makes a valid run spec. */
async function newState(
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
  for (const name of Object.keys(space))
    if (!VARIABLE.includes(name))
      throw new UsageError(`${spaceFile}: ${name} is not a training option a search can vary: use one of ${VARIABLE.join(', ')}`);
  if (samplerFlag !== undefined && !(SAMPLERS as readonly string[]).includes(samplerFlag))
    throw new UsageError(`--sampler ${samplerFlag}: use grid, random or tpe`);
  const sampler = (samplerFlag ?? (isGridSpace(space) ? 'grid' : 'tpe')) as Sampler;
  let trials = 10;
  if (sampler === 'grid') {
    if (trialsFlag !== undefined)
      throw new UsageError('--trials does not apply to grid, which runs every combination: use --sampler random for a subset');
    trials = gridSearch(space).length;
  } else if (trialsFlag !== undefined) {
    trials = Number(trialsFlag);
    if (!Number.isInteger(trials) || trials < 1) throw new UsageError(`--trials ${trialsFlag}: expected a whole number ≥ 1`);
  }
  const base = Object.fromEntries(Object.entries(hyper).filter(([, v]) => v !== undefined));
  const seed = hyper.seed === undefined ? trainConfig().seed : Number(hyper.seed);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed ${hyper.seed}: expected a whole number`);
  // Every listed value and each range's ends, with the other hyper-parameters at their first value (a prompt-mlm
  // recipe may need a prompt the space lists); for real ranges also a point between, to catch whole-number options.
  const reference = Object.fromEntries(Object.entries(space).map(([n, d]) => [n, d.kind === 'choice' ? d.values[0] : d.min]));
  const prompts = new Set<string>();
  for (const [name, d] of Object.entries(space)) {
    const values = d.kind === 'choice' ? d.values : [d.min, d.max];
    for (const v of values) {
      const spec = trialSpec(base, { ...reference, [name]: v } as Assignment, spaceFile);
      // Prompts are looked up now, not when the trial is queued half-way through the search.
      for (const ref of [spec.prompt, ...(spec.ensemble ?? [])]) {
        if (!ref || prompts.has(ref)) continue;
        prompts.add(ref);
        await resolvePromptHash(project, ref).catch((e: Error) => {
          throw new UsageError(`${'prompt' in space ? spaceFile : '--prompt'}: ${ref}: ${e.message}`);
        });
      }
    }
    if (d.kind === 'range' && !d.int) {
      const between = d.min + (d.max - d.min) * 0.37;
      try {
        trialSpec(base, { ...reference, [name]: between } as Assignment, spaceFile);
      } catch {
        throw new UsageError(`${spaceFile}: ${name} takes whole numbers: add int: true to its range`);
      }
    }
  }
  const stamp = Date.now().toString(36);
  return {
    id: `search_${stamp}-${randomBytes(3).toString('hex')}`,
    task: project.loaded.task.name,
    sampler,
    trials,
    seed,
    spaceFile,
    space,
    base,
    metric: project.loaded.task.metric,
    createdAt: new Date().toISOString(),
  };
}

/** The run spec of one trial: the base train options with the trial's values as options. */
function trialSpec(base: HyperFlags, params: Assignment, spaceFile = 'search space'): RunSpec {
  try {
    return specFromFlags({ ...base, ...asFlags(params) });
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    const shown = Object.entries(params)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
    throw new UsageError(`${spaceFile}: ${shown}: ${e.message}`);
  }
}

/** A trial's values as train options (booleans for on/off options, text for the rest). */
function asFlags(params: Assignment): HyperFlags {
  return Object.fromEntries(
    Object.entries(params).map(([name, v]): [string, string | boolean] => {
      const type = HYPER_OPTIONS[name as keyof typeof HYPER_OPTIONS].type;
      if (type !== 'boolean') return [name, String(v)];
      if (typeof v !== 'boolean') throw new UsageError('an on/off option: list true and/or false');
      return [name, v];
    }),
  );
}

const searchDir = (project: Project, id: string): string => join(project.projectDir, '.promptune', 'search', id);

function writeState(project: Project, state: SearchState): void {
  mkdirSync(searchDir(project, state.id), { recursive: true });
  writeFileSync(join(searchDir(project, state.id), 'search.json'), `${JSON.stringify(state, null, 2)}\n`);
}

function readState(project: Project, id: string): SearchState {
  const file = join(searchDir(project, id), 'search.json');
  if (!existsSync(file)) {
    const root = join(project.projectDir, '.promptune', 'search');
    const known = existsSync(root) ? readdirSync(root) : [];
    throw new UsageError(`no search "${id}" in this project${known.length ? `: searches here are ${known.join(', ')}` : ''}`);
  }
  const state = JSON.parse(readFileSync(file, 'utf8')) as SearchState;
  if (state.task !== project.loaded.task.name)
    throw new UsageError(`search ${id} belongs to task "${state.task}", not "${project.loaded.task.name}"`);
  return state;
}

/** The search record in a run's config, if it is a trial. */
function tagOf(run: Run): TrialTag | undefined {
  const tag = (run.config as { search?: TrialTag } | null)?.search;
  return tag && typeof tag.id === 'string' ? tag : undefined;
}

/** This search's trials in the store, by trial number. */
async function trialsOf(project: Project, state: SearchState): Promise<Run[]> {
  const runs = await project.store.runs.list({ taskId: state.task });
  return runs.filter((r) => tagOf(r)?.id === state.id).sort((a, b) => (tagOf(a)?.trial ?? 0) - (tagOf(b)?.trial ?? 0));
}

/** Queues what can be queued now: grid and random every missing trial, TPE its random start or one new proposal. */
async function enqueueNext(project: Project, state: SearchState, trials: Run[], queueOnly: boolean): Promise<void> {
  const have = new Set(trials.map((r) => tagOf(r)?.trial));
  const enqueue = async (trial: number, params: Assignment): Promise<void> => {
    const tag: TrialTag = { id: state.id, trial, sampler: state.sampler, params };
    await enqueueRun(project, trialSpec(state.base, params, state.spaceFile), { search: tag });
  };
  if (state.sampler !== 'tpe') {
    const plan = state.sampler === 'grid' ? gridSearch(state.space) : randomSearch(state.space, state.trials, state.seed);
    for (const [i, params] of plan.slice(0, state.trials).entries()) if (!have.has(i + 1)) await enqueue(i + 1, params);
    return;
  }
  const startup = Math.min(TPE_STARTUP, state.trials);
  const first = randomSearch(state.space, TPE_STARTUP, state.seed);
  for (let t = 1; t <= startup; t++) if (!have.has(t)) await enqueue(t, first[t - 1] as Assignment);
  if (queueOnly || trials.length < startup || trials.length >= state.trials) return;
  if (trials.some((r) => r.status === 'queued')) return;
  // Unfinished trials (running elsewhere, failed) have no value: TPE counts them as bad.
  const history: Observation[] = trials.map((r) => ({
    params: tagOf(r)?.params ?? {},
    ...(r.status === 'completed' && r.bestMetric ? { value: r.bestMetric.value } : {}),
  }));
  await enqueue(trials.length + 1, tpeSuggest(state.space, history, { seed: state.seed, startup: TPE_STARTUP }));
}

/** Claims the next trial: from the head of the shared queue when that is ours, else ours by id (as safely). */
async function claimTrial(project: Project, state: SearchState, worker: string): Promise<Run | undefined> {
  for (;;) {
    const queued = (await project.store.runs.list({ status: 'queued' })).reverse();
    const next = queued.find((r) => tagOf(r)?.id === state.id);
    if (!next) return undefined;
    // Normally `next`; if another worker took it meanwhile, the queue's next run — still this task's work.
    if (queued[0]?.id === next.id) {
      const run = await project.store.runs.claimNextQueuedRun(worker);
      if (run) return run;
      continue;
    }
    // Older runs of other searches or tasks wait at the head: take ours by id (a guarded update, like a claim).
    try {
      return await project.store.runs.start(next.id, worker);
    } catch (e) {
      if (!StoreError.isInstance(e)) throw e;
    }
  }
}

/** Whether a run marked running belongs to a process on this machine that is gone. */
function orphaned(run: Run): boolean {
  const m = /^cli-(\d+)(?:@(.+))?$/.exec(run.workerId ?? '');
  if (!m || (m[2] !== undefined && m[2] !== hostname())) return false;
  try {
    process.kill(Number(m[1]), 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

const fmt = (v: Assignment[string]): string =>
  typeof v === 'number' && v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential() : String(v);
const paramsText = (params: Assignment): string =>
  Object.entries(params)
    .map(([k, v]) => `${k}=${fmt(v)}`)
    .join(' ');

/** Runs trials until none of this search is left to run (or, with queueOnly, just queues them). */
async function work(project: Project, state: SearchState, io: CliIO, opts: { queueOnly: boolean; resume: boolean }) {
  const worker = `cli-${process.pid}@${hostname()}`;
  const runTrial = async (run: Run, resume: boolean): Promise<void> => {
    const tag = tagOf(run);
    if (run.taskId !== state.task) {
      // Only a race with another worker gets here: this project cannot train another task's run.
      await project.store.runs.finish(run.id, {
        status: 'failed',
        error: `taken from the queue by a search of task "${state.task}", which cannot run it: continue it with promptune train --resume ${run.id} in its project`,
      });
      return;
    }
    const label =
      tag?.id === state.id
        ? `trial ${tag.trial}/${state.trials}`
        : tag
          ? `trial ${tag.trial} of search ${tag.id}`
          : `queued run ${run.id}`;
    const what = `${label}${tag ? ` ${paramsText(tag.params)}` : ''}`;
    const started = performance.now();
    io.stderr.write(`${what}: ${resume ? 'resuming' : 'starting'} run ${run.id}\n`);
    try {
      const claimed = async () => {
        const spec = specOfRun(run);
        return { run, spec, splits: await runSplits(project, spec) };
      };
      const opened = resume ? await reopenRun(project, run.id, worker) : await claimed();
      const o = await executeRun(project, opened, { resume, onProgress: renderRunProgress(io) });
      const secs = ((performance.now() - started) / 1000).toFixed(0);
      const dev = o.result.best ? o.result.best.metric.toFixed(3) : 'n/a';
      io.stdout.write(
        `${what}: dev ${state.metric} ${dev}${o.test ? `, test ${o.test.metric.toFixed(3)}` : ''}, ${o.result.steps} steps, ${secs}s (run ${run.id})\n`,
      );
    } catch (e) {
      // executeRun marks its run failed; a spec or data error before it started is marked here.
      const message = (e as Error).message;
      if ((await project.store.runs.get(run.id)).status === 'running')
        await project.store.runs.finish(run.id, { status: 'failed', error: message });
      io.stdout.write(`${what}: failed: ${message} (run ${run.id})\n`);
    }
  };
  if (opts.resume && !opts.queueOnly)
    for (const run of await trialsOf(project, state)) {
      if (run.status !== 'running') continue;
      if (orphaned(run)) await runTrial(run, true);
      else
        io.stderr.write(
          `trial ${tagOf(run)?.trial} is running on ${run.workerId}; left to it (promptune train --resume ${run.id} takes it over if that worker is gone)\n`,
        );
    }
  for (;;) {
    await enqueueNext(project, state, await trialsOf(project, state), opts.queueOnly);
    if (opts.queueOnly) return;
    const run = await claimTrial(project, state, worker);
    if (!run) return;
    await runTrial(run, false);
  }
}

/** The trials with their scores, best first (completed by dev score, then the rest by trial number). */
async function results(project: Project, state: SearchState): Promise<TrialRow[]> {
  const rows: TrialRow[] = [];
  for (const run of await trialsOf(project, state)) {
    const tag = tagOf(run) as TrialTag;
    const evals = await project.store.evaluations.list({ runId: run.id, kind: 'fine-tune' });
    const test = evals[0]?.metrics[state.metric];
    const steps = (await project.store.runs.metrics(run.id, { name: 'loss' })).reduce((m, p) => Math.max(m, p.step), 0);
    const dev = run.bestMetric?.value;
    rows.push({
      trial: tag.trial,
      params: tag.params,
      dev: dev !== undefined && Number.isFinite(dev) ? dev : null,
      test: test !== undefined && Number.isFinite(test) ? test : null,
      steps,
      status: run.status,
      run: run.id,
      error: run.error,
    });
  }
  const score = (r: TrialRow): number => (r.status === 'completed' && r.dev !== null ? r.dev : Number.NEGATIVE_INFINITY);
  return rows.sort((a, b) => score(b) - score(a) || a.trial - b.trial);
}

/** The table as rows of cells, header first. */
function cells(state: SearchState, rows: TrialRow[]): string[][] {
  const names = Object.keys(state.space);
  const withTest = rows.some((r) => r.test !== null);
  const num = (v: number | null): string => (v === null ? '-' : v.toFixed(3));
  return [
    ['trial', ...names, `dev ${state.metric}`, ...(withTest ? [`test ${state.metric}`] : []), 'steps', 'status'],
    ...rows.map((r) => [
      String(r.trial),
      ...names.map((n) => (r.params[n] === undefined ? '-' : fmt(r.params[n] as Assignment[string]))),
      num(r.dev),
      ...(withTest ? [num(r.test)] : []),
      String(r.steps),
      r.status,
    ]),
  ];
}

const csvCell = (v: string): string => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
const shellWord = (v: string): string => (/^[\w.,:/@+=-]+$/.test(v) ? v : `'${v.replaceAll("'", "'\\''")}'`);

/** The train options that reproduce a trial, in the order train lists them. */
function trainArgs(state: SearchState, params: Assignment): string[] {
  const flags = { ...state.base, ...asFlags(params) };
  return Object.keys(HYPER_OPTIONS).flatMap((name) => {
    const v = flags[name];
    if (v === undefined || v === false) return [];
    return v === true ? [`--${name}`] : [`--${name}`, shellWord(v)];
  });
}

/** Prints the table and how to use the best trial; writes best.json, results.csv and results.json. */
async function report(project: Project, state: SearchState, rows: TrialRow[], io: CliIO): Promise<void> {
  const dir = searchDir(project, state.id);
  const table = cells(state, rows);
  const widths = (table[0] as string[]).map((_, c) => Math.max(...table.map((r) => (r[c] as string).length)));
  const line = (r: string[]): string =>
    r
      .map((v, c) => v.padEnd(widths[c] as number))
      .join('  ')
      .trimEnd();
  io.stdout.write(`\n${table.map(line).join('\n')}\n\n`);
  const names = Object.keys(state.space);
  // The files keep full precision; the table rounds.
  const csv = [
    [...(table[0] as string[]), 'run', 'error'],
    ...rows.map((r) => [
      String(r.trial),
      ...names.map((n) => String(r.params[n] ?? '')),
      String(r.dev ?? ''),
      ...(rows.some((x) => x.test !== null) ? [String(r.test ?? '')] : []),
      String(r.steps),
      r.status,
      r.run,
      r.error ?? '',
    ]),
  ];
  writeFileSync(join(dir, 'results.csv'), `${csv.map((r) => r.map(csvCell).join(',')).join('\n')}\n`);
  const best = rows[0]?.status === 'completed' ? rows[0] : undefined;
  writeFileSync(
    join(dir, 'results.json'),
    `${JSON.stringify({ search: { ...state, varied: names }, best: best ?? null, trials: rows }, null, 2)}\n`,
  );
  const rel = (p: string): string => relative(io.cwd, p) || p;
  const unfinished = rows.filter((r) => r.status === 'queued' || r.status === 'running').length;
  if (unfinished) io.stdout.write(`${unfinished} trials not finished: promptune search --resume ${state.id}\n`);
  if (!best) {
    io.stdout.write(`no trial completed; results in ${rel(dir)}/results.csv\n`);
    return;
  }
  // The best trial's stored spec (prompt as a hash, so the file stands alone) and the model its run saved.
  const run = await project.store.runs.get(best.run);
  writeFileSync(join(dir, 'best.json'), `${JSON.stringify(specOfRun(run), null, 2)}\n`);
  io.stdout.write(
    [
      `best: trial ${best.trial} (${paramsText(best.params)}), dev ${state.metric} ${best.dev?.toFixed(3)}${best.test === null ? '' : `, test ${best.test.toFixed(3)}`}`,
      `  its model: ${rel(run.checkpointPath ?? '')} (promptune predict --run ${best.run}, promptune eval --run ${best.run})`,
      `  train it again: promptune train ${trainArgs(state, best.params).join(' ')}`,
      `saved ${rel(dir)}/best.json (its run spec), results.csv and results.json`,
      '',
    ].join('\n'),
  );
}
