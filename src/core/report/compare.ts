// Several runs side by side on one page: their main metrics (best per column marked), F1 per class per run, and
// the learning curves of all runs on shared charts. Letters A, B, … name the runs in every table and chart.
import { ReportError } from './errors.js';
import { esc, fmt } from './escape.js';
import { checkReport, ci, ciHeading, scoreRange } from './html.js';
import { type Cell, type Section, figure, page, table, textCell } from './page.js';
import { barChart, lineChart, seriesStyle } from './svg.js';
import { type RunReport, intervalsOf } from './types.js';

type MetricKey = 'accuracy' | 'macroF1' | 'microF1' | 'weightedF1' | 'rocAuc' | 'ece';

const COLUMNS: { key: MetricKey; name: string; lowerIsBetter?: boolean }[] = [
  { key: 'accuracy', name: 'Accuracy' },
  { key: 'macroF1', name: 'Macro-F1' },
  { key: 'microF1', name: 'Micro-F1' },
  { key: 'weightedF1', name: 'Weighted-F1' },
  { key: 'rocAuc', name: 'ROC AUC' },
  { key: 'ece', name: 'ECE ↓', lowerIsBetter: true },
];

/** Display names of runs: run id or title, made unique by a suffix when two runs share one. */
export function runNames(runs: readonly RunReport[]): string[] {
  const base = runs.map((r) => r.runId ?? r.title);
  return base.map((b, i) => (base.indexOf(b) === base.lastIndexOf(b) ? b : `${b} (#${i + 1})`));
}

/** Indices of the best finite values (all of them on a tie); none when fewer than two compete or all tie. */
export function bestIndices(values: readonly (number | undefined)[], lowerIsBetter = false): Set<number> {
  const finite = values
    .map((v, i) => [v, i] as const)
    .filter((p): p is readonly [number, number] => p[0] !== undefined && Number.isFinite(p[0]));
  if (finite.length < 2) return new Set();
  const best = lowerIsBetter ? Math.min(...finite.map((p) => p[0])) : Math.max(...finite.map((p) => p[0]));
  const winners = finite.filter((p) => p[0] === best).map((p) => p[1]);
  // When every run ties there is no best one, and marking all of them would only add noise.
  return winners.length === finite.length ? new Set() : new Set(winners);
}

const runCell = (name: string, i: number): Cell => ({ html: `<strong>${seriesStyle(i).letter}</strong> ${esc(name)}` });

function runsSection(runs: readonly RunReport[], names: string[]): Section {
  const rows = runs.map((r, i) => [
    runCell(names[i] as string, i),
    textCell(r.model),
    textCell([r.prompt?.name, r.prompt?.hash?.slice(0, 12)].filter(Boolean).join(' ') || '—'),
    textCell(r.recipe ?? '—'),
    textCell(r.dataset.name),
    { html: String(r.dataset.n), num: true },
    textCell(r.createdAt),
  ]);
  const datasets = [...new Set(runs.map((r) => `${r.dataset.name} (n=${r.dataset.n})`))];
  const warn =
    datasets.length > 1
      ? `<p class="warn">The runs were evaluated on different data (${esc(datasets.join(', '))}): their scores are not directly comparable.</p>`
      : '';
  const head = ['Run', 'Model', 'Prompt', 'Recipe', 'Data', { name: 'n', num: true }, 'Evaluated'];
  return { id: 'runs', heading: 'Runs', html: warn + table('', head, rows) };
}

function metricsSection(runs: readonly RunReport[], names: string[]): Section {
  const cols = COLUMNS.filter((col) => runs.some((r) => r.metrics[col.key] !== undefined));
  const best = cols.map((col) =>
    bestIndices(
      runs.map((r) => r.metrics[col.key]),
      col.lowerIsBetter,
    ),
  );
  const rows = runs.map((r, i) => [
    runCell(names[i] as string, i),
    ...cols.map((col, j): Cell => {
      const interval = ci(intervalsOf(r), col.key);
      return {
        html: `${fmt(r.metrics[col.key])}${interval ? `<br><small class="ci">${interval}</small>` : ''}`,
        num: true,
        best: best[j]?.has(i),
      };
    }),
  ]);
  const level = runs.find((r) => r.intervals && Object.keys(r.intervals).length)?.intervalLevel;
  const anyCi = runs.some((r) => r.intervals && Object.keys(r.intervals).length);
  const note = `<p class="note">The best value of each column is in bold on green${anyCi ? `; brackets hold the ${ciHeading(level)}` : ''}. Overlapping intervals mean the difference may be noise: test it with a paired comparison.</p>`;
  const head = ['Run', ...cols.map((col) => ({ name: col.name, num: true }))];
  return { id: 'metrics', heading: 'Metrics', html: table('', head, rows) + note };
}

function perClassSection(runs: readonly RunReport[], names: string[]): Section {
  const labels = [...new Set(runs.flatMap((r) => r.labels))];
  const f1 = labels.map((l) => runs.map((r) => r.perClass.find((c) => c.label === l)?.f1));
  const rows = labels.map((l, li) => {
    const best = bestIndices(f1[li] as (number | undefined)[]);
    return [textCell(l), ...runs.map((_, i): Cell => ({ html: fmt(f1[li]?.[i]), num: true, best: best.has(i) }))];
  });
  const head = ['Label', ...names.map((n, i) => ({ name: `${seriesStyle(i).letter} ${n}`, num: true }))];
  const chart = barChart(
    labels,
    runs.map((_, i) => ({ name: names[i] as string, values: labels.map((_, li) => f1[li]?.[i]) })),
    { title: 'F1 per class and run', max: 1, width: 600 },
  );
  return {
    id: 'per-class',
    heading: 'F1 per class',
    html: `<div class="charts"><div>${table('', head, rows)}</div>${figure('F1 per class and run', chart)}</div>`,
  };
}

function curvesSection(runs: readonly RunReport[], names: string[]): Section | undefined {
  const charts: string[] = [];
  const finite = (v: number | null | undefined) => typeof v === 'number' && Number.isFinite(v);
  // Runs without the curve stay out of the legend; `style` keeps each run's colour and letter as in the tables.
  const series = (k: 'loss' | 'devMetric') =>
    runs
      .map((r, i) => ({
        name: `${seriesStyle(i).letter} ${names[i]}`,
        style: i,
        points: (r.learningCurve?.points ?? []).map((p) => ({ x: p.step, y: p[k] })),
      }))
      .filter((s) => s.points.some((p) => finite(p.y)));
  if (runs.some((r) => r.learningCurve?.points.some((p) => finite(p.loss))))
    charts.push(
      figure(
        'Training loss',
        lineChart(series('loss'), { title: 'Training loss of all runs', xLabel: 'Step', yLabel: 'Loss', width: 540 }),
      ),
    );
  if (runs.some((r) => r.learningCurve?.points.some((p) => finite(p.devMetric)))) {
    const metrics = [...new Set(runs.flatMap((r) => (r.learningCurve ? [r.learningCurve.metric] : [])))];
    const metric = metrics.length === 1 ? (metrics[0] as string) : 'dev metric';
    const values = runs.flatMap((r) => (r.learningCurve?.points ?? []).map((p) => p.devMetric));
    const chart = lineChart(series('devMetric'), {
      title: `Dev ${metric} of all runs`,
      xLabel: 'Step',
      yLabel: metric,
      width: 540,
      ...scoreRange(values),
    });
    charts.push(figure(`Dev ${metric}`, chart));
  }
  if (!charts.length) return undefined;
  return { id: 'learning-curves', heading: 'Learning curves', html: `<div class="charts">${charts.join('')}</div>` };
}

function groupsSection(runs: readonly RunReport[], names: string[]): Section | undefined {
  const groups = [...new Set(runs.flatMap((r) => (r.byGroup ?? []).map((g) => g.group)))];
  if (!groups.length) return undefined;
  const rows = groups.map((g) => {
    const values = runs.map((r) => r.byGroup?.find((x) => x.group === g)?.macroF1);
    const best = bestIndices(values);
    return [textCell(g), ...values.map((v, i): Cell => ({ html: fmt(v), num: true, best: best.has(i) }))];
  });
  const head = ['Group', ...names.map((n, i) => ({ name: `${seriesStyle(i).letter} ${n}`, num: true }))];
  return { id: 'groups', heading: 'Macro-F1 per group', html: table('', head, rows) };
}

/** Renders several runs side by side as one self-contained HTML page. */
export function renderComparison(runs: readonly RunReport[]): string {
  if (!runs.length)
    throw new ReportError('REPORT_INVALID', 'renderComparison needs at least one run: pass the reports to compare.');
  runs.forEach(checkReport);
  const names = runNames(runs);
  const sections = [
    runsSection(runs, names),
    metricsSection(runs, names),
    perClassSection(runs, names),
    curvesSection(runs, names),
    groupsSection(runs, names),
  ].filter((s): s is Section => s !== undefined);
  const title = `Comparison of ${runs.length} run${runs.length === 1 ? '' : 's'}`;
  const header = `<h1>${esc(title)}</h1><p class="note">${runs.map((r, i) => `<strong>${seriesStyle(i).letter}</strong> ${esc(names[i] as string)}`).join(' · ')}</p>`;
  return page(title, header, sections, 'Comparison written by promptune');
}
