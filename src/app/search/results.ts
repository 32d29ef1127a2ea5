// A search's results: one row per trial (its values, dev and test scores, steps, status), best first, and the files
// a search leaves: results.csv and results.json (full precision), best.json (the best trial's run spec).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Assignment } from '../../core/train/index.js';
import type { Run } from '../../store/index.js';
import type { Project } from '../project.js';
import { specOfRun } from '../train/run.js';
import { type SearchState, type TrialTag, searchDir, searchTrials, trialTagOf } from './search.js';

/** One trial's line of the results. */
export interface TrialRow {
  trial: number;
  params: Assignment;
  dev: number | null;
  test: number | null;
  steps: number;
  status: Run['status'];
  run: string;
  error: string | null;
}

/** The trials with their scores, best first (completed by dev score, then the rest by trial number). */
export async function searchResults(
  project: Pick<Project, 'store'>,
  state: Pick<SearchState, 'id' | 'task' | 'metric'>,
): Promise<TrialRow[]> {
  const rows: TrialRow[] = [];
  for (const run of await searchTrials(project, state)) {
    const tag = trialTagOf(run) as TrialTag;
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

/** A value as the results show it (small numbers in exponent form). */
export function formatParam(v: Assignment[string]): string {
  return typeof v === 'number' && v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential() : String(v);
}

/** A trial's values as "lr=1e-5 warmup=0.1". */
export function paramsText(params: Assignment): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${formatParam(v)}`)
    .join(' ');
}

/** The results as rows of cells, header first, rounded for reading. */
export function resultTable(state: SearchState, rows: readonly TrialRow[]): string[][] {
  const names = Object.keys(state.space);
  const withTest = rows.some((r) => r.test !== null);
  const num = (v: number | null): string => (v === null ? '-' : v.toFixed(3));
  return [
    ['trial', ...names, `dev ${state.metric}`, ...(withTest ? [`test ${state.metric}`] : []), 'steps', 'status'],
    ...rows.map((r) => [
      String(r.trial),
      ...names.map((n) => (r.params[n] === undefined ? '-' : formatParam(r.params[n] as Assignment[string]))),
      num(r.dev),
      ...(withTest ? [num(r.test)] : []),
      String(r.steps),
      r.status,
    ]),
  ];
}

const csvCell = (v: string): string => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

/** Writes results.csv, results.json and (when a trial completed) best.json; returns the best row and its run. */
export async function saveSearchResults(
  project: Project,
  state: SearchState,
  rows: readonly TrialRow[],
): Promise<{ dir: string; best?: { row: TrialRow; run: Run } }> {
  const dir = searchDir(project, state.id);
  const names = Object.keys(state.space);
  const withTest = rows.some((x) => x.test !== null);
  // The files keep full precision; the table rounds.
  const csv = [
    [...(resultTable(state, rows)[0] as string[]), 'run', 'error'],
    ...rows.map((r) => [
      String(r.trial),
      ...names.map((n) => String(r.params[n] ?? '')),
      String(r.dev ?? ''),
      ...(withTest ? [String(r.test ?? '')] : []),
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
  if (!best) return { dir };
  // The best trial's stored spec (prompt as a hash, so the file stands alone).
  const run = await project.store.runs.get(best.run);
  writeFileSync(join(dir, 'best.json'), `${JSON.stringify(specOfRun(run), null, 2)}\n`);
  return { dir, best: { row: best, run } };
}
