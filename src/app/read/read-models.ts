// What every surface shows of a project, read from the store: a dataset version's report, the diff between two
// prompt versions, a run's metric curve from a step on. Each returns plain JSON-ready data.
import { stringify } from 'yaml';
import { type DataReport, type Example, dataReport, makeDataset } from '../../core/data/index.js';
import { type DiffLine, diffLines } from '../../core/prompts/index.js';
import type { PromptVersion, Store } from '../../store/index.js';

/** A prompt version as the text people compare: its name and spec as YAML. */
export function promptVersionText(v: PromptVersion): string {
  return stringify({ name: v.name, ...(v.spec as Record<string, unknown>) }, { lineWidth: 0 });
}

/** The line diff from prompt version `a` to `b` (hashes or unique prefixes). */
export async function promptDiff(
  store: Store,
  a: string,
  b: string,
): Promise<{ a: PromptVersion; b: PromptVersion; lines: DiffLine[] }> {
  const [va, vb] = [await store.prompts.get(a), await store.prompts.get(b)];
  return { a: va, b: vb, lines: diffLines(promptVersionText(va), promptVersionText(vb)) };
}

/**
 * The data report of one stored dataset version: duplicates, conflicts, empty rows, imbalance and languages.
 * Token lengths need the model's tokenizer, so they are left to `promptune data report`.
 */
export async function datasetReport(
  store: Store,
  hash: string,
  opts: { languages?: readonly string[] } = {},
): Promise<DataReport> {
  const record = await store.datasets.get(hash);
  const rows = (await store.datasets.rows(record.hash)) as Example[];
  const ds = makeDataset(rows, record.source);
  return dataReport({ [record.role]: ds }, { ...(opts.languages ? { languages: opts.languages } : {}) });
}

/** One metric point as JSON can carry it: NaN and infinities (a diverged loss) as the strings "NaN", "Infinity". */
export interface MetricPointOut {
  step: number;
  name: string;
  value: number | 'NaN' | 'Infinity' | '-Infinity';
  time: string;
}

/** A run's metric points after `afterStep` (all when absent), every point kept — spikes are never sampled away. */
export async function runMetrics(
  store: Store,
  runId: string,
  filter: { name?: string; afterStep?: number } = {},
): Promise<MetricPointOut[]> {
  await store.runs.get(runId);
  const points = await store.runs.metrics(runId, filter);
  return points.map((p) => ({
    ...p,
    value: Number.isFinite(p.value) ? p.value : (String(p.value) as 'NaN' | 'Infinity' | '-Infinity'),
  }));
}
