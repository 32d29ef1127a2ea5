// Importing labelled data from CSV/TSV, JSONL, Parquet or Excel (.xlsx) with a column mapping and label
// normalisation; text files in the usual encodings, CSV with the usual delimiters (formats.ts). Rows with
// problems are never dropped silently or altered: they are listed with their line, column, value and fix, and
// left out of the dataset; every label rewrite (synonym, case, whitespace) is recorded with its count.
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { type CsvRecord, readCsvRecords } from './csv.js';
import { DataError } from './errors.js';
import { type Dataset, type Example, makeDataset } from './example.js';
import { checkDataPath, checkTextFile } from './file-check.js';
import {
  type CsvDelimiter,
  type DecodedText,
  type InvalidByte,
  type SettingSource,
  type TextEncoding,
  decodeText,
  delimiterName,
  detectDelimiter,
} from './formats.js';
import { type ProblemSummary, labelMismatch, problemLine, problemLines, summarizeProblems } from './problems.js';
import { type ReadRow, csvRow, jsonlRow } from './stream.js';
import { readXlsx } from './xlsx.js';

/** The file formats import understands (a .tsv file is CSV with the tab as delimiter). */
export type DataFormat = 'csv' | 'jsonl' | 'parquet' | 'xlsx';

/** How a file's bytes are read; each setting applies only to the formats it names and is ignored by the others. */
export interface ReadOptions {
  /** CSV: the field delimiter (default: detected among , ; tab |; a .tsv file: tab). */
  delimiter?: CsvDelimiter;
  /** CSV and JSONL: the character encoding (default: detected: BOM, else UTF-8 if valid, else Windows-1252). */
  encoding?: TextEncoding;
  /** .xlsx: the worksheet to read (default: the first). */
  sheet?: string;
}

/** How a file was read: what import used, and whether each setting was given, detected or the default. */
export interface ReadInfo {
  format: DataFormat;
  delimiter?: { value: CsvDelimiter; source: SettingSource };
  encoding?: { value: TextEncoding; source: SettingSource; bom: boolean };
  /** .xlsx: the worksheet read. */
  sheet?: string;
}

/** How file columns become example fields and labels. */
export interface ImportOptions extends ReadOptions {
  /** Default: from the file extension (.csv/.tsv, .jsonl/.ndjson, .parquet, .xlsx). */
  format?: DataFormat;
  /** Input field → column (default { text: 'text' }). */
  inputs?: Record<string, string>;
  /** The label column (default 'label'). */
  labelColumn?: string;
  /** Several labels per row, split on `labelSeparator` (default '|'). */
  multiLabel?: boolean;
  labelSeparator?: string;
  /** Raw value → label, matched after trimming and case-insensitively (e.g. { "5": "positive", pos: "positive" }). */
  synonyms?: Record<string, string>;
  /** The task's labels: values are matched case-insensitively; anything else is an UNKNOWN_LABEL problem. */
  allowedLabels?: readonly string[];
  /** Any problem becomes an error (default: report and leave the row out). */
  strict?: boolean;
}

/** Why a row was left out. */
export type ProblemCode =
  | 'EMPTY_TEXT'
  | 'MISSING_LABEL'
  | 'UNKNOWN_LABEL'
  | 'WRONG_FIELD_COUNT'
  | 'BAD_JSON'
  | 'NOT_AN_OBJECT'
  | 'NOT_TEXT'
  | 'BAD_ENCODING';

/** A row that was left out, and how to fix it. */
export interface RowProblem {
  line: number;
  column?: string;
  code: ProblemCode;
  /** The offending value, truncated to 80 characters (BAD_ENCODING: the byte, e.g. "0x80"). */
  value?: string;
  /** BAD_ENCODING: the byte offset in the file of the first byte that is no character. */
  offset?: number;
  message: string;
}

/** A label rewrite applied during import. */
export interface LabelRewrite {
  raw: string;
  label: string;
  count: number;
}

/** What import produced. */
export interface ImportResult {
  dataset: Dataset;
  problems: RowProblem[];
  /** The problems most rows share, each said once with the cure (print with problemLines). */
  summaries: ProblemSummary[];
  labelRewrites: LabelRewrite[];
  /** Data rows read (header excluded). */
  rowsRead: number;
  /** The delimiter, encoding or worksheet used. */
  read: ReadInfo;
}

/** One line saying how a file was read, e.g. "csv, semicolon-separated (detected), windows-1252 (detected)". */
export function describeRead(info: ReadInfo): string {
  const parts: string[] = [info.format];
  if (info.delimiter) parts.push(`${delimiterName(info.delimiter.value)}-separated (${info.delimiter.source})`);
  if (info.encoding) parts.push(`${info.encoding.value}${info.encoding.bom ? ' with BOM' : ''} (${info.encoding.source})`);
  if (info.sheet !== undefined) parts.push(`worksheet "${info.sheet}"`);
  return parts.join(', ');
}

/** The format of a file from its extension. */
export function formatOf(path: string): DataFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv' || ext === '.tsv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.parquet') return 'parquet';
  if (ext === '.xlsx') return 'xlsx';
  throw new DataError(
    'DATA_FORMAT',
    `${path}: cannot tell the format from "${ext || 'no extension'}": use .csv, .tsv, .jsonl, .parquet or .xlsx, or pass the format.`,
  );
}

/** Reads a data file into a dataset plus the list of problem rows. */
export async function importFile(path: string, opts: ImportOptions = {}): Promise<ImportResult> {
  checkDataPath(path, 'check the path in the task file (data.train / data.test)');
  const format = opts.format ?? formatOf(path);
  checkTextFile(path, format, opts.encoding);
  const rows = await readRows(path, format, opts);
  return { ...toDataset(rows, path, opts), read: rows.read };
}

/** A file's columns and rows in any format, and how it was read. */
async function readRows(path: string, format: DataFormat, opts: ReadOptions): Promise<Read> {
  if (format === 'csv') return csvRows(path, opts);
  if (format === 'jsonl') return jsonlRows(path, opts);
  if (format === 'xlsx') {
    const { sheet, columns, rows } = await readXlsx(path, opts.sheet);
    return { columns, rows, read: { format, sheet } };
  }
  return parquetRows(path);
}

interface Read {
  columns: string[];
  rows: ReadRow[];
  read: ReadInfo;
}

/** A file's rows as column → value records, for unlabelled data (what predict reads). */
export interface Table {
  columns: string[];
  rows: { line: number; values: Record<string, unknown> }[];
  /** Rows that could not be read (wrong field count, bad JSON), left out of `rows`. */
  problems: RowProblem[];
  /** The delimiter, encoding or worksheet used. */
  read: ReadInfo;
}

/** Reads a CSV / TSV / JSONL / Parquet / .xlsx file without interpreting its columns. */
export async function readTable(path: string, format?: DataFormat, opts: ReadOptions = {}): Promise<Table> {
  checkDataPath(path);
  const f = format ?? formatOf(path);
  checkTextFile(path, f, opts.encoding);
  const { columns, rows, read } = await readRows(path, f, opts);
  return {
    read,
    columns,
    rows: rows.flatMap((r) => (r.values ? [{ line: r.line, values: r.values }] : [])),
    problems: rows.flatMap((r) => (r.problem ? [r.problem] : [])),
  };
}

/**
 * The columns of a CSV/TSV file's header, read from its first 64 KiB with the same encoding and delimiter detection
 * as import (for checks that should not read a whole file); undefined for other formats or a missing file.
 */
export function csvHeader(path: string, opts: ReadOptions = {}): string[] | undefined {
  const ext = extname(path).toLowerCase();
  if ((ext !== '.csv' && ext !== '.tsv') || !existsSync(path) || !statSync(path).isFile()) return undefined;
  const fd = openSync(path, 'r');
  let bytes: Buffer;
  let whole: boolean;
  try {
    const buf = Buffer.alloc(1 << 16);
    bytes = buf.subarray(0, readSync(fd, buf, 0, buf.length, 0));
    whole = bytes.length < buf.length;
  } finally {
    closeSync(fd);
  }
  if (!whole) {
    // Cut where no character can be split: UTF-16 at an even length, anything else after the last LF.
    const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
    bytes =
      utf16 || opts.encoding?.startsWith('utf-16')
        ? bytes.subarray(0, bytes.length & ~1)
        : bytes.subarray(0, bytes.lastIndexOf(0x0a) + 1 || bytes.length);
  }
  const utf8 = Buffer.from(decodeText(bytes, opts.encoding, path).text, 'utf8');
  const delimiter = opts.delimiter ?? (ext === '.tsv' ? '\t' : (detectDelimiter(utf8) ?? ','));
  let header: string[] | undefined;
  try {
    readCsvRecords(
      utf8,
      { pos: 0, line: 1 },
      whole,
      path,
      (r) => {
        header ??= r.fields.map((c) => c.trim());
      },
      delimiter,
    );
  } catch {
    // A quote never closed: no header to check.
  }
  return header;
}

function csvRows(path: string, opts: ReadOptions): Read {
  const bytes = readFileSync(path);
  const decoded = decodeText(bytes, opts.encoding, path);
  // The parser reads UTF-8 bytes: valid UTF-8 as it is (after its BOM), anything else re-encoded, which keeps every
  // line break, so line numbers are the file's own.
  const utf8 = decoded.encoding === 'utf-8' ? bytes.subarray(decoded.bom ? 3 : 0) : Buffer.from(decoded.text, 'utf8');
  let delimiter: { value: CsvDelimiter; source: SettingSource };
  if (opts.delimiter !== undefined) delimiter = { value: opts.delimiter, source: 'given' };
  else if (extname(path).toLowerCase() === '.tsv') delimiter = { value: '\t', source: 'default' };
  else {
    const found = detectDelimiter(utf8);
    delimiter = found ? { value: found, source: 'detected' } : { value: ',', source: 'default' };
  }
  const records: CsvRecord[] = [];
  readCsvRecords(utf8, { pos: 0, line: 1 }, true, path, (r) => records.push(r), delimiter.value);
  const header = records[0];
  if (!header) throw new DataError('DATA_FORMAT', `${path} is empty: it needs a header row (e.g. text,label) and data rows.`);
  // A record holds the lines from its own to the next record's; bytes that are no character make it a problem.
  const bad = badBytesByRecord(
    records.map((r) => r.line),
    decoded.invalid,
  );
  const headerBad = bad.get(0);
  if (headerBad) {
    const { message, fix } = encodingProblem(decoded, headerBad);
    throw new DataError('DATA_FORMAT', `${path}: the header is ${message}.`, { file: path, fix });
  }
  const columns = header.fields.map((c) => c.trim());
  return {
    columns,
    rows: records.slice(1).map((r, i) => {
      const invalid = bad.get(i + 1);
      if (!invalid) return csvRow(columns, r, delimiter.value);
      const field = r.fields.findIndex((f) => BAD_CHAR.test(f));
      return { line: r.line, problem: badEncodingRow(decoded, r.line, invalid, columns[field]) };
    }),
    read: {
      format: 'csv',
      delimiter,
      encoding: { value: decoded.encoding, source: decoded.source, bom: decoded.bom },
    },
  };
}

function jsonlRows(path: string, opts: ReadOptions): Read {
  const columns = new Set<string>();
  const rows: ReadRow[] = [];
  const decoded = decodeText(readFileSync(path), opts.encoding, path);
  const badLines = new Map<number, InvalidByte[]>();
  for (const b of decoded.invalid) {
    const list = badLines.get(b.line);
    if (list) list.push(b);
    else badLines.set(b.line, [b]);
  }
  decoded.text.split('\n').forEach((text, i) => {
    const invalid = badLines.get(i + 1);
    let row = jsonlRow(text, i + 1);
    if (row && invalid) {
      const column = Object.entries(row.values ?? {}).find(([, v]) => typeof v === 'string' && BAD_CHAR.test(v))?.[0];
      row = { line: i + 1, problem: badEncodingRow(decoded, i + 1, invalid, column) };
    }
    if (!row) return;
    for (const k of Object.keys(row.values ?? {})) columns.add(k);
    rows.push(row);
  });
  return {
    columns: [...columns],
    rows,
    read: { format: 'jsonl', encoding: { value: decoded.encoding, source: decoded.source, bom: decoded.bom } },
  };
}

/** What bytes that are no character become in the decoded text (U+FFFD, or Windows-1252's unassigned bytes). */
const BAD_CHAR = /[\uFFFD\x81\x8D\x8F\x90\x9D]/;

/** The bad bytes of each record (by index), given the line each record starts on (sorted) and the bytes (sorted). */
function badBytesByRecord(starts: readonly number[], invalid: readonly InvalidByte[]): Map<number, InvalidByte[]> {
  const out = new Map<number, InvalidByte[]>();
  let r = 0;
  for (const b of invalid) {
    while (r + 1 < starts.length && (starts[r + 1] as number) <= b.line) r++;
    const list = out.get(r);
    if (list) list.push(b);
    else out.set(r, [b]);
  }
  return out;
}

/** Where the first bad byte of a row is, in words, and the fix for the encoding it was read with. */
function encodingProblem(decoded: DecodedText, invalid: readonly InvalidByte[]): { message: string; fix: string } {
  const b = invalid[0] as InvalidByte;
  const hex = `0x${b.byte.toString(16).padStart(2, '0')}`;
  const name = decoded.encoding === 'latin1' ? 'windows-1252' : decoded.encoding;
  const fix =
    decoded.encoding === 'utf-8'
      ? "pass --encoding windows-1252 (or the file's encoding)"
      : `pass --encoding with the file's encoding${name === 'windows-1252' ? '' : ' (e.g. windows-1252)'}`;
  return {
    message: `not valid ${name.startsWith('utf') ? name.toUpperCase() : name} (${decoded.source}): byte ${hex} at line ${b.line}, column ${b.column}, byte offset ${b.offset}: ${fix}`,
    fix,
  };
}

/** A row with bytes that are no character: listed and left out, never stored with "\uFFFD" in it. */
function badEncodingRow(decoded: DecodedText, line: number, invalid: readonly InvalidByte[], column?: string): RowProblem {
  const b = invalid[0] as InvalidByte;
  return {
    line,
    ...(column !== undefined ? { column } : {}),
    code: 'BAD_ENCODING',
    value: `0x${b.byte.toString(16).padStart(2, '0')}`,
    offset: b.offset,
    message: `${encodingProblem(decoded, invalid).message}.`,
  };
}

async function parquetRows(path: string): Promise<Read> {
  let objects: Record<string, unknown>[];
  try {
    objects = (await parquetReadObjects({ file: await asyncBufferFromFile(path) })) as Record<string, unknown>[];
  } catch (e) {
    throw new DataError('DATA_FORMAT', `${path} is not a readable Parquet file (${(e as Error).message}).`);
  }
  const columns = [...new Set(objects.flatMap((o) => Object.keys(o)))];
  return { columns, rows: objects.map((values, i) => ({ line: i + 1, values })), read: { format: 'parquet' } };
}

/** What a file's label column holds, next to the task's labels. */
export interface LabelCheck {
  /** Values that are none of the task's labels (after synonyms), most frequent first. */
  unknown: string[];
  /** The task's labels the file uses. */
  known: string[];
  /** When some values are unknown: the file's labels next to the task's, with the cure (see labelMismatch). */
  message?: string;
}

/**
 * Reads a file's label column and compares its distinct values with `allowedLabels` the way import matches them
 * (trimmed, case-insensitive, after synonyms; multi-label cells split): what `task check` reports before an import.
 */
export async function checkLabels(path: string, opts: ImportOptions & { allowedLabels: readonly string[] }): Promise<LabelCheck> {
  const table = await readTable(path, opts.format, opts);
  const column = opts.labelColumn ?? 'label';
  if (table.columns.length && !table.columns.includes(column)) {
    const fix = 'name the label column in data.labelColumn';
    throw new DataError('DATA_COLUMNS', `${path} has no column "${column}" (it has ${shownColumns(table.columns)}): ${fix}.`, {
      file: path,
      fix,
    });
  }
  const synonyms = new Map(Object.entries(opts.synonyms ?? {}).map(([k, v]) => [tidy(k).toLowerCase(), v]));
  const allowed = new Map(opts.allowedLabels.map((l) => [l.toLowerCase(), l]));
  const unknown = new Map<string, number>();
  const known = new Set<string>();
  for (const { values } of table.rows) {
    const raw = values[column];
    if (raw === undefined || raw === null) continue;
    const parts = opts.multiLabel ? String(raw).split(opts.labelSeparator ?? '|') : [String(raw)];
    for (const part of parts.map(tidy).filter(Boolean)) {
      const match = allowed.get((synonyms.get(part.toLowerCase()) ?? part).toLowerCase());
      if (match) known.add(match);
      else unknown.set(part, (unknown.get(part) ?? 0) + 1);
    }
  }
  const values = [...unknown].sort((a, b) => b[1] - a[1]).map(([v]) => v);
  return {
    unknown: values,
    known: [...known],
    ...(values.length ? { message: labelMismatch(values, [...known], opts.allowedLabels) } : {}),
  };
}

/** Trim and collapse inner whitespace. */
const tidy = (s: string): string => s.trim().replace(/\s+/g, ' ');

/** Turns raw rows into examples, collecting problems and label rewrites. */
function toDataset(read: Read, path: string, opts: ImportOptions): Omit<ImportResult, 'read'> {
  const inputs = opts.inputs ?? { text: 'text' };
  const labelColumn = opts.labelColumn ?? 'label';
  const wanted = [...Object.values(inputs), labelColumn];
  const absent = wanted.filter((c) => !read.columns.includes(c));
  // Checked whenever there are columns (a CSV header alone has them; JSONL's come from its readable rows).
  if (absent.length && read.columns.length) {
    const fix = 'map the columns (inputs[].column / data.labelColumn in the task file)';
    throw new DataError(
      'DATA_COLUMNS',
      `${path} has no column ${absent.map((c) => `"${c}"`).join(', ')} (it has ${shownColumns(read.columns)}): ${fix}.`,
      { file: path, fix },
    );
  }
  const synonyms = new Map(Object.entries(opts.synonyms ?? {}).map(([k, v]) => [tidy(k).toLowerCase(), v]));
  const allowed = opts.allowedLabels ? new Map(opts.allowedLabels.map((l) => [l.toLowerCase(), l])) : undefined;
  const rewrites = new Map<string, LabelRewrite>();
  const known = new Set<string>();
  const problems: RowProblem[] = [];
  const examples: Example[] = [];
  const source = basename(path);
  const normalise = (raw: string, line: number): string | RowProblem => {
    const cleaned = tidy(raw);
    let label = synonyms.get(cleaned.toLowerCase()) ?? cleaned;
    if (allowed) {
      const match = allowed.get(label.toLowerCase());
      if (!match) {
        const near = closest(label, [...allowed.values()]);
        return {
          line,
          column: labelColumn,
          code: 'UNKNOWN_LABEL',
          value: raw.slice(0, 80),
          message: `"${raw}" is not a label of the task (${[...allowed.values()].join(', ')})${near ? `: did you mean "${near}"? Add it to data.labelSynonyms` : ': map it in data.labelSynonyms'}.`,
        };
      }
      label = match;
      known.add(match);
    }
    if (label !== raw) {
      const key = `${raw}\u0000${label}`;
      const r = rewrites.get(key) ?? { raw, label, count: 0 };
      r.count++;
      rewrites.set(key, r);
    }
    return label;
  };
  for (const row of read.rows) {
    if (row.problem) {
      problems.push(row.problem);
      continue;
    }
    const values = row.values as Record<string, unknown>;
    const fields: Record<string, string> = {};
    let problem: RowProblem | undefined;
    for (const [field, column] of Object.entries(inputs)) {
      const v = values[column];
      if (v !== undefined && v !== null && typeof v !== 'string') {
        problem = {
          line: row.line,
          column,
          code: 'NOT_TEXT',
          value: JSON.stringify(v).slice(0, 80),
          message: `"${column}" must be text, got ${typeof v}.`,
        };
        break;
      }
      if (typeof v !== 'string' || !v.trim()) {
        problem = {
          line: row.line,
          column,
          code: 'EMPTY_TEXT',
          value: String(v ?? ''),
          message: `"${column}" is empty: fill it in or remove the row.`,
        };
        break;
      }
      fields[field] = v;
    }
    if (!problem) {
      const rawLabel = values[labelColumn];
      const rawText = rawLabel === undefined || rawLabel === null ? '' : String(rawLabel);
      const parts = opts.multiLabel ? rawText.split(opts.labelSeparator ?? '|').filter((p) => p.trim()) : [rawText];
      if (!opts.multiLabel && !rawText.trim()) {
        problem = {
          line: row.line,
          column: labelColumn,
          code: 'MISSING_LABEL',
          value: rawText,
          message: `no label in "${labelColumn}": label the row or remove it.`,
        };
      } else {
        const labels: string[] = [];
        for (const p of parts) {
          const l = normalise(p, row.line);
          if (typeof l !== 'string') {
            problem = l;
            break;
          }
          if (!labels.includes(l)) labels.push(l);
        }
        if (!problem) examples.push({ id: `${source}:${row.line}`, inputs: fields, labels, line: row.line });
      }
    }
    if (problem) problems.push(problem);
  }
  const rowsRead = read.rows.length;
  const summaries = summarizeProblems(problems, { rowsRead, taskLabels: opts.allowedLabels, knownLabels: [...known] });
  if (!examples.length) throw noUsableRows(path, wanted, { problems, summaries, rowsRead });
  if (opts.strict && problems.length) {
    const shown = problems.slice(0, 5).map((p) => `  line ${p.line}${p.column ? ` (${p.column})` : ''}: ${p.code}: ${p.message}`);
    throw new DataError(
      'DATA_STRICT',
      `${path}: ${problems.length} problem row(s):\n${shown.join('\n')}${problems.length > 5 ? '\n  ...' : ''}`,
    );
  }
  return { dataset: makeDataset(examples, path), problems, summaries, labelRewrites: [...rewrites.values()], rowsRead };
}

/** The error for a file with no row to import: what most rows share (with the cure) and a few of them. */
function noUsableRows(
  path: string,
  wanted: readonly string[],
  r: { problems: RowProblem[]; summaries: ProblemSummary[]; rowsRead: number },
): DataError {
  if (!r.rowsRead) {
    const fix = `add labelled rows (${wanted.join(', ')}) under the header`;
    return new DataError('DATA_EMPTY', `${path} has no data rows: ${fix}.`, { file: path, fix });
  }
  const all = r.summaries.length === 1 && r.summaries[0]?.count === r.rowsRead ? r.summaries[0] : undefined;
  const fix = all?.message ?? 'fix the rows listed (or remove them) and import again';
  const lines = all
    ? [
        ...r.problems.slice(0, 3).map(problemLine),
        ...(r.problems.length > 3 ? [`… ${r.problems.length - 3} more problem rows`] : []),
      ]
    : problemLines(r, 5);
  return new DataError(
    'DATA_EMPTY',
    `${path}: none of its ${r.rowsRead} rows can be imported${all ? `: ${all.message}` : ''}:\n${lines.map((l) => `  ${l}`).join('\n')}`,
    { file: path, fix },
  );
}

/** A file's columns for a message: at most 20, each as JSON when it has control characters or U+FFFD. */
function shownColumns(columns: readonly string[]): string {
  const shown = columns.slice(0, 20).map((c) => (/[\p{C}\uFFFD]/u.test(c) ? JSON.stringify(c.slice(0, 40)) : c));
  return `${shown.join(', ')}${columns.length > 20 ? `, … ${columns.length - 20} more` : ''}`;
}

/** The candidate within edit distance 2 of `s` (case-insensitive), if any. */
function closest(s: string, candidates: string[]): string | undefined {
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const d = editDistance(s.toLowerCase(), c.toLowerCase());
    if (d <= 2 && (!best || d < best.d)) best = { c, d };
  }
  return best?.c;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(
        (prev[j] as number) + 1,
        (cur[j - 1] as number) + 1,
        (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return prev[b.length] as number;
}
