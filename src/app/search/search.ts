// A hyper-parameter search: its plan (space, sampler, trials, the options every trial starts from), saved as
// .promptune/search/<id>/search.json; its trials, each a queued run tagged with the search and a train job on the
// one job queue, so any worker sharing the store runs trials; and TPE's next proposal, queued by whichever worker
// finishes a trial. Results are read back from the runs.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Assignment,
  type Observation,
  type SearchSpace,
  gridSearch,
  isGridSpace,
  randomSearch,
  tpeSuggest,
  trainConfig,
} from '../../core/train/index.js';
import type { Problem } from '../../shared/index.js';
import { type Run, StoreError } from '../../store/index.js';
import { AppError } from '../errors.js';
import type { Project } from '../project.js';
import { TRAIN_OPTIONS, type TrainOptionName, type TrainOptionValues, specFromOptions } from '../train/options.js';
import { enqueueRun, resolvePromptHash } from '../train/run.js';
import type { RunSpec } from '../train/spec.js';

/** How trials are picked. */
export const SAMPLERS = ['grid', 'random', 'tpe'] as const;
/** A sampler's name. */
export type Sampler = (typeof SAMPLERS)[number];

/** Random trials TPE starts with before it models the results. */
export const TPE_STARTUP = 5;

/** Options a space may vary: every training option but where the model goes and how it is logged. */
export const SEARCHABLE_OPTIONS = (Object.keys(TRAIN_OPTIONS) as TrainOptionName[]).filter(
  (o) => !['out', 'tensorboard', 'checkpoint-every'].includes(o),
);

/** What a search is; saved so that resuming continues it the same way. */
export interface SearchState {
  id: string;
  task: string;
  /** The task file, as workers see it. */
  taskFile?: string;
  sampler: Sampler;
  trials: number;
  seed: number;
  spaceFile: string;
  space: SearchSpace;
  /** The training options every trial starts from. */
  base: TrainOptionValues;
  metric: string;
  createdAt: string;
}

/** The record a trial's run carries in its config. */
export interface TrialTag {
  id: string;
  trial: number;
  sampler: Sampler;
  params: Assignment;
}

/** How a problem with one training option reads on the caller's surface (the CLI names flags). */
export type OptionProblemText = (p: Problem) => string;

const plainOption: OptionProblemText = (p) => `${p.path}${p.received === undefined ? '' : ` ${p.received}`}: ${p.message}`;

const invalid = (path: string, message: string, fix?: string): AppError =>
  new AppError('INVALID_INPUT', [{ code: 'INVALID_SEARCH', path, message, ...(fix ? { fix } : {}) }]);

/** The run spec of one trial: the base options with the trial's values; problems say which values made it wrong. */
export function trialSpec(
  base: TrainOptionValues,
  params: Assignment,
  spaceFile = 'search space',
  optionText: OptionProblemText = plainOption,
): RunSpec {
  try {
    return specFromOptions({ ...base, ...trialOptions(params) });
  } catch (e) {
    if (!AppError.isInstance(e)) throw e;
    const shown = Object.entries(params)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
    throw invalid('', `${spaceFile}: ${shown}: ${e.problems.map(optionText).join('; ')}`);
  }
}

/** A trial's values as training options (switches for on/off options, text for the rest). */
export function trialOptions(params: Assignment): TrainOptionValues {
  return Object.fromEntries(
    Object.entries(params).map(([name, v]): [string, string | boolean] => {
      if (TRAIN_OPTIONS[name as TrainOptionName]?.type !== 'boolean') return [name, String(v)];
      if (typeof v !== 'boolean') throw invalid(name, `${name} is an on/off option`, 'list true and/or false');
      return [name, v];
    }),
  ) as TrainOptionValues;
}

/** What a new search is given. */
export interface SearchPlanInput {
  space: SearchSpace;
  /** Where the space came from, for messages (a file name). */
  spaceFile: string;
  /** Default: grid when the space only lists values, else tpe. */
  sampler?: Sampler;
  /** Trials for random and tpe (default 10); grid runs every combination. */
  trials?: number;
  base: TrainOptionValues;
}

/** Checks a new search (every value the sampler could pick makes a valid run spec, prompts exist) and plans it. */
export async function planSearch(
  project: Project,
  input: SearchPlanInput,
  optionText: OptionProblemText = plainOption,
): Promise<SearchState> {
  const { space, spaceFile, base } = input;
  for (const name of Object.keys(space))
    if (!(SEARCHABLE_OPTIONS as string[]).includes(name))
      throw invalid(
        'space',
        `${spaceFile}: ${name} is not a training option a search can vary`,
        `use one of ${SEARCHABLE_OPTIONS.join(', ')}`,
      );
  const sampler = input.sampler ?? (isGridSpace(space) ? 'grid' : 'tpe');
  if (sampler === 'grid' && input.trials !== undefined)
    throw invalid('trials', 'trials does not apply to grid, which runs every combination', 'use the random sampler for a subset');
  // gridSearch refuses a range, saying how to list values instead.
  const trials = sampler === 'grid' ? gridSearch(space).length : (input.trials ?? 10);
  if (!Number.isInteger(trials) || trials < 1) throw invalid('trials', `trials ${trials}: expected a whole number ≥ 1`);
  const seed = base.seed === undefined ? trainConfig().seed : Number(base.seed);
  if (!Number.isInteger(seed)) throw invalid('seed', `seed ${base.seed}: expected a whole number`);
  // Every listed value and each range's ends, with the other hyper-parameters at their first value (a prompt-mlm
  // recipe may need a prompt the space lists); for real ranges also a point between, to catch whole-number options.
  const reference = Object.fromEntries(Object.entries(space).map(([n, d]) => [n, d.kind === 'choice' ? d.values[0] : d.min]));
  const prompts = new Set<string>();
  for (const [name, d] of Object.entries(space)) {
    for (const v of d.kind === 'choice' ? d.values : [d.min, d.max]) {
      const spec = trialSpec(base, { ...reference, [name]: v } as Assignment, spaceFile, optionText);
      // Prompts are looked up now, not when a trial is queued half-way through the search.
      for (const ref of [spec.prompt, ...(spec.ensemble ?? [])]) {
        if (!ref || prompts.has(ref)) continue;
        prompts.add(ref);
        await resolvePromptHash(project, ref).catch((e: Error) => {
          throw invalid('prompt', `${'prompt' in space ? spaceFile : 'prompt'}: ${ref}: ${e.message}`);
        });
      }
    }
    if (d.kind === 'range' && !d.int) {
      try {
        trialSpec(base, { ...reference, [name]: d.min + (d.max - d.min) * 0.37 } as Assignment, spaceFile, optionText);
      } catch {
        throw invalid('space', `${spaceFile}: ${name} takes whole numbers`, 'add int: true to its range');
      }
    }
  }
  return {
    id: `search_${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`,
    task: project.loaded.task.name,
    taskFile: project.loaded.path,
    sampler,
    trials,
    seed,
    spaceFile,
    space,
    base: Object.fromEntries(Object.entries(base).filter(([, v]) => v !== undefined)) as TrainOptionValues,
    metric: project.loaded.task.metric,
    createdAt: new Date().toISOString(),
  };
}

/** Where a search keeps its plan and results. */
export function searchDir(project: Project, id: string): string {
  return join(project.projectDir, '.promptune', 'search', id);
}

/** Saves a search's plan. */
export function saveSearch(project: Project, state: SearchState): void {
  mkdirSync(searchDir(project, state.id), { recursive: true });
  writeFileSync(join(searchDir(project, state.id), 'search.json'), `${JSON.stringify(state, null, 2)}\n`);
}

/** A saved search of this project's task; NOT_FOUND names the searches there are. */
export function readSearch(project: Project, id: string): SearchState {
  const file = join(searchDir(project, id), 'search.json');
  if (!existsSync(file)) {
    const root = join(project.projectDir, '.promptune', 'search');
    const known = existsSync(root) ? readdirSync(root) : [];
    throw invalid('search', `no search "${id}" in this project${known.length ? `: searches here are ${known.join(', ')}` : ''}`);
  }
  const state = JSON.parse(readFileSync(file, 'utf8')) as SearchState;
  if (state.task !== project.loaded.task.name)
    throw invalid('search', `search ${id} belongs to task "${state.task}", not "${project.loaded.task.name}"`);
  return state;
}

/** The search record in a run's config, if it is a trial. */
export function trialTagOf(run: Run): TrialTag | undefined {
  const tag = (run.config as { search?: TrialTag } | null)?.search;
  return tag && typeof tag.id === 'string' ? tag : undefined;
}

/** A search's trials in the store, by trial number. */
export async function searchTrials(project: Pick<Project, 'store'>, state: Pick<SearchState, 'id' | 'task'>): Promise<Run[]> {
  const runs = await project.store.runs.list({ taskId: state.task });
  return runs
    .filter((r) => trialTagOf(r)?.id === state.id)
    .sort((a, b) => (trialTagOf(a)?.trial ?? 0) - (trialTagOf(b)?.trial ?? 0));
}

/**
 * Queues what can be queued now, each trial as a run and a train job: grid and random every missing trial, TPE its
 * random start, or one new proposal once no trial waits (`startOnly`: the start only). Returns how many it queued.
 */
export async function queueTrials(project: Project, state: SearchState, opts: { startOnly?: boolean } = {}): Promise<number> {
  const trials = await searchTrials(project, state);
  const have = new Set(trials.map((r) => trialTagOf(r)?.trial));
  let queued = 0;
  const enqueue = async (trial: number, params: Assignment): Promise<void> => {
    const tag: TrialTag = { id: state.id, trial, sampler: state.sampler, params };
    // Named by its search and number, so two workers finishing trials at once and proposing the same next trial
    // create it once: the second is refused, and queues nothing.
    const opened = await enqueueRun(
      project,
      trialSpec(state.base, params, state.spaceFile),
      { search: tag },
      `run_${state.id}-trial-${trial}`,
    ).catch((e: unknown) => {
      if (StoreError.isInstance(e) && e.code === 'STORE_CONFLICT') return undefined;
      throw e;
    });
    if (!opened) return;
    await project.store.jobs.enqueue('train', { task: state.taskFile ?? project.loaded.path, runId: opened.run.id });
    queued++;
  };
  if (state.sampler !== 'tpe') {
    const plan = state.sampler === 'grid' ? gridSearch(state.space) : randomSearch(state.space, state.trials, state.seed);
    for (const [i, params] of plan.slice(0, state.trials).entries()) if (!have.has(i + 1)) await enqueue(i + 1, params);
    return queued;
  }
  const startup = Math.min(TPE_STARTUP, state.trials);
  const first = randomSearch(state.space, TPE_STARTUP, state.seed);
  for (let t = 1; t <= startup; t++) if (!have.has(t)) await enqueue(t, first[t - 1] as Assignment);
  if (opts.startOnly || trials.length < startup || trials.length >= state.trials) return queued;
  if (trials.some((r) => r.status === 'queued')) return queued;
  // Unfinished trials (running elsewhere, failed) have no value: TPE counts them as bad.
  const history: Observation[] = trials.map((r) => ({
    params: trialTagOf(r)?.params ?? {},
    ...(r.status === 'completed' && r.bestMetric ? { value: r.bestMetric.value } : {}),
  }));
  await enqueue(trials.length + 1, tpeSuggest(state.space, history, { seed: state.seed, startup: TPE_STARTUP }));
  return queued;
}

/** After a trial finished (or failed): queue what the search can queue next (TPE's next proposal). */
export async function continueSearch(project: Project, run: Run): Promise<void> {
  const tag = trialTagOf(run);
  if (!tag) return;
  await queueTrials(project, readSearch(project, tag.id));
}
