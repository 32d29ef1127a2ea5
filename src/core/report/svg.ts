// Chart primitives: each returns one inline <svg> string. Accessible by construction: a <title> and a <desc> in
// every chart, and nothing told by colour alone (dash patterns and markers per series, numbers printed in cells
// and next to bars, a border on the confusion matrix's diagonal). No xmlns: the charts live inside an HTML page,
// whose parser puts <svg> in the SVG namespace, and the page must not contain any URL.
import { esc, fmt, pct, truncate } from './escape.js';
import { formatTick, niceTicks } from './ticks.js';
import type { ReliabilityBin } from './types.js';

// Okabe–Ito: distinguishable under the common colour-vision deficiencies.
const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#999999'];
const DASHES = ['', '7 4', '2 3', '9 3 2 3', '14 4', '1 4', '5 2 1 2 1 2', '3 6'];
const INK = '#222';
const GRID = '#ddd';
const FONT = 12;

/** Colour, dash pattern and legend letter of the i-th series (the same in every chart of a page). */
export function seriesStyle(i: number): { color: string; dash: string; letter: string } {
  return {
    color: PALETTE[i % PALETTE.length] as string,
    dash: DASHES[i % DASHES.length] as string,
    letter: i < 26 ? String.fromCharCode(65 + i) : `S${i + 1}`,
  };
}

/** A coordinate with one decimal: enough for the eye, and stable text for snapshot comparisons. */
const c = (x: number): string => String(Math.round(x * 10) / 10);

/** Rough width of a label in pixels (average glyph of a sans-serif font ≈ 0.6 em). */
export const textWidth = (s: string, size = FONT): number => Array.from(s).length * size * 0.6;

function doc(width: number, height: number, title: string, desc: string, body: string): string {
  const w = Math.ceil(width);
  const h = Math.ceil(height);
  return (
    `<svg class="chart" role="img" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="system-ui, sans-serif" font-size="${FONT}">` +
    `<title>${esc(title)}</title><desc>${esc(desc)}</desc>${body}</svg>`
  );
}

function text(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${c(x)}" y="${c(y)}"${attrs ? ` ${attrs}` : ''}>${esc(s)}</text>`;
}

/** A label cut to `max` characters, with the full text as a tooltip when cut. */
function label(x: number, y: number, s: string, max: number, attrs: string): string {
  const t = truncate(s, max);
  return t.cut ? `<g><title>${esc(s)}</title>${text(x, y, t.shown, attrs)}</g>` : text(x, y, t.shown, attrs);
}

function line(x1: number, y1: number, x2: number, y2: number, attrs: string): string {
  return `<line x1="${c(x1)}" y1="${c(y1)}" x2="${c(x2)}" y2="${c(y2)}" ${attrs}/>`;
}

/** A marker shape per series index: circle, square, triangle, diamond, then again. */
function marker(i: number, x: number, y: number, color: string): string {
  const r = 3.5;
  const fill = `fill="${color}" stroke="#fff" stroke-width="0.8"`;
  switch (i % 4) {
    case 0:
      return `<circle cx="${c(x)}" cy="${c(y)}" r="${r}" ${fill}/>`;
    case 1:
      return `<rect x="${c(x - r)}" y="${c(y - r)}" width="${2 * r}" height="${2 * r}" ${fill}/>`;
    case 2:
      return `<path d="M${c(x)} ${c(y - r - 1)}L${c(x + r + 1)} ${c(y + r)}L${c(x - r - 1)} ${c(y + r)}Z" ${fill}/>`;
    default:
      return `<path d="M${c(x)} ${c(y - r - 1)}L${c(x + r + 1)} ${c(y)}L${c(x)} ${c(y + r + 1)}L${c(x - r - 1)} ${c(y)}Z" ${fill}/>`;
  }
}

/** Legend items laid out left to right, wrapping at `width`; returns the markup and its height. */
function legend(
  items: { name: string; sample: (x: number, y: number) => string }[],
  x0: number,
  y0: number,
  width: number,
): { svg: string; height: number } {
  const rowH = 18;
  let x = x0;
  let y = y0 + rowH / 2;
  let out = '';
  for (const item of items) {
    const name = truncate(item.name, 40).shown;
    const w = 30 + textWidth(name) + 16;
    if (x > x0 && x + w > x0 + width) {
      x = x0;
      y += rowH;
    }
    out += item.sample(x, y) + label(x + 30, y + 4, item.name, 40, `fill="${INK}"`);
    x += w;
  }
  return { svg: `<g class="legend">${out}</g>`, height: items.length ? y - y0 + rowH / 2 : 0 };
}

/** One line of a line chart; points with a missing or non-finite y are skipped. */
export interface LineSeries {
  name: string;
  points: readonly { x: number; y: number | null | undefined }[];
  /** Index into the colour/dash/marker styles; the series' position when left out (keeps runs' styles stable). */
  style?: number;
}

/** Titles and size of a line chart. */
export interface LineChartOptions {
  title: string;
  /** Text alternative; a summary of each series (first and last value) when left out. */
  desc?: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  /** Height of the plot area (the legend adds to it). */
  height?: number;
  /** Fixed y range, e.g. [0, 1] for a metric; the data's range otherwise. */
  yRange?: [number, number];
}

/** A line chart of several series with nice ticks on both axes and a legend under the plot. */
export function lineChart(series: readonly LineSeries[], o: LineChartOptions): string {
  const width = o.width ?? 640;
  const plotH = o.height ?? 240;
  const clean = series.map((s, i) => ({
    name: s.name,
    style: s.style ?? i,
    pts: s.points.filter(
      (p): p is { x: number; y: number } => Number.isFinite(p.x) && typeof p.y === 'number' && Number.isFinite(p.y),
    ),
  }));
  const all = clean.flatMap((s) => s.pts);
  const xs = all.map((p) => p.x);
  const ys = all.map((p) => p.y);
  const xt = niceTicks(Math.min(...xs, Number.POSITIVE_INFINITY), Math.max(...xs, Number.NEGATIVE_INFINITY), 6);
  const yt = niceTicks(o.yRange?.[0] ?? Math.min(...ys), o.yRange?.[1] ?? Math.max(...ys), 5);
  const yLabels = yt.ticks.map((t) => formatTick(t, yt.step));
  const left = 28 + Math.max(...yLabels.map((s) => textWidth(s))) + 8;
  const right = 16;
  const top = 10;
  const plotW = width - left - right;
  const X = (x: number) => left + ((x - xt.lo) / (xt.hi - xt.lo)) * plotW;
  const Y = (y: number) => top + plotH - ((y - yt.lo) / (yt.hi - yt.lo)) * plotH;

  let body = '';
  yt.ticks.forEach((t, i) => {
    body += line(left, Y(t), left + plotW, Y(t), `stroke="${GRID}"`);
    body += text(left - 6, Y(t) + 4, yLabels[i] as string, `text-anchor="end" fill="${INK}"`);
  });
  for (const t of xt.ticks) {
    body += line(X(t), top + plotH, X(t), top + plotH + 4, `stroke="${INK}"`);
    body += text(X(t), top + plotH + 17, formatTick(t, xt.step), `text-anchor="middle" fill="${INK}"`);
  }
  body += line(left, top + plotH, left + plotW, top + plotH, `stroke="${INK}"`);
  body += line(left, top, left, top + plotH, `stroke="${INK}"`);
  body += text(left + plotW / 2, top + plotH + 34, o.xLabel, `text-anchor="middle" fill="${INK}"`);
  const yMid = top + plotH / 2;
  body += text(12, yMid, o.yLabel, `text-anchor="middle" fill="${INK}" transform="rotate(-90 12 ${c(yMid)})"`);

  clean.forEach((s) => {
    const { color, dash } = seriesStyle(s.style);
    const pts = s.pts.map((p) => `${c(X(p.x))},${c(Y(p.y))}`).join(' ');
    let g = `<title>${esc(s.name)}</title>`;
    if (s.pts.length > 1)
      g += `<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`;
    // Markers make series tell apart in grey-scale too; on long curves they would be a smear.
    if (s.pts.length <= 40) for (const p of s.pts) g += marker(s.style, X(p.x), Y(p.y), color);
    body += `<g class="series">${g}</g>`;
  });
  if (!all.length) body += text(left + plotW / 2, yMid, 'no finite values to plot', `text-anchor="middle" fill="${INK}"`);

  const leg = legend(
    clean.map((s) => {
      const { color, dash } = seriesStyle(s.style);
      return {
        name: s.name,
        sample: (x: number, y: number) =>
          line(x, y, x + 24, y, `stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}`) +
          marker(s.style, x + 12, y, color),
      };
    }),
    left,
    top + plotH + 44,
    plotW,
  );
  const desc =
    o.desc ??
    `${o.yLabel} against ${o.xLabel}. ${clean
      .map((s) => {
        const first = s.pts[0];
        const last = s.pts[s.pts.length - 1];
        return first && last
          ? `${s.name}: ${s.pts.length} points, from ${fmt(first.y, 4)} at ${first.x} to ${fmt(last.y, 4)} at ${last.x}.`
          : `${s.name}: no finite values.`;
      })
      .join(' ')}`;
  return doc(width, top + plotH + 44 + leg.height + 6, o.title, desc, body + leg.svg);
}

// Sequential blue scale for row fractions: light for 0, dark for 1.
const SCALE: [number, [number, number, number]][] = [
  [0, [247, 251, 255]],
  [0.5, [107, 174, 214]],
  [1, [8, 48, 107]],
];

/** The colour of a fraction in [0, 1] on the heat map's scale. */
export function heatColor(f: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(f) ? f : 0));
  const i = x <= 0.5 ? 0 : 1;
  const [x0, a] = SCALE[i] as [number, number[]];
  const [x1, b] = SCALE[i + 1] as [number, number[]];
  const t = (x - x0) / (x1 - x0);
  const rgb = a.map((v, j) => Math.round(v + ((b[j] as number) - v) * t));
  return `#${rgb.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/** Titles of a confusion-matrix heat map. */
export interface HeatmapOptions {
  title: string;
  desc?: string;
}

/** A confusion matrix: counts in the cells, colour by the row (gold) fraction, labels on both axes, row totals. */
export function confusionHeatmap(labels: readonly string[], matrix: readonly (readonly number[])[], o: HeatmapOptions): string {
  const k = labels.length;
  const cell = Math.max(28, Math.min(76, Math.floor(480 / Math.max(k, 1))));
  const maxLabel = 20;
  const shown = labels.map((l) => truncate(l, maxLabel).shown);
  const labelW = Math.max(...shown.map((s) => textWidth(s)), 10);
  const rotate = shown.some((s) => textWidth(s) > cell - 6);
  const left = 24 + labelW + 10;
  const top = 8;
  const gridW = k * cell;
  const colLabelH = rotate ? labelW * 0.72 + 16 : 20;
  const totalsW = 56;
  const rowSums = matrix.map((row) => row.reduce((a, b) => a + b, 0));

  let body = '';
  matrix.forEach((row, g) => {
    const y = top + g * cell;
    body += label(left - 8, y + cell / 2 + 4, labels[g] as string, maxLabel, `text-anchor="end" fill="${INK}"`);
    row.forEach((n, p) => {
      const x = left + p * cell;
      const sum = rowSums[g] as number;
      const f = sum ? n / sum : 0;
      const fg = f > 0.5 ? '#fff' : '#111';
      const tip = sum
        ? `gold ${labels[g]} → predicted ${labels[p]}: ${n} of ${sum} (${pct(f)})`
        : `gold ${labels[g]}: no examples`;
      let cellSvg = `<title>${esc(tip)}</title><rect x="${c(x)}" y="${c(y)}" width="${cell}" height="${cell}" fill="${heatColor(f)}" stroke="#fff"/>`;
      const big = cell >= 44;
      cellSvg += text(
        x + cell / 2,
        y + cell / 2 + (big ? -1 : 4),
        String(n),
        `text-anchor="middle" fill="${fg}" font-weight="bold"`,
      );
      if (big) cellSvg += text(x + cell / 2, y + cell / 2 + 13, pct(f, 0), `text-anchor="middle" fill="${fg}" font-size="10"`);
      body += `<g class="cell">${cellSvg}</g>`;
    });
    body += text(left + gridW + 8, y + cell / 2 + 4, String(rowSums[g]), `fill="${INK}"`);
  });
  // The diagonal's outline goes on top of every cell, so that no neighbour's border covers part of it.
  for (let i = 0; i < Math.min(k, matrix.length); i++)
    body += `<rect x="${c(left + i * cell + 1)}" y="${c(top + i * cell + 1)}" width="${cell - 2}" height="${cell - 2}" fill="none" stroke="${INK}" stroke-width="2"/>`;
  labels.forEach((l, p) => {
    const x = left + p * cell + cell / 2;
    const y = top + k * cell + 14;
    body += rotate
      ? label(x + 4, y, l, maxLabel, `text-anchor="end" fill="${INK}" transform="rotate(-45 ${c(x + 4)} ${c(y)})"`)
      : label(x, y, l, maxLabel, `text-anchor="middle" fill="${INK}"`);
  });
  const gridMid = top + (k * cell) / 2;
  body += text(
    12,
    gridMid,
    'Gold label',
    `text-anchor="middle" fill="${INK}" font-weight="bold" transform="rotate(-90 12 ${c(gridMid)})"`,
  );
  body += text(left + gridW + 8, top + k * cell + 14, 'n (row)', `fill="${INK}" font-size="10"`);
  const axisY = top + k * cell + colLabelH + 10;
  body += text(left + gridW / 2, axisY, 'Predicted label', `text-anchor="middle" fill="${INK}" font-weight="bold"`);

  // A stepped scale legend: the colour's meaning in words, without gradients (which would need page-wide ids).
  let scale = text(left, axisY + 24, 'Share of the gold row:', `fill="${INK}" font-size="11"`);
  [0, 0.25, 0.5, 0.75, 1].forEach((f, i) => {
    const x = left + 130 + i * 44;
    scale += `<rect x="${x}" y="${c(axisY + 13)}" width="14" height="14" fill="${heatColor(f)}" stroke="#999"/>`;
    scale += text(x + 17, axisY + 24, pct(f, 0), `fill="${INK}" font-size="11"`);
  });
  body += `<g class="scale">${scale}</g>`;

  const width = Math.max(left + gridW + totalsW, left + 130 + 5 * 44 + 10);
  const desc =
    o.desc ??
    `Confusion matrix over ${k} labels (rows: gold, columns: predicted). ${matrix
      .map((row, g) => `${labels[g]}: ${row[g] ?? 0} of ${rowSums[g]} correct`)
      .join('; ')}.`;
  return doc(width, axisY + 34, o.title, desc, body);
}

/** Titles of a reliability diagram. */
export interface ReliabilityOptions {
  title: string;
  desc?: string;
  /** Expected calibration error, shown in the corner when given. */
  ece?: number;
}

/** A reliability diagram: accuracy per confidence bin as bars, the diagonal of perfect calibration, bin counts. */
export function reliabilityDiagram(bins: readonly ReliabilityBin[], o: ReliabilityOptions): string {
  const S = 300;
  const left = 56;
  const top = 14;
  const X = (v: number) => left + v * S;
  const Y = (v: number) => top + S - v * S;
  const ticks = [0, 0.2, 0.4, 0.6, 0.8, 1];
  let body = '';
  for (const t of ticks) {
    body += line(left, Y(t), left + S, Y(t), `stroke="${GRID}"`);
    body += text(left - 6, Y(t) + 4, t.toFixed(1), `text-anchor="end" fill="${INK}"`);
    body += line(X(t), top + S, X(t), top + S + 4, `stroke="${INK}"`);
    body += text(X(t), top + S + 17, t.toFixed(1), `text-anchor="middle" fill="${INK}"`);
  }
  const used = bins.filter((b) => b.count > 0);
  // When one count is too wide for its bar, all are written upwards: mixed directions read badly.
  const upright = used.every((b) => textWidth(String(b.count), 10) + 2 <= Math.max(1, (b.upper - b.lower) * S));
  for (const b of used) {
    const x = X(b.lower);
    const w = Math.max(1, (b.upper - b.lower) * S);
    const acc = Math.min(1, Math.max(0, Number.isFinite(b.accuracy) ? b.accuracy : 0));
    const tip = `confidence ${fmt(b.lower, 2)}–${fmt(b.upper, 2)}: accuracy ${fmt(b.accuracy)}, mean confidence ${fmt(b.meanConfidence)}, ${b.count} examples`;
    let g = `<title>${esc(tip)}</title><rect x="${c(x)}" y="${c(Y(acc))}" width="${c(w)}" height="${c(acc * S)}" fill="#0072B2" fill-opacity="0.85" stroke="#fff"/>`;
    if (Number.isFinite(b.meanConfidence))
      g += `<circle cx="${c(X(b.meanConfidence))}" cy="${c(Y(acc))}" r="3.5" fill="#D55E00" stroke="#fff" stroke-width="0.8"/>`;
    // The count goes at the foot of the bar, away from the diagonal and the marker (above it when the bar is too
    // short to hold it); upwards when bins are too narrow, so that neighbours do not overlap.
    const n = String(b.count);
    const inside = acc * S >= (upright ? 16 : textWidth(n, 10) + 8);
    const fg = inside ? '#fff' : INK;
    const y = inside ? top + S - 5 : Y(acc) - 4;
    g += upright
      ? text(x + w / 2, y, n, `text-anchor="middle" fill="${fg}" font-size="10"`)
      : text(x + w / 2 + 3, y, n, `fill="${fg}" font-size="10" transform="rotate(-90 ${c(x + w / 2 + 3)} ${c(y)})"`);
    body += `<g class="bin">${g}</g>`;
  }
  body += line(X(0), Y(0), X(1), Y(1), `stroke="${INK}" stroke-width="1.5" stroke-dasharray="5 4"`);
  body += line(left, top + S, left + S, top + S, `stroke="${INK}"`);
  body += line(left, top, left, top + S, `stroke="${INK}"`);
  body += text(left + S / 2, top + S + 34, 'Confidence', `text-anchor="middle" fill="${INK}"`);
  const yMid = top + S / 2;
  body += text(14, yMid, 'Accuracy', `text-anchor="middle" fill="${INK}" transform="rotate(-90 14 ${c(yMid)})"`);
  if (o.ece !== undefined && Number.isFinite(o.ece))
    body += text(left + 8, top + 16, `ECE ${fmt(o.ece)}`, `fill="${INK}" font-weight="bold"`);

  const lx = left + S + 24;
  let leg = `<rect x="${lx}" y="${top + 4}" width="24" height="12" fill="#0072B2" fill-opacity="0.85"/>`;
  leg += text(lx + 30, top + 14, 'accuracy in the bin', `fill="${INK}"`);
  leg += line(lx, top + 32, lx + 24, top + 32, `stroke="${INK}" stroke-width="1.5" stroke-dasharray="5 4"`);
  leg += text(lx + 30, top + 36, 'perfect calibration', `fill="${INK}"`);
  leg += `<circle cx="${lx + 12}" cy="${top + 54}" r="3.5" fill="#D55E00"/>`;
  leg += text(lx + 30, top + 58, 'mean confidence', `fill="${INK}"`);
  leg += text(lx, top + 80, 'numbers at the foot of a bar:', `fill="${INK}" font-size="11"`);
  leg += text(lx, top + 94, 'examples in the bin', `fill="${INK}" font-size="11"`);
  body += `<g class="legend">${leg}</g>`;

  const desc =
    o.desc ??
    `Reliability diagram, ${used.length} non-empty bins. ${used
      .map((b) => `${fmt(b.lower, 2)}–${fmt(b.upper, 2)}: accuracy ${fmt(b.accuracy, 2)} (n=${b.count})`)
      .join('; ')}.`;
  return doc(lx + 190, top + S + 44, o.title, desc, body);
}

/** One series of a bar chart: a value per category (missing values are shown as "—"). */
export interface BarSeries {
  name: string;
  values: readonly (number | null | undefined)[];
}

/** Titles and scale of a bar chart. */
export interface BarChartOptions {
  title: string;
  desc?: string;
  /** Right end of the value axis, e.g. 1 for scores; from the data when left out. */
  max?: number;
  width?: number;
  /** Decimals of the printed values. */
  digits?: number;
}

/** A horizontal bar chart, grouped when there are several series; every bar has its value printed beside it. */
export function barChart(categories: readonly string[], series: readonly BarSeries[], o: BarChartOptions): string {
  const width = o.width ?? 640;
  const digits = o.digits ?? 3;
  const many = series.length > 1;
  const maxLabel = 24;
  const labelW = Math.max(...categories.map((s) => textWidth(truncate(s, maxLabel).shown)), 10);
  const left = labelW + 14;
  const valueW = textWidth(`${many ? 'A ' : ''}${fmt(1, digits)}`) + 10;
  const plotW = width - left - valueW;
  const finite = series.flatMap((s) => s.values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v)));
  const xt = niceTicks(0, o.max ?? Math.max(...finite, 0), 5);
  const X = (v: number) => left + (Math.max(xt.lo, Math.min(xt.hi, v)) / xt.hi) * plotW;
  const barH = 14;
  const groupH = series.length * (barH + 3) - 3 + 12;
  const top = 6;
  const plotH = categories.length * groupH;

  let body = '';
  for (const t of xt.ticks) {
    body += line(X(t), top, X(t), top + plotH, `stroke="${GRID}"`);
    body += text(X(t), top + plotH + 16, formatTick(t, xt.step), `text-anchor="middle" fill="${INK}"`);
  }
  categories.forEach((cat, ci) => {
    const y0 = top + ci * groupH + 6;
    body += label(left - 8, y0 + (groupH - 12) / 2 + 4, cat, maxLabel, `text-anchor="end" fill="${INK}"`);
    series.forEach((s, si) => {
      const { color, letter } = seriesStyle(si);
      const v = s.values[ci];
      const y = y0 + si * (barH + 3);
      const has = typeof v === 'number' && Number.isFinite(v);
      const shownValue = `${many ? `${letter} ` : ''}${has ? fmt(v, digits) : '—'}`;
      let g = `<title>${esc(`${many ? `${s.name} · ` : ''}${cat}: ${has ? fmt(v, digits) : 'no value'}`)}</title>`;
      if (has) g += `<rect x="${c(left)}" y="${c(y)}" width="${c(X(v) - left)}" height="${barH}" fill="${color}"/>`;
      g += text((has ? X(v) : left) + 4, y + barH - 3, shownValue, `fill="${INK}" font-size="11"`);
      body += `<g class="bar">${g}</g>`;
    });
  });
  body += line(left, top, left, top + plotH, `stroke="${INK}"`);
  const leg = many
    ? legend(
        series.map((s, i) => ({
          name: `${seriesStyle(i).letter} = ${s.name}`,
          sample: (x: number, y: number) =>
            `<rect x="${c(x + 4)}" y="${c(y - 6)}" width="16" height="12" fill="${seriesStyle(i).color}"/>`,
        })),
        left,
        top + plotH + 26,
        plotW,
      )
    : { svg: '', height: 0 };
  const desc =
    o.desc ??
    categories
      .map((cat, ci) => `${cat}: ${series.map((s) => `${many ? `${s.name} ` : ''}${fmt(s.values[ci], digits)}`).join(', ')}`)
      .join('; ');
  return doc(width, top + plotH + 24 + (many ? leg.height + 8 : 0), o.title, desc, body + leg.svg);
}
