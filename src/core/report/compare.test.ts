import { describe, expect, it } from 'vitest';
import { bestIndices, renderComparison, runNames } from './compare.js';
import { ReportError } from './errors.js';
import { expectInert, parsePage } from './testing/page-checks.js';
import { hostileReport, minimalReport, sampleReport } from './testing/sample-report.js';
import { type Element, elements, textOf } from './testing/well-formed.js';
import type { RunReport } from './types.js';

const rows = (all: Element[], id: string) =>
  elements(all.find((e) => e.name === 'section' && e.attrs.id === id)!)
    .filter((e) => e.name === 'tr')
    .map((tr) => tr.children.map((td) => (td.attrs.class?.includes('best') ? `*${textOf(td)}` : textOf(td))));

function twoRuns(): RunReport[] {
  const b = sampleReport(11, 'head-full');
  b.metrics = { ...b.metrics, macroF1: 0.84, ece: 0.03, rocAuc: undefined };
  b.perClass = b.perClass.map((c) => (c.label === 'neutral' ? { ...c, f1: 0.7 } : c));
  b.learningCurve = undefined;
  return [sampleReport(), b];
}

describe('renderComparison', () => {
  it('puts the main metrics side by side and marks the best of each column', () => {
    const html = renderComparison(twoRuns());
    const all = parsePage(html);
    expectInert(html, all);
    expect(html).not.toMatch(/https?:/);
    expect(rows(all, 'metrics')).toEqual([
      ['Run', 'Accuracy', 'Macro-F1', 'Micro-F1', 'Weighted-F1', 'ROC AUC', 'ECE ↓'],
      // Ties mark nobody; a metric only one run has is not a contest; lower ECE wins.
      ['A minilm-pet-lora', '0.853[0.825, 0.882]', '0.823[0.791, 0.853]', '0.853', '0.850', '0.941', '0.061'],
      ['B head-full', '0.853[0.825, 0.882]', '*0.840[0.791, 0.853]', '0.853', '0.850', '—', '*0.030'],
    ]);
    expect(rows(all, 'per-class')).toEqual([
      ['Label', 'A minilm-pet-lora', 'B head-full'],
      ['negative', '0.886', '0.886'],
      ['neutral', '0.649', '*0.700'],
      ['positive', '0.909', '0.909'],
    ]);
  });

  it('draws every run that has a curve on the learning-curve charts, in the colour of its letter', () => {
    const none = { ...sampleReport(5, 'zero-shot'), learningCurve: undefined };
    const all = parsePage(renderComparison([sampleReport(), none, sampleReport(9, 'other')]));
    expect(all.filter((e) => e.name === 'section').map((e) => e.attrs.id)).toEqual([
      'runs',
      'metrics',
      'per-class',
      'learning-curves',
      'groups',
    ]);
    const curves = all.filter((e) => e.name === 'svg' && textOf(e.children[0]!).endsWith('of all runs'));
    expect(curves.map((svg) => elements(svg).filter((e) => e.name === 'polyline').length)).toEqual([2, 2]);
    expect(textOf(curves[0]!)).toContain('A minilm-pet-lora');
    expect(textOf(curves[0]!)).toContain('C other');
    expect(textOf(curves[0]!)).not.toContain('zero-shot');
    const strokes = elements(curves[0]!)
      .filter((e) => e.name === 'polyline')
      .map((e) => e.attrs.stroke);
    expect(strokes).toEqual(['#0072B2', '#009E73']);
  });

  it('warns when runs were evaluated on different data and leaves out what no run has', () => {
    const a = minimalReport();
    const b = { ...minimalReport(), dataset: { name: 'other', n: 9 } };
    const all = parsePage(renderComparison([a, b]));
    expect(all.filter((e) => e.name === 'section').map((e) => e.attrs.id)).toEqual(['runs', 'metrics', 'per-class']);
    expect(textOf(all.find((e) => e.attrs.class === 'warn')!)).toContain('tiny (n=4), other (n=9)');
    expect(rows(all, 'metrics')[0]).toEqual(['Run', 'Accuracy', 'Macro-F1', 'Micro-F1', 'Weighted-F1']);
  });

  it('escapes hostile run names and labels, is deterministic and refuses an empty list', () => {
    const runs = [hostileReport(), sampleReport()];
    const html = renderComparison(runs);
    expectInert(html, parsePage(html));
    expect(renderComparison(structuredClone(runs))).toBe(html);
    expect(() => renderComparison([])).toThrow(ReportError);
  });

  it('names runs uniquely and finds the best values', () => {
    const r = minimalReport();
    expect(runNames([r, { ...r, runId: 'x' }, r])).toEqual(['Bare (#1)', 'x', 'Bare (#3)']);
    expect([...bestIndices([0.5, 0.7, 0.7, undefined])]).toEqual([1, 2]);
    expect([...bestIndices([0.5, 0.2], true)]).toEqual([1]);
    expect([...bestIndices([0.5, 0.5])]).toEqual([]);
    expect([...bestIndices([0.5, Number.NaN])]).toEqual([]);
  });
});
