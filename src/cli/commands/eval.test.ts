// promptune eval and predict on models trained by the real train command: reports and summaries on disk,
// comparison of two runs, calibration saved with the model and honoured by predict, files in and out.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../core/data/index.js';
import { readSummary } from '../../core/report/index.js';
import { readClassifierMeta } from '../../core/train/index.js';
import { reviewProject, runCli } from '../testing.js';

const root = new URL('../../../', import.meta.url).pathname;
const model = join(root, 'src/transformers/models/__fixtures__/tiny-xlmr-with-tokenizer');
const fixtures = join(root, 'src/core/data/__fixtures__');
let cwd = '';
const promptune = (...args: string[]) => runCli(cwd, args);
const modelOf = (out: string): string => /model saved to (\S+)/.exec(out)?.[1] as string;

describe('promptune eval and predict', () => {
  let first = '';
  let second = '';
  beforeAll(async () => {
    cwd = await reviewProject('pt-eval-', { prompt: true });
    const a = await promptune('train', '--recipe', 'classification', '--epochs', '1', '--max-length', '32', '--lr', '1e-3');
    expect(a.status, a.stderr).toBe(0);
    first = modelOf(a.stdout);
    const b = await promptune('train', '--prompt', 'cloze', '--k', '16', '--epochs', '2', '--max-length', '32', '--lr', '1e-3');
    expect(b.status, b.stderr).toBe(0);
    second = modelOf(b.stdout);
  });

  it('evaluates the newest run on the test set: headline with intervals, HTML report and JSON summary', async () => {
    const r = await promptune('eval', '--bootstrap', '200');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/prompt-mlm run run_\S+ on test\.csv \(100 examples\)/);
    expect(r.stdout).toMatch(
      /macro-F1 \d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\] · accuracy \d\.\d{3} \[.*\] · ROC AUC \d\.\d{3} · ECE \d\.\d{3} \(T=\d+\.\d\d\)/,
    );
    const summaryPath = join(cwd, /summary: (\S+)/.exec(r.stdout)?.[1] as string);
    const summary = readSummary(JSON.parse(readFileSync(summaryPath, 'utf8')));
    expect(summary).toMatchObject({ dataset: { n: 100 } });
    const html = readFileSync(join(cwd, /report: (\S+)/.exec(r.stdout)?.[1] as string), 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|https?:\/\//);
  });

  it('a quality gate passes at or above its value and exits 3 below it, naming the model, metric and value', async () => {
    const pass = await promptune('eval', '--model', first, '--bootstrap', '20', '--fail-under', 'macro-f1=0');
    expect(pass.status, pass.stderr).toBe(0);
    expect(pass.stdout).toContain('quality gate passed: macro-f1 ≥ 0');
    const accuracy = Number(/accuracy (\d\.\d{3})/.exec(pass.stdout)?.[1]);
    expect(accuracy).toBeLessThan(1);
    const fail = await promptune(
      'eval',
      '--model',
      first,
      '--bootstrap',
      '20',
      '--fail-under',
      'accuracy=1',
      '--fail-under',
      'macro-f1=0',
    );
    expect(fail.status).toBe(3);
    expect(fail.stderr).toMatch(new RegExp(`quality gate failed:\\n {2}\\S+: accuracy ${accuracy.toFixed(3)} is below 1\\n$`));
    const bad = await promptune('eval', '--model', first, '--fail-under', 'ece=0.1');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--fail-under ece=0.1: ece is not a metric a gate can check; use accuracy, macro-f1');
  });

  it('compares two runs side by side', async () => {
    const r = await promptune('eval', '--model', first, '--model', second, '--bootstrap', '50', '--out', 'cmp');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('comparison of 2 models: cmp/comparison.html');
    expect(readFileSync(join(cwd, 'cmp', 'comparison.html'), 'utf8')).toContain('prompt-mlm');
  });

  it('calibrates on dev data, saves it with the model, and predict honours the "not sure" threshold', async () => {
    expect((await promptune('eval', '--model', first, '--calibrate')).stderr).toContain(
      '--calibrate fits on the data it evaluates',
    );
    const r = await promptune(
      'eval',
      '--model',
      first,
      '--data',
      'train.csv',
      '--calibrate',
      '--target-precision',
      '0.7',
      '--bootstrap',
      '20',
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/calibrated .*: temperature \d+\.\d{3}(, not sure below \d\.\d{3})?/);
    const meta = readClassifierMeta(join(cwd, first));
    writeFileSync(
      join(cwd, 'new.jsonl'),
      ['{"id": 1, "text": "Lovely tea."}', '{"id": 2, "text": "Stale, awful cookies."}'].join('\n'),
    );
    // A threshold above every confidence: every answer becomes "not sure".
    const unsure = await promptune('predict', '--model', first, '--data', 'new.jsonl', '--min-confidence', '1');
    expect(unsure.status, unsure.stderr).toBe(0);
    const rows = unsure.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((x) => [x.id, x.prediction])).toEqual([
      [1, null],
      [2, null],
    ]);
    expect(rows[0]['p:great'] + rows[0]['p:other']).toBeCloseTo(1, 5);
    expect(meta.temperature).toBeGreaterThan(0);
  });

  it('predicts one text, and a CSV file into a CSV file with every column kept', async () => {
    const one = await promptune('predict', '--model', second, '--text', 'What a lovely tea.');
    expect(one.status, one.stderr).toBe(0);
    expect(one.stdout).toMatch(/^(great|other) \(\d\.\d\d\) {2}(great|other) \d\.\d\d · (great|other) \d\.\d\d\n$/);
    const f = await promptune('predict', '--model', second, '--data', 'test.csv', '--out', 'pred.csv');
    expect(f.status, f.stderr).toBe(0);
    expect(f.stderr).toContain('100 predictions written to pred.csv');
    const out = parseCsv(readFileSync(join(cwd, 'pred.csv'), 'utf8'));
    expect(out[0]?.fields).toEqual(['text', 'label', 'prediction', 'confidence', 'p:great', 'p:other']);
    expect(out.length).toBe(101);
    expect((await promptune('predict', '--data', 'missing.csv')).stderr).toContain('missing.csv not found');
    writeFileSync(join(cwd, 'wrong.csv'), 'body\nhello\n');
    expect((await promptune('predict', '--data', 'wrong.csv')).stderr).toContain(
      'has no column text: the model reads text (columns found: body)',
    );
    expect((await promptune('predict', '--model', cwd, '--text', 'x')).stderr).toContain('has no promptune.json');
    expect(existsSync(join(cwd, 'pred.csv'))).toBe(true);
  });
});
