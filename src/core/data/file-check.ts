// Before a data file is read: it must exist, be a file (not a directory), and, to be read as CSV or JSONL, be
// text. A PNG or a gzip archive is named for what it is, instead of failing with EISDIR or printing its bytes as a
// "header" to the terminal.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { DataError } from './errors.js';
import type { TextEncoding } from './formats.js';

/** File signatures that say a file is not CSV/JSONL, and what to do instead. */
const SIGNATURES: { bytes: number[]; what: string; fix: string }[] = [
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: 'a PNG image', fix: 'give a CSV, TSV or JSONL file' },
  { bytes: [0xff, 0xd8, 0xff], what: 'a JPEG image', fix: 'give a CSV, TSV or JSONL file' },
  { bytes: [0x47, 0x49, 0x46, 0x38], what: 'a GIF image', fix: 'give a CSV, TSV or JSONL file' },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document', fix: 'export the table as CSV' },
  { bytes: [0x1f, 0x8b], what: 'gzip-compressed', fix: 'decompress it first (gunzip), then import the file inside' },
  { bytes: [0x42, 0x5a, 0x68], what: 'bzip2-compressed', fix: 'decompress it first (bunzip2)' },
  { bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], what: 'xz-compressed', fix: 'decompress it first (unxz)' },
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], what: 'zstd-compressed', fix: 'decompress it first (unzstd)' },
  {
    bytes: [0x50, 0x4b, 0x03, 0x04],
    what: 'a zip archive (an .xlsx workbook is one)',
    fix: 'name a workbook .xlsx (or set data.format: xlsx), or unzip the archive',
  },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0], what: 'an old Excel .xls workbook', fix: 'save it as .xlsx or CSV' },
  { bytes: [0x50, 0x41, 0x52, 0x31], what: 'a Parquet file', fix: 'name it .parquet (or set data.format: parquet)' },
  { bytes: [...Buffer.from('SQLite format 3')], what: 'an SQLite database', fix: 'export the table as CSV' },
];

/** How much of a file is sniffed for binary content. */
const SNIFF_BYTES = 4096;

/** Throws a DataError naming the file when it is missing (`notFound` is the fix) or a directory. */
export function checkDataPath(path: string, notFound = 'check the path'): void {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch {
    throw new DataError('DATA_FILE', `${path} not found: ${notFound}.`, { file: path, fix: notFound });
  }
  if (stat.isDirectory()) {
    const fix = 'give a data file in it (.csv, .tsv, .jsonl, .parquet or .xlsx)';
    throw new DataError('DATA_FILE', `${path} is a directory, not a data file: ${fix}.`, { file: path, fix });
  }
}

/**
 * Throws a DataError naming the file when, read as `format` csv or jsonl, it is binary: a known signature, or NUL
 * bytes in its first 4 KiB outside UTF-16. Other formats, and files that are not regular files, are not looked at.
 */
export function checkTextFile(path: string, format: string, encoding?: TextEncoding): void {
  // Only regular files: a pipe or /dev/stdin would lose the bytes sniffed.
  if ((format !== 'csv' && format !== 'jsonl') || !statSync(path, { throwIfNoEntry: false })?.isFile()) return;
  const head = Buffer.alloc(SNIFF_BYTES);
  const fd = openSync(path, 'r');
  let n: number;
  try {
    n = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  const bytes = head.subarray(0, n);
  const known = SIGNATURES.find((s) => s.bytes.every((b, i) => bytes[i] === b));
  const utf16 =
    encoding?.startsWith('utf-16') || (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
  if (!known && (utf16 || !bytes.includes(0))) return;
  const what = known?.what ?? 'binary (it has NUL bytes)';
  const fix = known?.fix ?? `give a ${format === 'csv' ? 'CSV or TSV' : 'JSONL'} text file`;
  throw new DataError('DATA_FORMAT', `${path} is ${what}, not ${format === 'csv' ? 'CSV' : 'JSONL'} text: ${fix}.`, {
    file: path,
    fix,
  });
}
