// The data step on real and hand-made files: importers, problems with line numbers, label rewrites, hashes,
// the report (duplicates, conflicts, leakage, lengths, imbalance, languages), splits, K-shot and exports.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../shared/index.js';
import {
  DataError,
  type Example,
  dataReport,
  formatReport,
  importFile,
  kShot,
  makeDataset,
  parseCsv,
  stratifiedSplit,
  toChatJsonl,
  writeHfDatasetDir,
} from './index.js';

const python = new URL('../../../.venv-ref/bin/python', import.meta.url).pathname;
const fx = (f: string): string => new URL(`./__fixtures__/${f}`, import.meta.url).pathname;
const tmp = (): string => mkdtempSync(join(tmpdir(), 'pt-data-'));

describe('import', () => {
  it('reads real CSV data with quotes and commas, and hashes content only', async () => {
    const r = await importFile(fx('reviews-train-200.csv'));
    expect(r.rowsRead).toBe(200);
    expect(r.problems).toEqual([]);
    expect(r.dataset.labels).toEqual(['great', 'other']);
    expect(r.dataset.examples[0]?.line).toBe(2);
    const again = await importFile(fx('reviews-train-200.csv'));
    expect(again.dataset.hash).toBe(r.dataset.hash);
    // The same rows as JSONL have the same hash: the hash is of content, not of the file.
    const jsonl = join(tmp(), 'same.jsonl');
    writeFileSync(jsonl, r.dataset.examples.map((e) => JSON.stringify({ text: e.inputs.text, label: e.labels[0] })).join('\n'));
    expect((await importFile(jsonl)).dataset.hash).toBe(r.dataset.hash);
  });

  it('reports every bad CSV row with its line and fix, and records label rewrites', async () => {
    const r = await importFile(fx('problems.csv'), { allowedLabels: ['positive', 'negative'], synonyms: { neg: 'negative' } });
    expect(r.problems.map((p) => [p.line, p.code])).toEqual([
      [5, 'EMPTY_TEXT'],
      [6, 'MISSING_LABEL'],
      [7, 'WRONG_FIELD_COUNT'],
      [8, 'UNKNOWN_LABEL'],
    ]);
    expect(r.problems[3]?.message).toContain('"meh" is not a label of the task (positive, negative)');
    expect(r.dataset.examples.map((e) => [e.line, e.labels[0]])).toEqual([
      [2, 'positive'],
      [3, 'negative'],
      [9, 'positive'],
    ]);
    expect(r.dataset.examples[1]?.inputs.text).toBe('Two\nlines, "quoted"');
    expect(r.dataset.examples[2]?.inputs.text).toBe('   Lovely  tea   ');
    expect(r.labelRewrites).toEqual([
      { raw: 'Positive', label: 'positive', count: 1 },
      { raw: 'neg', label: 'negative', count: 1 },
      { raw: '  positive  ', label: 'positive', count: 1 },
    ]);
    await expect(
      importFile(fx('problems.csv'), { strict: true, allowedLabels: ['positive', 'negative'], synonyms: { neg: 'negative' } }),
    ).rejects.toThrow(/4 problem row\(s\):\n {2}line 5 \(text\): EMPTY_TEXT/);
  });

  it('reads JSONL with a column mapping and suggests close labels', async () => {
    const r = await importFile(fx('problems.jsonl'), {
      inputs: { text: 'review' },
      labelColumn: 'stars',
      synonyms: { '5': 'positive', '1': 'negative' },
      allowedLabels: ['positive', 'negative', 'neutral'],
    });
    expect(r.problems.map((p) => [p.line, p.code])).toEqual([
      [2, 'BAD_JSON'],
      [3, 'NOT_AN_OBJECT'],
      [4, 'UNKNOWN_LABEL'],
      [5, 'NOT_TEXT'],
    ]);
    expect(r.dataset.examples.map((e) => e.labels[0])).toEqual(['positive', 'negative']);
    await expect(importFile(fx('problems.jsonl'), { labelColumn: 'stars' })).rejects.toThrow(
      /has no column "text" \(it has review, stars\)/,
    );
    const typo = await importFile(fx('problems.csv'), { allowedLabels: ['positive', 'negative', 'mehh'] });
    expect(typo.problems.find((p) => p.value === 'meh')?.message).toContain('did you mean "mehh"');
  });

  it('reads Parquet, and multi-label cells', async () => {
    const path = join(tmp(), 'data.parquet');
    const buf = parquetWriteBuffer({
      columnData: [
        { name: 'title', data: ['Great', 'Bad', 'Fine'] },
        { name: 'body', data: ['Loved it', 'Broke at once', 'Does the job'] },
        { name: 'tags', data: ['quality|price', 'quality', ''] },
      ],
    });
    writeFileSync(path, Buffer.from(buf));
    const r = await importFile(path, { inputs: { title: 'title', body: 'body' }, labelColumn: 'tags', multiLabel: true });
    expect(r.dataset.fields).toEqual(['title', 'body']);
    expect(r.dataset.examples.map((e) => e.labels)).toEqual([['quality', 'price'], ['quality'], []]);
    expect(r.dataset.examples[1]).toMatchObject({ line: 2, inputs: { title: 'Bad', body: 'Broke at once' } });
  });

  it('parses RFC 4180 edge cases and refuses an unclosed quote with its line', () => {
    expect(parseCsv('a,b\r\n"x\r\ny",2\n\n"",3\n').map((r) => [r.line, r.fields])).toEqual([
      [1, ['a', 'b']],
      [2, ['x\r\ny', '2']],
      [5, ['', '3']],
    ]);
    expect(() => parseCsv('a,b\n"open,1\n', 'f.csv')).toThrow(/f.csv:2: a quoted field is never closed/);
  });
});

describe('report', () => {
  it('finds duplicates, conflicts, leakage, empties, long texts and imbalance', async () => {
    const ex = (line: number, text: string, label: string): Example => ({
      id: String(line),
      inputs: { text },
      labels: [label],
      line,
    });
    const train = makeDataset(
      [
        ex(2, 'Great tea!', 'pos'),
        ex(3, 'great tea', 'pos'),
        ex(4, 'Awful.', 'pos'),
        ex(5, 'awful', 'neg'),
        ex(6, '...', 'pos'),
        ex(7, 'word '.repeat(50), 'pos'),
        ex(8, 'Shared text', 'pos'),
      ],
      'train',
    );
    const test = makeDataset([ex(2, 'shared TEXT', 'pos'), ex(3, 'Fine', 'neg')], 'test');
    const r = await dataReport(
      { train, test },
      { countTokens: (t) => t.split(/\s+/).filter(Boolean).length, maxTokens: 20, detectLanguage: false },
    );
    expect(r.duplicates.map((d) => d.lines)).toEqual([[2, 3]]);
    expect(r.conflicts.map((c) => [c.lines, c.labels])).toEqual([
      [
        [4, 5],
        ['pos', 'neg'],
      ],
    ]);
    expect(r.leakage.map((l) => [l.splits, l.lines])).toEqual([
      [
        ['train', 'test'],
        [[8], [2]],
      ],
    ]);
    expect(r.empty).toEqual([{ split: 'train', line: 6 }]);
    expect(r.length?.overLimit).toEqual([{ split: 'train', line: 7, tokens: 50 }]);
    expect(r.imbalance).toEqual({ largest: 'pos', smallest: 'neg', ratio: 3.5 });
    expect(r.warnings.join('\n')).toMatch(/appear with different labels[\s\S]*more than one split[\s\S]*imbalanced/);
    const text = formatReport(r);
    expect(text).toContain('conflict (train lines 4, 5: pos vs neg)');
    expect(text).toMatch(/pos\s+6 \(86%\)\s+1 \(50%\)/);
  });

  it('identifies the language of every row and lists undeclared ones', async () => {
    const { dataset } = await importFile(fx('multilingual.csv'));
    const r = await dataReport({ train: dataset }, { languages: ['en', 'fr'] });
    expect(r.languages?.counts).toEqual({ en: 2, fr: 2, de: 2, es: 2, ja: 2 });
    expect(r.languages?.perLabel.positive).toEqual({ en: 1, fr: 1, de: 1, es: 1, ja: 1 });
    expect(r.languages?.undeclared.map((u) => u.language).sort()).toEqual(['de', 'de', 'es', 'es', 'ja', 'ja']);
  });
});

describe('splits and few-shot', () => {
  it('stratified splits keep label shares and partition the data (property over random inputs)', async () => {
    const { dataset } = await importFile(fx('reviews-train-200.csv'));
    const parts = stratifiedSplit(dataset, { train: 0.8, dev: 0.1, test: 0.1 }, 7);
    const share = (d: typeof dataset): number => d.examples.filter((e) => e.labels[0] === 'great').length / d.examples.length;
    expect(Math.abs(share(parts.train as typeof dataset) - share(dataset))).toBeLessThan(0.02);
    expect(stratifiedSplit(dataset, { train: 0.8, dev: 0.1, test: 0.1 }, 7).train?.hash).toBe(parts.train?.hash);
    expect(stratifiedSplit(dataset, { train: 0.8, dev: 0.1, test: 0.1 }, 8).train?.hash).not.toBe(parts.train?.hash);
    const rand = seededRandom(1);
    for (let trial = 0; trial < 30; trial++) {
      const n = 1 + Math.floor(rand() * 60);
      const examples = Array.from({ length: n }, (_, i) => ({
        id: String(i),
        inputs: { text: `t${i}` },
        labels: [`l${Math.floor(rand() * 4)}`],
        line: i,
      }));
      const split = stratifiedSplit(makeDataset(examples, 'r'), { a: 0.5, b: 0.3, c: 0.2 }, trial);
      const ids = Object.values(split).flatMap((d) => d.examples.map((e) => e.id));
      expect(ids.length).toBe(n);
      expect(new Set(ids).size).toBe(n);
    }
  });

  it('K-shot: K per label for train and for dev, disjoint, reproducible per seed', async () => {
    const { dataset } = await importFile(fx('reviews-train-200.csv'));
    const a = kShot(dataset, 16, 13);
    for (const d of [a.train, a.dev])
      expect(d.labels.map((l) => d.examples.filter((e) => e.labels[0] === l).length)).toEqual([16, 16]);
    const trainIds = new Set(a.train.examples.map((e) => e.id));
    expect(a.dev.examples.some((e) => trainIds.has(e.id))).toBe(false);
    expect(kShot(dataset, 16, 13).train.hash).toBe(a.train.hash);
    expect(kShot(dataset, 16, 21).train.hash).not.toBe(a.train.hash);
    expect(() => kShot(dataset, 80, 1)).toThrow(DataError);
    expect(() => kShot(dataset, 80, 1)).toThrow(/label "great" has 131 examples; K=80 needs 160 \(K for train and K for dev\)/);
  });
});

describe('exports', () => {
  it('writes chat JSONL and a datasets directory with a card', async () => {
    const { dataset } = await importFile(fx('multilingual.csv'));
    const jsonl = toChatJsonl(dataset, (e) => ({ system: 'Classify the review.', user: e.inputs.text as string }));
    const first = JSON.parse(jsonl.split('\n')[0] as string);
    expect(first).toEqual({
      messages: [
        { role: 'system', content: 'Classify the review.' },
        { role: 'user', content: 'The coffee arrived fresh and tastes wonderful.' },
        { role: 'assistant', content: 'positive' },
      ],
    });
    const dir = tmp();
    expect(writeHfDatasetDir(dir, { train: dataset }, { name: 'reviews', labels: ['negative', 'positive'] })).toEqual([
      'train.jsonl',
      'README.md',
    ]);
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toMatch(
      /^---\nconfigs:\n- config_name: default\n {2}data_files:\n {2}- split: train\n {4}path: train.jsonl\n---/,
    );
    expect(JSON.parse(readFileSync(join(dir, 'train.jsonl'), 'utf8').split('\n')[0] as string)).toMatchObject({
      text: 'The coffee arrived fresh and tastes wonderful.',
      label: 'positive',
    });
  });
});

describe.skipIf(!existsSync(python))('exports in Python (reference venv)', () => {
  it('datasets.load_dataset opens the exported directory with every split and row', async () => {
    const train = (await importFile(fx('multilingual.csv'))).dataset;
    const test = (await importFile(fx('reviews-test-100.csv'))).dataset;
    const dir = tmp();
    writeHfDatasetDir(dir, { train, test }, { name: 'reviews', labels: ['great', 'other', 'negative', 'positive'] });
    const script = `
import json, sys
from datasets import load_dataset
d = load_dataset(sys.argv[1])
print(json.dumps({s: {"rows": d[s].num_rows, "columns": d[s].column_names, "first": d[s][0]["text"]} for s in d}))`;
    const r = spawnSync(python, ['-c', script, dir], {
      encoding: 'utf8',
      env: { ...process.env, HF_DATASETS_OFFLINE: '1', HF_HOME: tmp() },
    });
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout.trim().split('\n').pop() as string);
    expect(got.train).toEqual({
      rows: 10,
      columns: ['text', 'label', 'id'],
      first: 'The coffee arrived fresh and tastes wonderful.',
    });
    expect(got.test.rows).toBe(100);
  });
});
