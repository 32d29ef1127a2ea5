import { describe, expect, it } from 'vitest';
import { ReportError } from './errors.js';
import { renderReport } from './html.js';
import { expectInert, parsePage } from './testing/page-checks.js';
import { hostileReport, minimalReport, sampleReport } from './testing/sample-report.js';
import { type Element, decode, elements, textOf } from './testing/well-formed.js';
import type { RunReport } from './types.js';

const sectionIds = (all: Element[]) => all.filter((e) => e.name === 'section').map((e) => e.attrs.id);

describe('renderReport', () => {
  it('renders every section of a full report as a well-formed, inert page', () => {
    const html = renderReport(sampleReport());
    const all = parsePage(html);
    expectInert(html, all);
    expect(html).not.toMatch(/https?:|file:|data:/);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(sectionIds(all)).toEqual(['metrics', 'per-class', 'confusion', 'calibration', 'learning-curves', 'groups', 'errors']);
    expect(all.filter((e) => e.name === 'nav')[0]?.children.map((a) => a.attrs.href)).toEqual(
      sectionIds(all).map((id) => `#${id}`),
    );
    // per-class bars, confusion, reliability, loss, dev metric, learning rate, per-group bars
    expect(all.filter((e) => e.name === 'svg')).toHaveLength(7);
    // metrics, per class, per group, confident mistakes, unsure correct
    expect(all.filter((e) => e.name === 'table')).toHaveLength(5);
    const meta = all.find((e) => e.name === 'meta' && e.attrs['http-equiv'] === 'Content-Security-Policy');
    expect(meta?.attrs.content).toBe("default-src 'none'; style-src 'unsafe-inline'");
  });

  it('shows metrics with their intervals, and intervals on other keys under their own name', () => {
    const all = parsePage(renderReport(sampleReport()));
    const metrics = all.find((e) => e.name === 'section' && e.attrs.id === 'metrics')!;
    const rows = elements(metrics)
      .filter((e) => e.name === 'tr')
      .map((tr) => tr.children.map(textOf));
    expect(rows).toEqual([
      ['Metric', 'Value', '95% CI'],
      ['Accuracy', '0.853', '[0.825, 0.882]'],
      ['Macro-F1', '0.823', '[0.791, 0.853]'],
      ['Micro-F1', '0.853', ''],
      ['Weighted-F1', '0.850', ''],
      ['ROC AUC (macro, one-vs-rest)', '0.941', ''],
      ['Expected calibration error (lower is better)', '0.061', ''],
      ['Temperature', '1.370', ''],
      ['Coverage at confidence ≥ 0.70', '0.810', ''],
      ['Precision on the answered examples (≥ 0.70)', '0.923', ''],
      ['f1:neutral', '—', '[0.580, 0.710]'],
    ]);
  });

  it('escapes hostile strings everywhere, so that they show as text and nothing runs', () => {
    const r = hostileReport();
    const html = renderReport(r);
    const all = parsePage(html);
    expectInert(html, all);
    // The browser would show the very text the user wrote (control characters replaced).
    const shown = decode(html);
    expect(shown).toContain('<script>alert("title")</script>');
    expect(shown).toContain(`"><img src=x onerror=alert(1)>`);
    expect(shown).toContain('<td>__proto__</td><td class="num">—</td><td class="num">[0.300, 0.400]</td>');
    expect(all.find((e) => e.name === 'h1')!.text).toBe('&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;');
    const title = all.find((e) => e.name === 'title' && e.parent?.name === 'head')!;
    expect(textOf(title)).toBe('<script>alert("title")</script> — evaluation report');
    expect(textOf(all.find((e) => e.name === 'pre')!)).toBe(
      r.prompt!.text!.replaceAll('\u0000', '\uFFFD').replaceAll('\u0007', '\uFFFD').replace('\uD800', '\uFFFD'),
    );
  });

  it('cuts long texts and keeps the full text in a title attribute', () => {
    const r = sampleReport();
    const all = parsePage(renderReport(r));
    const errors = all.find((e) => e.name === 'section' && e.attrs.id === 'errors')!;
    const cut = elements(errors).filter((e) => e.name === 'span' && e.attrs.title);
    expect(cut).toHaveLength(1);
    expect(decode(cut[0]!.attrs.title!)).toBe(r.errors!.confidentMistakes[0]!.text);
    expect(textOf(cut[0]!)).toMatch(/^Absolutely loved .{100,160}…$/);
  });

  it('gives the same page for the same input', () => {
    expect(renderReport(sampleReport())).toBe(renderReport(structuredClone(sampleReport())));
    expect(renderReport(hostileReport())).toBe(renderReport(hostileReport()));
  });

  it('leaves out optional sections that are missing or empty', () => {
    const bare = renderReport(minimalReport());
    const all = parsePage(bare);
    expectInert(bare, all);
    expect(sectionIds(all)).toEqual(['metrics', 'per-class', 'confusion']);
    expect(all.filter((e) => e.name === 'svg')).toHaveLength(2);
    expect(bare).not.toMatch(/CI<|Calibration|Learning curves|Per group|Error analysis|Prompt text|<dt>Run<|<dt>Recipe</);

    const empty: RunReport = {
      ...minimalReport(),
      reliability: [{ lower: 0, upper: 1, count: 0, meanConfidence: 0, accuracy: 0 }],
      byGroup: [],
      intervals: {},
      learningCurve: { metric: 'macro-f1', points: [{ step: 1, loss: null }] },
      errors: { confidentMistakes: [], unsureCorrect: [] },
      prompt: {},
    };
    expect(renderReport(empty)).toBe(bare);

    const lossOnly = parsePage(
      renderReport({
        ...minimalReport(),
        learningCurve: {
          metric: 'acc',
          points: [
            { step: 1, loss: 2 },
            { step: 2, loss: Number.NaN },
          ],
        },
      }),
    );
    expect(lossOnly.filter((e) => e.name === 'figcaption').map(textOf)).toEqual(['F1 per class', 'Training loss']);
  });

  it('refuses a confusion matrix or per-class rows that disagree with the labels, naming the field', () => {
    const r = {
      ...minimalReport(),
      confusion: [
        [1, 2, 3],
        [4, 5],
      ],
    };
    r.perClass = [...r.perClass, { label: 'maybe', precision: 0, recall: 0, f1: 0, support: 0 }];
    expect(() => renderReport(r)).toThrow(ReportError);
    expect(() => renderReport(r)).toThrowErrorMatchingInlineSnapshot(`
      [ReportError: report "Bare" cannot be rendered:
        confusion.0 has 3 columns but there are 2 labels: one per predicted label
        perClass.2.label "maybe" is not one of the labels (yes, no)]
    `);
  });
});

describe('intervals', () => {
  it('reads task metric names as field names, a field name winning', () => {
    const r = {
      ...minimalReport(),
      intervals: {
        'weighted-f1': [0.6, 0.8] as [number, number],
        'macro-f1': [0, 1] as [number, number],
        macroF1: [0.5, 0.9] as [number, number],
      },
    };
    const rows = parsePage(renderReport(r))
      .filter((e) => e.name === 'tr')
      .slice(0, 5)
      .map((tr) => tr.children.map(textOf));
    expect(rows).toEqual([
      ['Metric', 'Value', '95% CI'],
      ['Accuracy', '0.750', ''],
      ['Macro-F1', '0.733', '[0.500, 0.900]'],
      ['Micro-F1', '0.750', ''],
      ['Weighted-F1', '0.733', '[0.600, 0.800]'],
    ]);
  });
});
