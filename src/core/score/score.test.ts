// Batch scoring in-process on the tiny checkpoint: the same lines predict would write, bad rows reported and
// skipped, a stop-and-resume (and a crash that left extra bytes) ending byte-identical to an uninterrupted run,
// and refusals when the input, the model, the settings or the output changed.
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTable } from '../data/index.js';
import { type Classifier, type Prediction, loadClassifier, writeClassifierMeta } from '../train/index.js';
import { type ScoreProblem, predictionLine, readState, score, scoreColumns, stateFileOf } from './index.js';

const TINY = new URL('../../transformers/models/__fixtures__/tiny-xlmr-with-tokenizer/', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'pt-score-'));
const model = join(dir, 'model');
let classifier: Classifier;

const GOOD = ['great', 'lovely', 'fresh', 'tasty'];
const BAD = ['stale', 'awful', 'bland', 'soggy'];
/** `n` short reviews as CSV, with quoted commas, doubled quotes, line breaks and multi-byte text mixed in. */
function reviewsCsv(n: number): string {
  const lines = ['id,text,label'];
  for (let i = 0; i < n; i++) {
    const word = (i % 2 ? GOOD : BAD)[i % 4];
    const text =
      i % 7 === 0
        ? `"The tea, ${i}, was ""${word}""\r\nreally."`
        : i % 5 === 0
          ? `Crème brûlée n°${i} 日本 ${word} 😀`
          : `The soup ${i} was ${word}.`;
    lines.push(`${i},${text},${i % 2 ? 'great' : 'other'}`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

beforeAll(() => {
  // The tiny checkpoint as an untrained prompt model: scoring only needs a deterministic classifier.
  mkdirSync(model);
  for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'])
    copyFileSync(join(TINY, f), join(model, f));
  writeClassifierMeta(model, {
    format: 'promptune-classifier/1',
    task: 'reviews',
    recipe: 'prompt-mlm',
    inputs: ['text'],
    labels: ['great', 'other'],
    maxLength: 24,
    temperature: 1.5,
    prompt: { template: '{text} It was {mask}.', verbalizer: { great: 'great', other: 'bad' } },
  });
  classifier = loadClassifier(model);
}, 60_000);
afterAll(() => classifier?.dispose());

describe('score', () => {
  it('writes what predict writes for every readable row, and reports the others with their line', async () => {
    const data = join(dir, 'mixed.csv');
    writeFileSync(data, `${reviewsCsv(40)}41,too,many,fields\n42,,other\n43,"Last one, no newline",great`);
    const problems: ScoreProblem[] = [];
    const out = join(dir, 'mixed-out.csv');
    const s = await score({ data, out, model, batchSize: 8 }, { classifier, onProblem: (p) => problems.push(p) });
    expect(problems.map((p) => [p.line, p.code])).toEqual([
      [48, 'WRONG_FIELD_COUNT'],
      [49, 'EMPTY_TEXT'],
    ]);
    expect(s).toMatchObject({ completed: true, rows: 41, resumedRows: 0, problems: 2 });
    expect(Object.values(s.counts).reduce((a, b) => a + b, 0)).toBe(41);
    // The reference: the whole-file reader and one predict call, formatted as predict formats.
    const table = await readTable(data);
    const preds = classifier.predict(table.rows.filter((r) => r.values.text).map((r) => ({ text: r.values.text as string })));
    const rows = table.rows.filter((r) => r.values.text);
    const expected = [
      ['id', 'text', 'label', ...scoreColumns(classifier.meta)].join(','),
      ...rows.map((r, i) => predictionLine('csv', classifier.meta, r.values, preds[i] as Prediction, table.columns)),
    ];
    // Same rows, columns and labels; probabilities to within float noise (score pads per batch of 8, the reference
    // the whole file at once, and a sum over different padding may differ in its last digit).
    const reference = join(dir, 'mixed-reference.csv');
    writeFileSync(reference, `${expected.join('\n')}\n`);
    const [written, want] = [await readTable(out), await readTable(reference)];
    expect(written.columns).toEqual(want.columns);
    expect(written.rows).toHaveLength(want.rows.length);
    written.rows.forEach((r, i) => {
      for (const c of want.columns) {
        const [a, b] = [r.values[c] as string, want.rows[i]?.values[c] as string];
        if (/^0\.\d+$/.test(b)) expect(Math.abs(Number(a) - Number(b)), `row ${i} ${c}`).toBeLessThan(5e-6);
        else expect(a, `row ${i} ${c}`).toBe(b);
      }
    });
    expect(existsSync(stateFileOf(out))).toBe(false);

    // JSONL in, JSONL out: each row keeps its own keys; into CSV the first row's keys make the header.
    const jsonl = join(dir, 'rows.jsonl');
    writeFileSync(
      jsonl,
      '{"text": "Lovely tea", "id": 1}\nnot json\n{"id": 3}\n{"text": "Stale bread", "id": 4, "extra": true}\n',
    );
    problems.length = 0;
    const warnings: string[] = [];
    await score(
      { data: jsonl, out: join(dir, 'rows-out.jsonl'), model, minConfidence: 1 },
      { classifier, onProblem: (p) => problems.push(p) },
    );
    expect(problems.map((p) => [p.line, p.code])).toEqual([
      [2, 'BAD_JSON'],
      [3, 'EMPTY_TEXT'],
    ]);
    const got = readFileSync(join(dir, 'rows-out.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(got.map((r) => [r.id, r.prediction, Object.keys(r)])).toEqual([
      [1, null, ['text', 'id', 'prediction', 'confidence', 'p:great', 'p:other']],
      [4, null, ['text', 'id', 'extra', 'prediction', 'confidence', 'p:great', 'p:other']],
    ]);
    await score({ data: jsonl, out: join(dir, 'rows-out.csv'), model }, { classifier, onWarning: (m) => warnings.push(m) });
    expect(readFileSync(join(dir, 'rows-out.csv'), 'utf8').split('\n')[0]).toBe('text,id,prediction,confidence,p:great,p:other');
    expect(warnings).toEqual([expect.stringMatching(/rows.jsonl:4: key "extra" is not among the CSV output's columns/)]);
  });

  it('stops on the signal and resumes to the uninterrupted output; cuts bytes a crash left after the last flush', async () => {
    const data = join(dir, 'big.csv');
    writeFileSync(data, reviewsCsv(300));
    const whole = join(dir, 'whole.jsonl');
    await score({ data, out: whole, model, batchSize: 16 }, { classifier });
    const reference = readFileSync(whole);

    const out = join(dir, 'parts.jsonl');
    const controller = new AbortController();
    let batches = 0;
    const first = await score(
      { data, out, model, batchSize: 16, checkpointSeconds: 0, chunkBytes: 4096 },
      {
        classifier,
        signal: controller.signal,
        onProgress: () => {
          if (++batches === 5) controller.abort();
        },
      },
    );
    expect(first).toMatchObject({ completed: false, rows: 80 });
    const state = readState(stateFileOf(out));
    expect(state).toMatchObject({ rows: 80, problems: 0, outBytes: readFileSync(out).length });
    expect(reference.subarray(0, state.outBytes).equals(readFileSync(out))).toBe(true);
    // A crash between writing output and recording the state leaves extra bytes: they are cut, not kept.
    appendFileSync(out, '{"half a row');
    const starts: number[] = [];
    const rest = await score(
      { data, out, model, batchSize: 16, chunkBytes: 100 },
      { classifier, onStart: (i) => starts.push(i.resumedRows) },
    );
    expect(starts).toEqual([80]);
    expect(rest).toMatchObject({ completed: true, rows: 300, resumedRows: 80 });
    expect(readFileSync(out).equals(reference)).toBe(true);
    expect(existsSync(stateFileOf(out))).toBe(false);
  });

  it('refuses to continue when the input, model or settings changed, or the output exists; restart starts over', async () => {
    const data = join(dir, 'change.csv');
    writeFileSync(data, reviewsCsv(64));
    const out = join(dir, 'change.csv.out.csv');
    const stopNow = new AbortController();
    stopNow.abort();
    await score({ data, out, model, batchSize: 8 }, { classifier, signal: stopNow.signal });
    expect(readState(stateFileOf(out)).rows).toBe(8);
    await expect(score({ data, out, model, minConfidence: 0.9 }, { classifier })).rejects.toThrow(
      /--min-confidence was the model's own, now 0.9: use the same value to continue, or pass --restart/,
    );
    appendFileSync(data, '99,One more,great\n');
    await expect(score({ data, out, model }, { classifier })).rejects.toMatchObject({
      code: 'SCORE_INPUT_CHANGED',
      message: expect.stringMatching(
        /change.csv changed since the interrupted scoring \(size \d+ → \d+ bytes, modified .*pass --restart/,
      ),
    });
    const done = await score({ data, out, model, restart: true }, { classifier });
    expect(done).toMatchObject({ completed: true, rows: 65, resumedRows: 0 });
    await expect(score({ data, out, model }, { classifier })).rejects.toMatchObject({ code: 'SCORE_OUTPUT_EXISTS' });

    await score({ data, out, model, restart: true, batchSize: 8 }, { classifier, signal: stopNow.signal });
    const meta = JSON.parse(readFileSync(join(model, 'promptune.json'), 'utf8'));
    writeFileSync(join(model, 'promptune.json'), JSON.stringify({ ...meta, temperature: 2 }));
    try {
      await expect(score({ data, out, model }, { classifier })).rejects.toMatchObject({
        code: 'SCORE_MODEL_CHANGED',
        message: expect.stringContaining('was modified): continuing would mix two models'),
      });
    } finally {
      writeClassifierMeta(model, meta);
    }
    writeFileSync(out, '');
    await expect(score({ data, out, model }, { classifier })).rejects.toMatchObject({ code: 'SCORE_OUTPUT_CHANGED' });
    await expect(score({ data: join(dir, 'x.parquet'), out, model }, { classifier })).rejects.toThrow(
      /--data .*x.parquet: scoring streams .csv and .jsonl files \(for Parquet use promptune predict/,
    );
  });
});
