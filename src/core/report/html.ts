// The evaluation report of one run as a single HTML page: run facts, metrics with intervals, per-class scores,
// the confusion matrix, calibration, learning curves, per-group scores and the examples worth reading.
import { ReportError } from './errors.js';
import { clipped, esc, fmt, pct } from './escape.js';
import { type Cell, type Section, figure, page, table, textCell } from './page.js';
import { barChart, confusionHeatmap, lineChart, reliabilityDiagram } from './svg.js';
import { type ErrorExample, type Intervals, type RunReport, intervalsOf, shapeProblems } from './types.js';

/** Throws a ReportError naming every field whose shape disagrees with the labels. */
export function checkReport(r: RunReport): void {
  const problems = shapeProblems(r);
  if (problems.length)
    throw new ReportError(
      'REPORT_INVALID',
      `report "${r.title}" cannot be rendered:\n${problems.map((p) => `  ${p.path.join('.')} ${p.message}`).join('\n')}`,
    );
}

/** "95% CI" for the interval level (0.95 by default). */
export const ciHeading = (level = 0.95): string => `${fmt(level * 100, level * 100 === Math.round(level * 100) ? 0 : 1)}% CI`;

/** An interval as "[lo, hi]", or "" when there is none. */
export function ci(intervals: Intervals | undefined, key: string, digits = 3): string {
  const iv = intervals?.[key];
  return iv ? `[${fmt(iv[0], digits)}, ${fmt(iv[1], digits)}]` : '';
}

/** A [0, 1] y range for values that are all scores, so that a flat curve does not look like a big swing. */
export function scoreRange(values: readonly (number | null | undefined)[]): { yRange?: [number, number] } {
  const finite = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return finite.length && finite.every((v) => v >= 0 && v <= 1) ? { yRange: [0, 1] } : {};
}

/** Rows of the headline metrics: [interval key, name, value]; optional metrics only when present. */
export function metricRows(r: RunReport): [string, string, number][] {
  const m = r.metrics;
  const rows: [string, string, number | undefined][] = [
    ['accuracy', 'Accuracy', m.accuracy],
    ['macroF1', 'Macro-F1', m.macroF1],
    ['microF1', 'Micro-F1', m.microF1],
    ['weightedF1', 'Weighted-F1', m.weightedF1],
    ['rocAuc', 'ROC AUC (macro, one-vs-rest)', m.rocAuc],
    ['ece', 'Expected calibration error (lower is better)', m.ece],
    ['temperature', 'Temperature', m.temperature],
  ];
  if (m.abstain) {
    rows.push(['abstain.coverage', `Coverage at confidence ≥ ${fmt(m.abstain.threshold, 2)}`, m.abstain.coverage]);
    rows.push([
      'abstain.precision',
      `Precision on the answered examples (≥ ${fmt(m.abstain.threshold, 2)})`,
      m.abstain.precision,
    ]);
  }
  return rows.filter((row): row is [string, string, number] => row[2] !== undefined);
}

function header(r: RunReport): string {
  const facts: [string, string][] = [];
  if (r.runId) facts.push(['Run', `<code>${esc(r.runId)}</code>`]);
  facts.push(['Model', esc(r.model)]);
  if (r.prompt && (r.prompt.name || r.prompt.hash)) {
    const hash = r.prompt.hash ? ` <code title="${esc(r.prompt.hash)}">${esc(r.prompt.hash.slice(0, 12))}</code>` : '';
    facts.push(['Prompt', `${esc(r.prompt.name ?? '')}${hash}`]);
  }
  if (r.recipe) facts.push(['Recipe', esc(r.recipe)]);
  facts.push(['Data', `${esc(r.dataset.name)} (${r.dataset.n} examples)`]);
  facts.push(['Labels', `${r.labels.length}: ${clipped(r.labels.join(', '), 200)}`]);
  facts.push(['Evaluated', esc(r.createdAt)]);
  const dl = facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('');
  const text = r.prompt?.text ? `<details><summary>Prompt text</summary><pre>${esc(r.prompt.text)}</pre></details>` : '';
  return `<h1>${esc(r.title)}</h1>\n<dl class="facts">${dl}</dl>${text}`;
}

function metricsSection(r: RunReport): Section {
  const rows = metricRows(r);
  const shown = new Set(rows.map((row) => row[0]));
  // Intervals on other keys (e.g. f1:<label>) still belong in the report, under their own name.
  const intervals = intervalsOf(r);
  const extra = Object.keys(intervals).filter((k) => !shown.has(k));
  const withCi = extra.length + rows.filter(([k]) => intervals[k]).length > 0;
  const body: Cell[][] = [
    ...rows.map(([key, name, v]) => [
      textCell(name),
      { html: fmt(v), num: true },
      ...(withCi ? [{ html: ci(intervals, key), num: true }] : []),
    ]),
    ...extra.map((key) => [textCell(key), { html: '—', num: true }, { html: ci(intervals, key), num: true }]),
  ];
  const head = ['Metric', { name: 'Value', num: true }, ...(withCi ? [{ name: ciHeading(r.intervalLevel), num: true }] : [])];
  const note = withCi ? '<p class="note">Intervals are bootstrap percentile intervals over the evaluation examples.</p>' : '';
  return { id: 'metrics', heading: 'Metrics', html: table(`${r.dataset.n} examples`, head, body) + note };
}

function perClassSection(r: RunReport): Section | undefined {
  if (!r.perClass.length) return undefined;
  const num = (x: number): Cell => ({ html: fmt(x), num: true });
  const rows = r.perClass.map((c) => [
    textCell(c.label),
    num(c.precision),
    num(c.recall),
    num(c.f1),
    { html: String(c.support), num: true },
  ]);
  const head = ['Label', ...['Precision', 'Recall', 'F1', 'Support'].map((name) => ({ name, num: true }))];
  const chart = barChart(
    r.perClass.map((c) => c.label),
    [{ name: 'F1', values: r.perClass.map((c) => c.f1) }],
    { title: 'F1 per class', max: 1, width: 560 },
  );
  return {
    id: 'per-class',
    heading: 'Per class',
    html: `<div class="charts"><div>${table('', head, rows)}</div>${figure('F1 per class', chart)}</div>`,
  };
}

function confusionSection(r: RunReport): Section {
  const svg = confusionHeatmap(r.labels, r.confusion, { title: `Confusion matrix: ${r.title}` });
  const note =
    '<p class="note">Rows are gold labels, columns predictions. Numbers are counts; the colour and the percentage are the ' +
    'share of the row (recall on the diagonal). Correct predictions are on the outlined diagonal.</p>';
  return { id: 'confusion', heading: 'Confusion matrix', html: note + svg };
}

function reliabilitySection(r: RunReport): Section | undefined {
  if (!r.reliability?.some((b) => b.count > 0)) return undefined;
  const svg = reliabilityDiagram(r.reliability, { title: 'Reliability diagram', ece: r.metrics.ece });
  const t = r.metrics.temperature;
  const scaled = t !== undefined ? ` Temperature scaling: T = ${fmt(t)}.` : '';
  const note = `<p class="note">Bars are the accuracy of the predictions in each confidence bin; a calibrated model follows the dashed diagonal. Bars below it mean over-confidence.${scaled}</p>`;
  return { id: 'calibration', heading: 'Calibration', html: note + svg };
}

function curvesSection(r: RunReport): Section | undefined {
  const lc = r.learningCurve;
  if (!lc?.points.length) return undefined;
  const has = (k: 'loss' | 'lr' | 'devMetric') => lc.points.some((p) => typeof p[k] === 'number' && Number.isFinite(p[k]));
  const pts = (k: 'loss' | 'lr' | 'devMetric') => lc.points.map((p) => ({ x: p.step, y: p[k] }));
  const charts: string[] = [];
  if (has('loss'))
    charts.push(
      figure(
        'Training loss',
        lineChart([{ name: 'train loss', points: pts('loss') }], {
          title: 'Training loss',
          xLabel: 'Step',
          yLabel: 'Loss',
          width: 540,
        }),
      ),
    );
  if (has('devMetric')) {
    charts.push(
      figure(
        `Dev ${lc.metric}`,
        lineChart([{ name: `dev ${lc.metric}`, points: pts('devMetric') }], {
          title: `Dev ${lc.metric}`,
          xLabel: 'Step',
          yLabel: lc.metric,
          width: 540,
          ...scoreRange(lc.points.map((p) => p.devMetric)),
        }),
      ),
    );
  }
  if (has('lr'))
    charts.push(
      figure(
        'Learning rate',
        lineChart([{ name: 'learning rate', points: pts('lr') }], {
          title: 'Learning rate',
          xLabel: 'Step',
          yLabel: 'Learning rate',
          width: 540,
        }),
      ),
    );
  if (!charts.length) return undefined;
  return { id: 'learning-curves', heading: 'Learning curves', html: `<div class="charts">${charts.join('')}</div>` };
}

function groupsSection(r: RunReport): Section | undefined {
  if (!r.byGroup?.length) return undefined;
  const rows = r.byGroup.map((g) => [
    textCell(g.group),
    { html: String(g.n), num: true },
    { html: fmt(g.accuracy), num: true },
    { html: fmt(g.macroF1), num: true },
  ]);
  const head = ['Group', ...['n', 'Accuracy', 'Macro-F1'].map((name) => ({ name, num: true }))];
  const chart = barChart(
    r.byGroup.map((g) => g.group),
    [
      { name: 'accuracy', values: r.byGroup.map((g) => g.accuracy) },
      { name: 'macro-F1', values: r.byGroup.map((g) => g.macroF1) },
    ],
    { title: 'Accuracy and macro-F1 per group', max: 1, width: 560 },
  );
  const small = r.byGroup.some((g) => g.n < 30)
    ? '<p class="note">Groups with fewer than 30 examples give noisy scores.</p>'
    : '';
  return {
    id: 'groups',
    heading: 'Per group',
    html: `<div class="charts"><div>${table('', head, rows)}${small}</div>${figure('Accuracy and macro-F1 per group', chart)}</div>`,
  };
}

const TEXT_CHARS = 160;
const LABEL_CHARS = 32;

function examplesTable(xs: readonly ErrorExample[]): string {
  const rows = xs.map((x) => [
    { html: clipped(x.text, TEXT_CHARS), text: true },
    { html: clipped(x.gold, LABEL_CHARS) },
    { html: clipped(x.predicted, LABEL_CHARS) },
    { html: pct(x.confidence), num: true },
  ]);
  return table('', ['Text', 'Gold', 'Predicted', { name: 'Confidence', num: true }], rows);
}

function errorsSection(r: RunReport): Section | undefined {
  const e = r.errors;
  if (!e || (!e.confidentMistakes.length && !e.unsureCorrect.length)) return undefined;
  let html = '<p class="note">Long texts are cut; hover over a text to read all of it.</p>';
  if (e.confidentMistakes.length)
    html += `<h3>Confident mistakes</h3><p class="note">Wrong predictions the model was most sure of: often label noise or a case the prompt does not cover.</p>${examplesTable(e.confidentMistakes)}`;
  if (e.unsureCorrect.length)
    html += `<h3>Correct but unsure</h3><p class="note">Right predictions with the lowest confidence: the border between classes.</p>${examplesTable(e.unsureCorrect)}`;
  return { id: 'errors', heading: 'Error analysis', html };
}

/** Renders the evaluation report of one run as a self-contained HTML page (no script, no external resource). */
export function renderReport(r: RunReport): string {
  checkReport(r);
  const sections = [
    metricsSection(r),
    perClassSection(r),
    confusionSection(r),
    reliabilitySection(r),
    curvesSection(r),
    groupsSection(r),
    errorsSection(r),
  ].filter((s): s is Section => s !== undefined);
  return page(
    `${r.title} — evaluation report`,
    header(r),
    sections,
    `Evaluation report written by promptune · ${esc(r.createdAt)}`,
  );
}
