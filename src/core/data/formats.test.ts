// Data files as users have them: semicolon- and tab-separated CSV, Windows-1252 and UTF-16 exports, and Excel
// workbooks written by a spreadsheet library other than the one that reads them (openpyxl's fixture). Every test
// checks the imported texts and labels, the problem rows' lines and the label rewrites, not only counts.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import {
  DataError,
  type ImportOptions,
  type ImportResult,
  csvHeader,
  decodeText,
  describeRead,
  detectDelimiter,
  importFile,
  parseDelimiter,
  parseEncoding,
  readTable,
} from './index.js';

const fx = (f: string): string => new URL(`./__fixtures__/${f}`, import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'pt-formats-'));
const file = (name: string, bytes: Buffer | string): string => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};
const LABELS = ['great', 'other'];
const rows = (r: ImportResult): [number, string, string][] =>
  r.dataset.examples.map((e) => [e.line, e.inputs.text as string, e.labels.join('|')]);
const problems = (r: ImportResult): [number, string, string?][] =>
  r.problems.map((p) => [p.line, p.code, ...(p.column ? [p.column] : [])] as [number, string, string?]);

describe('CSV delimiters', () => {
  it('detects a semicolon CSV (commas and decimal commas in the text), with lines, problems and rewrites', async () => {
    const path = file(
      'crm.csv',
      [
        'id;text;label;score',
        '1;Great tea, would buy again;great;4,5',
        '2;"Late; and the box was torn\nbadly";Other;1,0',
        '3;Nothing to say',
        '4;Fine, fine;GREAT;3,0',
        '5;;other;2,0',
      ].join('\r\n'),
    );
    const r = await importFile(path, { allowedLabels: LABELS });
    expect(r.read).toEqual({
      format: 'csv',
      delimiter: { value: ';', source: 'detected' },
      encoding: { value: 'utf-8', source: 'detected', bom: false },
    });
    expect(describeRead(r.read)).toBe('csv, semicolon-separated (detected), utf-8 (detected)');
    expect(rows(r)).toEqual([
      [2, 'Great tea, would buy again', 'great'],
      [3, 'Late; and the box was torn\nbadly', 'other'],
      [6, 'Fine, fine', 'great'],
    ]);
    // Line 5, not 4: the quoted field on line 3 spans two lines.
    expect(problems(r)).toEqual([
      [5, 'WRONG_FIELD_COUNT'],
      [7, 'EMPTY_TEXT', 'text'],
    ]);
    expect(r.problems[0]?.message).toBe('2 fields where the header has 4: quote fields that contain semicolons ("a; b").');
    expect(r.problems[0]?.value).toBe('3;Nothing to say');
    expect(r.labelRewrites).toEqual([
      { raw: 'Other', label: 'other', count: 1 },
      { raw: 'GREAT', label: 'great', count: 1 },
    ]);
  });

  it('reads .tsv files as tab-separated, and detects tabs and pipes in a .csv', async () => {
    const tsv = await importFile(file('export.tsv', 'text\tlabel\nCalm, quiet; lovely\tgreat\n"Tab\tinside"\tother\n'));
    expect(tsv.read.delimiter).toEqual({ value: '\t', source: 'default' });
    expect(rows(tsv)).toEqual([
      [2, 'Calm, quiet; lovely', 'great'],
      [3, 'Tab\tinside', 'other'],
    ]);
    const tabs = await importFile(file('tabs.csv', 'text\tlabel\nA, b\tgreat\n'));
    expect(tabs.read.delimiter).toEqual({ value: '\t', source: 'detected' });
    expect(rows(tabs)).toEqual([[2, 'A, b', 'great']]);
    const pipes = await importFile(file('pipes.csv', 'text|label\nA; b, c|other\n'));
    expect(describeRead(pipes.read)).toBe('csv, pipe-separated (detected), utf-8 (detected)');
    expect(rows(pipes)).toEqual([[2, 'A; b, c', 'other']]);
  });

  it('takes a given delimiter over detection, and counts only delimiters outside quotes', async () => {
    // Detection would pick the comma (2 fields on every line); the caller says the pipe.
    const path = file('given.csv', 'text,x|label\nA,b|great\n');
    const r = await importFile(path, { delimiter: '|', inputs: { text: 'text,x' } });
    expect(r.read.delimiter).toEqual({ value: '|', source: 'given' });
    expect(rows(r)).toEqual([[2, 'A,b', 'great']]);
    const b = (s: string): Buffer => Buffer.from(s);
    expect(detectDelimiter(b('text,label\n"one; two; three",great\n"four; five",other\n'))).toBe(',');
    expect(detectDelimiter(b('text;label\n"a, b, c";great\n"d,e";other\n'))).toBe(';');
    // A stray bad row does not outvote the header: most rows agree with 2 semicolon fields.
    expect(detectDelimiter(b('a;b\nx;y\nx;y\nx,y,z;w;v\n'))).toBe(';');
    expect(detectDelimiter(b('text\nonly one column\n'))).toBeUndefined();
    // A one-column file falls back to the comma, reported as the default.
    expect((await readTable(file('one.csv', 'text\nhello\n'))).read.delimiter).toEqual({ value: ',', source: 'default' });
  });

  it("reads a header alone (init's column check) the way import reads the file, from its first 64 KiB", () => {
    const big = Buffer.concat([
      Buffer.from('Kundenname;Bewertung;Ärger\r\n', 'latin1'),
      Buffer.from('Jürgen Groß;gut;nein\r\n'.repeat(5000), 'latin1'),
    ]);
    expect(big.length).toBeGreaterThan(1 << 16);
    expect(csvHeader(file('big.csv', big))).toEqual(['Kundenname', 'Bewertung', 'Ärger']);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`Zoë\tlabel\r\n${'x\ty\r\n'.repeat(20000)}`, 'utf16le')]);
    expect(csvHeader(file('big16.csv', utf16))).toEqual(['Zoë', 'label']);
    expect(csvHeader(file('h.tsv', 'a,b\tc\n'))).toEqual(['a,b', 'c']);
    expect(csvHeader(join(dir, 'missing.csv'))).toBeUndefined();
    expect(csvHeader(fx('kunden.xlsx'))).toBeUndefined();
  });

  it('parses delimiter and encoding names as flags give them', () => {
    expect([',', ';', '|', 'tab', '\\t', '\t'].map(parseDelimiter)).toEqual([',', ';', '|', '\t', '\t', '\t']);
    expect(parseDelimiter(':')).toBeUndefined();
    expect(['UTF8', 'utf-16LE', 'cp1252', 'ISO-8859-1', 'latin1', 'utf_16be'].map(parseEncoding)).toEqual([
      'utf-8',
      'utf-16le',
      'windows-1252',
      'latin1',
      'latin1',
      'utf-16be',
    ]);
    expect(parseEncoding('ebcdic')).toBeUndefined();
  });
});

describe('encodings', () => {
  // Windows-1252 bytes: ë é ü are one byte each (Buffer's latin1 writes them so); € is 0x80 in Windows-1252 only.
  const cp1252 = Buffer.concat([
    Buffer.from('name;text;label\r\nZoë;Crème brûlée, parfait;great\r\nJosé;Café 5 ', 'latin1'),
    Buffer.from([0x80]),
    Buffer.from(', zu teuer;other\r\nMüller;Schön;\r\nFrançois;Très bien;Great\r\n', 'latin1'),
  ]);

  it('detects a Windows-1252 file with accented names and the euro sign', async () => {
    const path = file('excel-1252.csv', cp1252);
    const r = await importFile(path, { allowedLabels: LABELS, inputs: { text: 'text', name: 'name' } });
    expect(describeRead(r.read)).toBe('csv, semicolon-separated (detected), windows-1252 (detected)');
    expect(r.dataset.examples.map((e) => [e.line, e.inputs.name, e.inputs.text, e.labels[0]])).toEqual([
      [2, 'Zoë', 'Crème brûlée, parfait', 'great'],
      [3, 'José', 'Café 5 €, zu teuer', 'other'],
      [5, 'François', 'Très bien', 'great'],
    ]);
    expect(problems(r)).toEqual([[4, 'MISSING_LABEL', 'label']]);
    expect(r.labelRewrites).toEqual([{ raw: 'Great', label: 'great', count: 1 }]);
    // Given as latin1 it reads the same (latin1 is read as windows-1252, as browsers do).
    const given = await importFile(path, { encoding: 'latin1', allowedLabels: LABELS, inputs: { text: 'text', name: 'name' } });
    expect(given.read.encoding).toEqual({ value: 'latin1', source: 'given', bom: false });
    expect(given.dataset.hash).toBe(r.dataset.hash);
  });

  it('lists the rows of a wrong explicit UTF-8 with line, column, byte offset and the fix; none usable is an error', async () => {
    const path = file('wrong.csv', cp1252);
    const err = await importFile(path, { encoding: 'utf-8' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).code).toBe('DATA_EMPTY');
    expect((err as DataError).fix).toBe(
      "not valid UTF-8 (given): byte 0xeb at line 2, column 3, byte offset 19: pass --encoding windows-1252 (or the file's encoding)",
    );
    expect((err as DataError).message.split('\n').slice(0, 2)).toEqual([
      `${path}: none of its 4 rows can be imported: not valid UTF-8 (given): byte 0xeb at line 2, column 3, byte offset 19: pass --encoding windows-1252 (or the file's encoding):`,
      "  line 2 (name): BAD_ENCODING: not valid UTF-8 (given): byte 0xeb at line 2, column 3, byte offset 19: pass --encoding windows-1252 (or the file's encoding).",
    ]);
  });

  it('never turns bad bytes into U+FFFD: a UTF-8 file with a bad row lists it, the other rows import', async () => {
    // Given as utf-8, detected by its BOM, and detected because most of its non-ASCII bytes are UTF-8.
    const body = (bad: number[]): Buffer =>
      Buffer.concat([
        Buffer.from('text,label\nZoë: crème brûlée,great\n'),
        Buffer.from(bad),
        Buffer.from(',great\n"two\nlines '),
        Buffer.from([0xc3]),
        Buffer.from('",other\nok,other\n'),
      ]);
    const cases: [string, Buffer, ImportOptions, string][] = [
      ['given.csv', body([0x80, 0x80, 0x80]), { encoding: 'utf-8' }, 'given'],
      ['bom.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body([0x80, 0x80, 0x80])]), {}, 'detected'],
      ['mostly.csv', body([0xff]), {}, 'detected'],
    ];
    for (const [name, bytes, opts, source] of cases) {
      const r = await importFile(file(name, bytes), { ...opts, allowedLabels: LABELS });
      expect(r.read.encoding?.value).toBe('utf-8');
      expect(rows(r)).toEqual([
        [2, 'Zoë: crème brûlée', 'great'],
        [6, 'ok', 'other'],
      ]);
      expect(r.dataset.examples.some((e) => (e.inputs.text as string).includes('\uFFFD'))).toBe(false);
      const bom = name === 'bom.csv' ? 3 : 0;
      expect(r.problems).toEqual([
        {
          line: 3,
          column: 'text',
          code: 'BAD_ENCODING',
          value: name === 'mostly.csv' ? '0xff' : '0x80',
          offset: 39 + bom,
          message: `not valid UTF-8 (${source}): byte 0x${name === 'mostly.csv' ? 'ff' : '80'} at line 3, column 1, byte offset ${39 + bom}: pass --encoding windows-1252 (or the file's encoding).`,
        },
        {
          line: 4,
          column: 'text',
          code: 'BAD_ENCODING',
          value: '0xc3',
          offset: expect.any(Number),
          message: expect.stringContaining('at line 5, column 7, byte offset'),
        },
      ]);
    }
    // A file that is mostly not UTF-8 is still Windows-1252 (detection as before): \x80 is the euro sign there.
    const euro = await importFile(
      file('euro.csv', Buffer.from([...Buffer.from('text,label\n'), 0x80, 0x80, 0x80, ...Buffer.from(',great\n')])),
    );
    expect(euro.read.encoding).toEqual({ value: 'windows-1252', source: 'detected', bom: false });
    expect(rows(euro)).toEqual([[2, '€€€', 'great']]);
  });

  it("lists Windows-1252's unassigned bytes (0x81 0x8D 0x8F 0x90 0x9D) and unpaired UTF-16 surrogates as problem rows", async () => {
    const cp = Buffer.concat([
      Buffer.from('text;label\r\nCafé;great\r\nx', 'latin1'),
      Buffer.from([0x9d]),
      Buffer.from(';other\r\n'),
    ]);
    for (const encoding of [undefined, 'windows-1252', 'latin1'] as const) {
      const r = await importFile(file('cp.csv', cp), { ...(encoding ? { encoding } : {}), allowedLabels: LABELS });
      expect(rows(r)).toEqual([[2, 'Café', 'great']]);
      expect(problems(r)).toEqual([[3, 'BAD_ENCODING', 'text']]);
      expect(r.problems[0]?.message).toBe(
        `not valid windows-1252 (${encoding ? 'given' : 'detected'}): byte 0x9d at line 3, column 2, byte offset 25: pass --encoding with the file's encoding.`,
      );
    }
    const lone = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('text\tlabel\r\nZoë\tgreat\r\n', 'utf16le'),
      Buffer.from([0x00, 0xd8]),
      Buffer.from('x\tother\r\n', 'utf16le'),
    ]);
    const r16 = await importFile(file('lone.csv', lone), { allowedLabels: LABELS });
    expect(rows(r16)).toEqual([[2, 'Zoë', 'great']]);
    expect(problems(r16)).toEqual([[3, 'BAD_ENCODING', 'text']]);
    expect(r16.problems[0]?.message).toContain('not valid UTF-16LE (detected): byte 0x00 at line 3, column 1');
    // A header with a bad byte is an error naming it (its columns could not be matched).
    await expect(
      importFile(file('head.csv', Buffer.from([0x74, 0xff, 0x0a, 0x61, 0x0a])), { encoding: 'utf-8' }),
    ).rejects.toThrow(
      /head\.csv: the header is not valid UTF-8 \(given\): byte 0xff at line 1, column 2, byte offset 1: pass --encoding windows-1252/,
    );
  });

  it('reads JSONL rows with bad bytes as problems too', async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"text":"Zoë","label":"great"}\n{"text":"'),
      Buffer.from([0xe2, 0x82]),
      Buffer.from('","label":"other"}\n'),
    ]);
    const r = await importFile(file('bad.jsonl', bytes), { encoding: 'utf-8', allowedLabels: LABELS });
    expect(rows(r)).toEqual([[1, 'Zoë', 'great']]);
    expect(problems(r)).toEqual([[2, 'BAD_ENCODING', 'text']]);
    expect(r.problems[0]?.offset).toBe(41);
  });

  it('reads UTF-16LE with a BOM (Excel\'s "Unicode text": tab-separated) and UTF-16BE, lines intact', async () => {
    const text = 'text\tlabel\r\nZoë: "naïve" façade\tgreat\r\n"Two\r\nlines, José"\tother\r\nMüller\t\r\n';
    const le = await importFile(
      file('unicode.txt.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])),
      { allowedLabels: LABELS },
    );
    expect(describeRead(le.read)).toBe('csv, tab-separated (detected), utf-16le with BOM (detected)');
    expect(rows(le)).toEqual([
      [2, 'Zoë: "naïve" façade', 'great'],
      [3, 'Two\r\nlines, José', 'other'],
    ]);
    expect(problems(le)).toEqual([[5, 'MISSING_LABEL', 'label']]);
    const be = Buffer.from(text, 'utf16le').swap16();
    const beRead = await importFile(file('be.csv', Buffer.concat([Buffer.from([0xfe, 0xff]), be])));
    expect(beRead.read.encoding).toEqual({ value: 'utf-16be', source: 'detected', bom: true });
    expect(beRead.dataset.hash).toBe(le.dataset.hash);
    // Given without a BOM, UTF-16LE is read as told.
    expect((await importFile(file('nobom.csv', Buffer.from(text, 'utf16le')), { encoding: 'utf-16le' })).dataset.hash).toBe(
      le.dataset.hash,
    );
  });

  it('decodes UTF-8 with a BOM, plain UTF-8 and Windows-1252 JSONL by detection', async () => {
    expect(decodeText(Buffer.from('\uFEFFtext,label\nZoë,great\n'))).toEqual({
      text: 'text,label\nZoë,great\n',
      encoding: 'utf-8',
      source: 'detected',
      bom: true,
      invalid: [],
    });
    expect(decodeText(Buffer.from('Zoë')).encoding).toBe('utf-8');
    // The whole 0x80-0x9F range of Windows-1252 (Node 20's own decoder gets it wrong).
    expect(decodeText(Buffer.from([0x80, 0x85, 0x8a, 0x91, 0x92, 0x93, 0x94, 0x96, 0x99, 0x9f, 0x81])).text).toBe(
      '€…Š‘’“”–™Ÿ\u0081',
    );
    const jsonl = await importFile(file('crm.jsonl', Buffer.from('{"text":"José Müller","label":"other"}\n', 'latin1')));
    expect(jsonl.read.encoding).toEqual({ value: 'windows-1252', source: 'detected', bom: false });
    expect(rows(jsonl)).toEqual([[1, 'José Müller', 'other']]);
  });
});

describe('.xlsx workbooks', () => {
  it("reads the first worksheet of openpyxl's workbook: accented text, numbers, dates, rows as lines", async () => {
    const r = await importFile(fx('kunden.xlsx'), { allowedLabels: LABELS });
    expect(describeRead(r.read)).toBe('xlsx, worksheet "Kunden"');
    expect(rows(r)).toEqual([
      [2, 'Zoë loved the crème brûlée', 'great'],
      [3, 'José: the café was too loud', 'other'],
      [5, 'Müller says: naïve façade, but great', 'great'],
      [7, '42', 'other'],
    ]);
    // Row 4 is empty; row 6 has no label: the problem names the spreadsheet's row.
    expect(problems(r)).toEqual([[6, 'MISSING_LABEL', 'label']]);
    expect(r.labelRewrites).toEqual([{ raw: ' Great ', label: 'great', count: 1 }]);
    const table = await readTable(fx('kunden.xlsx'));
    expect(table.columns).toEqual(['text', 'label', 'stars', 'since']);
    expect(table.rows.map((row) => [row.values.stars, row.values.since])).toEqual([
      ['5', '2024-03-01'],
      ['2', '2024-03-02T14:30:00Z'],
      ['4.5', ''],
      ['3', ''],
      ['1', ''],
    ]);
  });

  it('reads a named worksheet, and names the sheets when the one asked for is missing', async () => {
    const r = await importFile(fx('kunden.xlsx'), { sheet: 'Archiv' });
    expect(r.read.sheet).toBe('Archiv');
    expect(rows(r)).toEqual([[2, 'Señora Peña wrote twice', 'other']]);
    await expect(importFile(fx('kunden.xlsx'), { sheet: 'Sheet1' })).rejects.toThrow(
      /has no worksheet "Sheet1" \(it has "Kunden", "Archiv"\): give one of those names/,
    );
    await expect(importFile(file('fake.xlsx', 'text,label\n'))).rejects.toThrow(/is not a readable \.xlsx workbook/);
  });

  it('reads rich text, formula results, hyperlinks, booleans and error cells as the sheet shows them', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Data');
    ws.addRow(['text', 'label', 'note']);
    ws.addRow([{ richText: [{ text: 'Bold ', font: { bold: true } }, { text: 'Zoë' }] }, 'great', true]);
    ws.addRow([{ formula: 'CONCAT("Jo","sé")', result: 'José' }, { formula: 'B2', result: 'great' }, 0.25]);
    ws.addRow([{ text: 'Müller GmbH', hyperlink: 'https://example.com' }, { error: '#N/A' }, new Date(Date.UTC(2025, 0, 31))]);
    const path = join(dir, 'rich.xlsx');
    await wb.xlsx.writeFile(path);
    const r = await importFile(path, { allowedLabels: LABELS });
    expect(rows(r)).toEqual([
      [2, 'Bold Zoë', 'great'],
      [3, 'José', 'great'],
    ]);
    expect(problems(r)).toEqual([[4, 'MISSING_LABEL', 'label']]);
    expect((await readTable(path)).rows.map((row) => row.values.note)).toEqual(['TRUE', '0.25', '2025-01-31']);
  });
});
