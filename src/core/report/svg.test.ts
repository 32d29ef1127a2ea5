import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../shared/index.js';
import { truncate } from './escape.js';
import { barChart, confusionHeatmap, heatColor, lineChart, reliabilityDiagram } from './svg.js';
import { checkMarkup, elements, textOf } from './testing/well-formed.js';
import { formatTick, niceNumber, niceTicks } from './ticks.js';

const HOSTILE = '<script>alert("x")</script> & \'q\' ]]> \u0001';

/** Parses one chart strictly and checks the accessible parts every chart must have. */
function parseChart(svg: string) {
  const { problems, root } = checkMarkup(svg, 'xml');
  expect(problems).toEqual([]);
  expect(root.children).toHaveLength(1);
  const el = root.children[0]!;
  expect(el.name).toBe('svg');
  expect(el.attrs.role).toBe('img');
  expect(el.attrs.viewBox).toMatch(/^0 0 \d+ \d+$/);
  expect(el.children.slice(0, 2).map((c) => c.name)).toEqual(['title', 'desc']);
  expect(textOf(el.children[1]!).length).toBeGreaterThan(0);
  expect(svg).not.toMatch(/NaN|undefined|Infinity|<script|https?:/);
  return el;
}

describe('axis ticks', () => {
  it('picks 1, 2 or 5 × 10^k steps that cover the data', () => {
    expect(niceTicks(0, 1)).toEqual({ lo: 0, hi: 1, step: 0.2, ticks: [0, 0.2, 0.4, 0.6, 0.8, 1] });
    expect(niceTicks(0.23, 0.87).ticks).toEqual([0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 600, 6).ticks).toEqual([0, 200, 400, 600]);
    expect(niceTicks(0.18, 1.32).ticks).toEqual([0, 0.5, 1, 1.5]);
    expect(niceTicks(1e-6, 2e-5).ticks).toEqual([0, 5e-6, 1e-5, 1.5e-5, 2e-5]);
    expect(niceTicks(-3.7, 12.2).ticks).toEqual([-5, 0, 5, 10, 15]);
  });

  it('gives tick values without floating-point dust', () => {
    // 0.3 / 0.1 = 2.9999999999999996 must not push the first tick below the data.
    expect(niceTicks(0.3, 0.9).ticks).toEqual([0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(2.7, 3.3).ticks).toEqual([2.6, 2.8, 3, 3.2, 3.4]);
    for (const t of niceTicks(0.1, 0.7, 7).ticks) expect(String(t).length).toBeLessThanOrEqual(4);
  });

  it('makes a usable axis from a single value, an inverted or a non-finite range', () => {
    expect(niceTicks(0, 0).ticks).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(niceTicks(3, 3).ticks).toEqual([2.6, 2.8, 3, 3.2, 3.4]);
    expect(niceTicks(1, 0)).toEqual(niceTicks(0, 1));
    expect(niceTicks(Number.NaN, Number.NaN).ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY).ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });

  it('holds its invariants on random ranges', () => {
    const rand = seededRandom(3);
    for (let trial = 0; trial < 500; trial++) {
      const scale = 10 ** Math.floor(rand() * 16 - 8);
      const a = (rand() - 0.5) * 100 * scale;
      const b = a + rand() * 100 * scale;
      const { lo, hi, step, ticks } = niceTicks(a, b);
      expect(lo).toBeLessThanOrEqual(a);
      expect(hi).toBeGreaterThanOrEqual(b);
      expect(ticks.length).toBeGreaterThanOrEqual(2);
      expect(ticks.length).toBeLessThanOrEqual(11);
      const mantissa = step / 10 ** Math.floor(Math.log10(step));
      expect([1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-9)).toBe(true);
      ticks.forEach((t, i) => {
        if (i) expect(Math.abs(t - (ticks[i - 1] as number) - step)).toBeLessThan(1e-9 * Math.max(step, Math.abs(t)));
      });
    }
  });

  it('rounds to nice numbers', () => {
    expect([0.9, 1.4, 2.5, 4, 8].map((x) => niceNumber(x, true))).toEqual([1, 1, 2, 5, 10]);
    expect([0.9, 1.4, 2.5, 4, 8].map((x) => niceNumber(x, false))).toEqual([1, 2, 5, 5, 10]);
  });

  it('labels ticks with the decimals the step needs, in exponent form when tiny', () => {
    expect([0, 0.2, 1, -1e-9].map((t) => formatTick(t, 0.2))).toEqual(['0.0', '0.2', '1.0', '0.0']);
    expect([0, 200, 1000].map((t) => formatTick(t, 200))).toEqual(['0', '200', '1000']);
    expect([-0.5, 0.25].map((t) => formatTick(t, 0.25))).toEqual(['-0.50', '0.25']);
    expect([5e-6, 1e-5, 1.5e-5, 2e-5].map((t) => formatTick(t, 5e-6))).toEqual(['5e-6', '1e-5', '1.5e-5', '2e-5']);
    expect(formatTick(3e8, 1e8)).toBe('3e8');
  });
});

describe('line chart', () => {
  const ramp = (n: number, f: (i: number) => number | null) => Array.from({ length: n }, (_, i) => ({ x: i * 10, y: f(i) }));

  it('draws each series with its own dash pattern and marker, skipping points that are not finite', () => {
    const svg = lineChart(
      [
        { name: 'train loss', points: ramp(12, (i) => (i === 5 ? Number.NaN : 1 / (i + 1))) },
        { name: HOSTILE, points: ramp(12, (i) => (i === 3 ? null : 0.5)) },
      ],
      { title: 'Loss', xLabel: 'Step', yLabel: 'Loss' },
    );
    const el = parseChart(svg);
    const lines = elements(el).filter((e) => e.name === 'polyline');
    expect(lines).toHaveLength(2);
    expect(lines.map((l) => l.attrs.points!.split(' ').length)).toEqual([11, 11]);
    expect(lines[0]!.attrs['stroke-dasharray']).toBeUndefined();
    expect(lines[1]!.attrs['stroke-dasharray']).toBeDefined();
    expect(elements(el).filter((e) => e.name === 'circle')).toHaveLength(11 + 1); // markers + legend sample
    expect(textOf(el)).toContain(truncate(HOSTILE, 40).shown.replace('\u0001', '\uFFFD'));
  });

  it('leaves markers out on long curves and says so when nothing is finite', () => {
    const long = parseChart(lineChart([{ name: 'a', points: ramp(100, (i) => i) }], { title: 't', xLabel: 'x', yLabel: 'y' }));
    expect(elements(long).filter((e) => e.name === 'circle')).toHaveLength(1);
    const empty = parseChart(lineChart([{ name: 'a', points: ramp(3, () => null) }], { title: 't', xLabel: 'x', yLabel: 'y' }));
    expect(textOf(empty)).toContain('no finite values to plot');
  });

  it('keeps a fixed y range when asked', () => {
    const el = parseChart(
      lineChart([{ name: 'f1', points: ramp(5, () => 0.8) }], { title: 't', xLabel: 'x', yLabel: 'y', yRange: [0, 1] }),
    );
    const labels = elements(el)
      .filter((e) => e.name === 'text' && e.attrs['text-anchor'] === 'end')
      .map(textOf);
    expect(labels).toEqual(['0.0', '0.2', '0.4', '0.6', '0.8', '1.0']);
  });
});

describe('confusion heat map', () => {
  it('prints counts and row shares, outlines the diagonal and totals each row', () => {
    const el = parseChart(
      confusionHeatmap(
        ['neg', 'pos'],
        [
          [8, 2],
          [0, 0],
        ],
        { title: 'cm' },
      ),
    );
    const cells = elements(el).filter((e) => e.attrs.class === 'cell');
    expect(cells.map((c) => textOf(c.children[0]!))).toEqual([
      'gold neg → predicted neg: 8 of 10 (80.0%)',
      'gold neg → predicted pos: 2 of 10 (20.0%)',
      'gold pos: no examples',
      'gold pos: no examples',
    ]);
    const fills = cells.map((c) => c.children[1]!.attrs.fill);
    expect(fills).toEqual([heatColor(0.8), heatColor(0.2), heatColor(0), heatColor(0)]);
    const outlines = elements(el).filter((e) => e.name === 'rect' && e.attrs.fill === 'none');
    expect(outlines).toHaveLength(2);
    expect(textOf(el)).toContain('Predicted label');
  });

  it('cuts long labels (full text in a tooltip) and tilts them when they do not fit a cell', () => {
    const long = `${'very long label '.repeat(3)}${HOSTILE}`;
    const el = parseChart(
      confusionHeatmap(
        [long, 'b', 'c'],
        [
          [1, 0, 0],
          [0, 1, 0],
          [0, 0, 1],
        ],
        { title: 'cm' },
      ),
    );
    const tilted = elements(el).filter((e) => e.name === 'text' && e.attrs.transform?.startsWith('rotate(-45'));
    expect(tilted).toHaveLength(3);
    const tips = elements(el).filter((e) => e.name === 'g' && !e.attrs.class && e.children[0]?.name === 'title');
    expect(tips.map((t) => textOf(t.children[0]!))).toEqual([long.replace('\u0001', '\uFFFD'), long.replace('\u0001', '\uFFFD')]);
  });

  it('maps row shares onto a light-to-dark scale', () => {
    expect([0, 0.5, 1, -1, 2, Number.NaN].map(heatColor)).toEqual([
      '#f7fbff',
      '#6baed6',
      '#08306b',
      '#f7fbff',
      '#08306b',
      '#f7fbff',
    ]);
  });
});

describe('reliability diagram', () => {
  const bins = (k: number) =>
    Array.from({ length: k }, (_, i) => ({
      lower: i / k,
      upper: (i + 1) / k,
      count: i < k / 2 ? 0 : 40 * i,
      meanConfidence: (i + 0.5) / k,
      accuracy: i < k / 2 ? 0 : (i + 0.2) / k,
    }));

  it('draws a bar, a marker and a count for each non-empty bin, and the diagonal', () => {
    const el = parseChart(reliabilityDiagram(bins(10), { title: 'rel', ece: 0.0512 }));
    const drawn = elements(el).filter((e) => e.attrs.class === 'bin');
    expect(drawn).toHaveLength(5);
    expect(drawn.map((b) => textOf(b.children[drawn[0]!.children.length - 1]!))).toEqual(['200', '240', '280', '320', '360']);
    expect(textOf(drawn[0]!.children[0]!)).toBe('confidence 0.50–0.60: accuracy 0.520, mean confidence 0.550, 200 examples');
    expect(elements(el).some((e) => e.name === 'line' && e.attrs['stroke-dasharray'] === '5 4' && e.attrs.x2 === '356')).toBe(
      true,
    );
    expect(textOf(el)).toContain('ECE 0.051');
  });

  it('writes counts upwards when bins are too narrow for them', () => {
    const el = parseChart(reliabilityDiagram(bins(40), { title: 'rel' }));
    const counts = elements(el).filter((e) => e.name === 'text' && e.parent?.attrs.class === 'bin');
    expect(counts.length).toBe(20);
    expect(counts.every((t) => t.attrs.transform?.startsWith('rotate(-90'))).toBe(true);
  });
});

describe('bar chart', () => {
  it('prints every value, "—" for a missing one, and letters series in the legend', () => {
    const el = parseChart(
      barChart(
        ['neg', 'pos'],
        [
          { name: 'run a', values: [0.8, Number.NaN] },
          { name: HOSTILE, values: [0.5, 0.9] },
        ],
        { title: 'f1', max: 1 },
      ),
    );
    const bars = elements(el).filter((e) => e.attrs.class === 'bar');
    expect(bars.map((b) => textOf(b.children[b.children.length - 1]!))).toEqual(['A 0.800', 'B 0.500', 'A —', 'B 0.900']);
    expect(bars.filter((b) => b.children.some((c) => c.name === 'rect'))).toHaveLength(3);
    expect(textOf(el)).toContain('A = run a');
    expect(textOf(el)).toContain('B = <script>');
  });

  it('has no legend for one series and scales to the data without a max', () => {
    const el = parseChart(barChart(['x', 'y'], [{ name: 'n', values: [3, 7] }], { title: 'n', digits: 0 }));
    expect(elements(el).some((e) => e.attrs.class === 'legend')).toBe(false);
    expect(
      elements(el)
        .filter((e) => e.name === 'text' && e.attrs['text-anchor'] === 'middle')
        .map(textOf),
    ).toEqual(['0', '2', '4', '6', '8']);
  });
});
