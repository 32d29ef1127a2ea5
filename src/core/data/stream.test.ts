// The streaming reader against the whole-file reader: the same rows, lines and problems whatever the chunk size
// (boundaries inside quoted fields, CRLF pairs, doubled quotes and multi-byte characters), and every row's `next`
// position restarts reading exactly after it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../shared/index.js';
import { csvLine, parseCsv } from './csv.js';
import { type StreamedRow, csvRow, jsonlRow, openRowStream } from './stream.js';

const dir = mkdtempSync(join(tmpdir(), 'pt-stream-'));
const fixtures = new URL('./__fixtures__/', import.meta.url).pathname;

async function collect(path: string, format: 'csv' | 'jsonl', opts = {}): Promise<StreamedRow[]> {
  const rows: StreamedRow[] = [];
  for await (const r of (await openRowStream(path, format, opts)).rows()) rows.push(r);
  return rows;
}

/** What the whole-file reader makes of a CSV text, as rows. */
function wholeFile(text: string): unknown[] {
  const [header, ...records] = parseCsv(text);
  const columns = header?.fields.map((c) => c.trim()) ?? [];
  return records.map((r) => csvRow(columns, r));
}

const strip = (rows: StreamedRow[]): unknown[] => rows.map(({ next: _, ...r }) => r);

const TRICKY = [
  '\uFEFFtext,label,note\r\n',
  '"Great coffee, strong",great,"say ""wow"""\r\n',
  '"Two\r\nlines\nthree",other,x\r\n',
  '\r\n',
  'Crème brûlée 日本語 😀,great,é\n',
  'too,many,fields,here\n',
  '"😀😀, ""🍵""\n",other,"ü"\n',
  'short,row\n',
  '"",great,""\r\n',
  'no newline at the end,other,ß',
].join('');

describe('openRowStream (CSV)', () => {
  it('reads the same rows as parseCsv at every chunk size, with positions that resume exactly', async () => {
    const path = join(dir, 'tricky.csv');
    writeFileSync(path, TRICKY);
    const expected = wholeFile(TRICKY);
    expect(expected).toHaveLength(8);
    expect(expected.filter((r) => (r as StreamedRow).problem)).toHaveLength(2);
    const size = Buffer.byteLength(TRICKY);
    for (const chunkBytes of [1, 2, 3, 4, 5, 7, 16, 64, 1 << 20]) {
      const rows = await collect(path, 'csv', { chunkBytes });
      expect(strip(rows), `chunk ${chunkBytes}`).toEqual(expected);
      expect(rows.at(-1)?.next.offset).toBe(size);
    }
    const rows = await collect(path, 'csv', { chunkBytes: 3 });
    for (const [i, r] of rows.entries()) {
      const rest = await collect(path, 'csv', { chunkBytes: 2, from: r.next });
      expect(strip(rest), `resume after row ${i}`).toEqual(expected.slice(i + 1));
    }
  });

  it('matches parseCsv on random CSVs written by csvLine (property over seeds)', async () => {
    const alphabet = ['a', 'b', ' ', ',', '"', '\n', '\r\n', 'é', '日', '😀', 'x y', '""'];
    for (let seed = 1; seed <= 30; seed++) {
      const r = seededRandom(seed);
      const cell = (): string =>
        Array.from({ length: Math.floor(r() * 6) }, () => alphabet[Math.floor(r() * alphabet.length)]).join('');
      const eol = r() < 0.5 ? '\r\n' : '\n';
      const lines = [csvLine(['text', 'label'])];
      for (let i = 0; i < 12; i++) lines.push(csvLine([cell() || 'x', cell()]));
      const text = (r() < 0.3 ? '\uFEFF' : '') + lines.join(eol) + (r() < 0.5 ? eol : '');
      const path = join(dir, `random-${seed}.csv`);
      writeFileSync(path, text);
      const chunkBytes = 1 + Math.floor(r() * 9);
      expect(strip(await collect(path, 'csv', { chunkBytes })), `seed ${seed}`).toEqual(wholeFile(text));
    }
  });

  it('reads the import fixture like import does, and names the line of an unclosed quote', async () => {
    const path = join(fixtures, 'problems.csv');
    const expected = wholeFile(readFileSync(path, 'utf8'));
    expect(strip(await collect(path, 'csv', { chunkBytes: 5 }))).toEqual(expected);
    const open = join(dir, 'open.csv');
    writeFileSync(open, 'text\nfine\n"never closed\nmore\n');
    await expect(collect(open, 'csv', { chunkBytes: 4 })).rejects.toThrow(/open.csv:3: a quoted field is never closed/);
    // A runaway quote must not pull the rest of a large file into memory.
    writeFileSync(open, `text\n"${'x'.repeat(5000)}\n`);
    await expect(collect(open, 'csv', { chunkBytes: 256, maxRowBytes: 1024 })).rejects.toThrow(/open.csv:2: a row longer than/);
    await expect(openRowStream(join(dir, 'nope.csv'), 'csv')).rejects.toThrow(/nope.csv not found/);
    writeFileSync(open, '');
    await expect(openRowStream(open, 'csv')).rejects.toThrow(/is empty: it needs a header row/);
  });
});

describe('openRowStream (JSONL)', () => {
  it('reads each line as one row or problem at every chunk size, blank lines skipped, BOM ignored', async () => {
    const text = `\uFEFF${readFileSync(join(fixtures, 'problems.jsonl'), 'utf8')}{"text": "日本語 😀\\n", "n": 1}\r\n{"text": "last, no newline"}`;
    const path = join(dir, 'rows.jsonl');
    writeFileSync(path, text);
    const expected = text
      .replace(/^\uFEFF/, '')
      .split('\n')
      .flatMap((l, i) => jsonlRow(l, i + 1) ?? []);
    expect(expected.map((r) => r.problem?.code ?? 'ok')).toEqual([
      'ok',
      'BAD_JSON',
      'NOT_AN_OBJECT',
      'ok',
      'ok',
      'ok',
      'ok',
      'ok',
    ]);
    for (const chunkBytes of [1, 2, 3, 7, 1 << 20]) {
      const rows = await collect(path, 'jsonl', { chunkBytes });
      expect(strip(rows), `chunk ${chunkBytes}`).toEqual(expected);
      expect(rows.at(-1)?.next.offset).toBe(Buffer.byteLength(text));
    }
    const rows = await collect(path, 'jsonl');
    const stream = await openRowStream(path, 'jsonl', { from: rows[4]?.next, chunkBytes: 3 });
    expect(stream.columns).toBeUndefined();
    const rest: StreamedRow[] = [];
    for await (const r of stream.rows()) rest.push(r);
    expect(strip(rest)).toEqual(expected.slice(5));
  });
});
