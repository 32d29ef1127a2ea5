import { describe, expect, it } from 'vitest';
import { ReportError } from './errors.js';
import { SUMMARY_FORMAT, readReport, readSummary, reportSummary } from './summary.js';
import { minimalReport, sampleReport } from './testing/sample-report.js';

describe('JSON summary', () => {
  it('holds the run facts and every number, and reads back unchanged', () => {
    const r = sampleReport();
    const s = reportSummary(r);
    expect(s.format).toBe(SUMMARY_FORMAT);
    expect(Object.keys(s)).toEqual([
      'format',
      'title',
      'runId',
      'model',
      'prompt',
      'recipe',
      'createdAt',
      'dataset',
      'labels',
      'metrics',
      'intervals',
      'perClass',
      'byGroup',
    ]);
    expect(s.prompt).toEqual({ name: 'it-was', hash: r.prompt?.hash });
    expect(s.metrics).toEqual(r.metrics);
    expect(readSummary(JSON.stringify(s))).toEqual(s);
    expect(readSummary(JSON.parse(JSON.stringify(s)))).toEqual(s);
  });

  it('leaves out what is absent or not finite, so that the JSON always reads back', () => {
    const r = {
      ...minimalReport(),
      metrics: { ...minimalReport().metrics, rocAuc: Number.NaN },
      intervals: { accuracy: [Number.NaN, 1] as [number, number] },
    };
    const s = reportSummary(r);
    expect(s).toEqual({
      format: SUMMARY_FORMAT,
      title: 'Bare',
      model: 'default',
      createdAt: '2025-01-01T00:00:00Z',
      dataset: { name: 'tiny', n: 4 },
      labels: ['yes', 'no'],
      metrics: { accuracy: 0.75, macroF1: 0.733, microF1: 0.75, weightedF1: 0.733 },
      perClass: r.perClass,
    });
    expect(readSummary(JSON.stringify(s))).toEqual(s);
  });

  it('names every bad field when reading a summary back', () => {
    const s = JSON.parse(JSON.stringify(reportSummary(sampleReport()))) as Record<string, unknown>;
    const bad = {
      ...s,
      format: 'other/2',
      metrics: { ...(s.metrics as object), accuracy: 'high', macroF1: undefined },
      perClass: [{ label: 'x' }],
    };
    expect(() => readSummary(bad)).toThrow(ReportError);
    expect(() => readSummary(bad)).toThrowErrorMatchingInlineSnapshot(`
      [ReportError: summary is not valid:
        summary.format is "other/2": Invalid input: expected "promptune.eval-summary/1"
        summary.metrics.accuracy is "high": Invalid input: expected number, received string
        summary.metrics.macroF1 is missing: Invalid input: expected number, received undefined
        summary.perClass.0.precision is missing: Invalid input: expected number, received undefined
        summary.perClass.0.recall is missing: Invalid input: expected number, received undefined
        summary.perClass.0.f1 is missing: Invalid input: expected number, received undefined
        summary.perClass.0.support is missing: Invalid input: expected number, received undefined
      Write summaries with reportSummary() (promptune eval --json) and do not edit them by hand.]
    `);
    expect(() => readSummary('{"format": ')).toThrow(/summary is not valid JSON/);
    try {
      readSummary('nope');
    } catch (e) {
      expect(ReportError.isInstance(e) && e.code).toBe('SUMMARY_SYNTAX');
    }
  });

  it('reads a saved full report back, non-finite curve values as null, and checks its shape', () => {
    const r = sampleReport();
    r.learningCurve?.points.push({ step: 700, loss: Number.NaN });
    const back = readReport(JSON.stringify(r));
    expect(back.learningCurve?.points.at(-1)).toEqual({ step: 700, loss: null });
    expect(back.confusion).toEqual(r.confusion);
    expect(() => readReport({ ...minimalReport(), confusion: [[1]] })).toThrowErrorMatchingInlineSnapshot(`
      [ReportError: report is not valid:
        report.confusion is [[1]]: has 1 rows but there are 2 labels: one row per gold label
        report.confusion.0 is [1]: has 1 columns but there are 2 labels: one per predicted label
      Save reports with JSON.stringify of the RunReport that promptune eval builds.]
    `);
  });
});
