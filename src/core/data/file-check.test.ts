// A data path that is a directory or a binary file is one message naming the file, never EISDIR or a "header" of
// binary bytes.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DataError, importFile, openRowStream, readTable } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'pt-file-check-'));
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const errorOf = async (p: Promise<unknown>): Promise<DataError> => {
  const e = await p.catch((x: unknown) => x);
  expect(e).toBeInstanceOf(DataError);
  return e as DataError;
};

describe('data files that are not text files', () => {
  it('a directory is named as one, whatever reads it', async () => {
    const path = join(dir, 'data.csv');
    mkdirSync(path);
    const message = `${path} is a directory, not a data file: give a data file in it (.csv, .tsv, .jsonl, .parquet or .xlsx).`;
    for (const p of [importFile(path), readTable(path), openRowStream(path, 'csv'), importFile(dir)]) {
      const e = await errorOf(p);
      expect(e.code).toBe('DATA_FILE');
      if (e.file === path) expect(e.message).toBe(message);
      else expect(e.message).toContain('is a directory, not a data file');
    }
  });

  it('a PNG, a gzip file or NUL bytes named .csv/.jsonl: what it is, and no bytes of it in the message', async () => {
    const png = join(dir, 'train.csv');
    writeFileSync(png, PNG);
    const e = await errorOf(importFile(png, { allowedLabels: ['a', 'b'] }));
    expect([e.code, e.message]).toEqual(['DATA_FORMAT', `${png} is a PNG image, not CSV text: give a CSV, TSV or JSONL file.`]);
    const gz = join(dir, 'train.jsonl');
    writeFileSync(gz, gzipSync('{"text":"a","label":"b"}\n'));
    expect((await errorOf(readTable(gz))).message).toBe(
      `${gz} is gzip-compressed, not JSONL text: decompress it first (gunzip), then import the file inside.`,
    );
    const nul = join(dir, 'nul.csv');
    writeFileSync(nul, Buffer.from([0x74, 0x65, 0x78, 0x74, 0x00, 0x01, 0x02, 0x0a]));
    expect((await errorOf(openRowStream(nul, 'csv'))).message).toBe(
      `${nul} is binary (it has NUL bytes), not CSV text: give a CSV or TSV text file.`,
    );
    // UTF-16 has NUL bytes and is text.
    const utf16 = join(dir, 'u16.csv');
    writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('text,label\na,b\n', 'utf16le')]));
    expect((await importFile(utf16)).dataset.examples).toHaveLength(1);
  });
});
