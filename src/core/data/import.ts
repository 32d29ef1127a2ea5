// Importing labelled data from CSV, JSONL or Parquet with a column mapping and label normalisation. Rows with
// problems are never dropped silently or altered: they are listed with their line, column, value and fix, and
// left out of the dataset; every label rewrite (synonym, case, whitespace) is recorded with its count.
import { existsSync, readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { parseCsv } from './csv.js';
import { DataError } from './errors.js';
import { type Dataset, type Example, makeDataset } from './example.js';
import { type ReadRow, csvRow, jsonlRow } from './stream.js';

/** The file formats import understands. */
export type DataFormat = 'csv' | 'jsonl' | 'parquet';

/** How file columns become example fields and labels. */
export interface ImportOptions {
  /** Default: from the file extension (.csv, .jsonl/.ndjson, .parquet). */
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
  | 'NOT_TEXT';

/** A row that was left out, and how to fix it. */
export interface RowProblem {
  line: number;
  column?: string;
  code: ProblemCode;
  /** The offending value, truncated to 80 characters. */
  value?: string;
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
  labelRewrites: LabelRewrite[];
  /** Data rows read (header excluded). */
  rowsRead: number;
}

/** The format of a file from its extension. */
export function formatOf(path: string): DataFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.parquet') return 'parquet';
  throw new DataError(
    'DATA_FORMAT',
    `${path}: cannot tell the format from "${ext || 'no extension'}": use .csv, .jsonl or .parquet, or pass the format.`,
  );
}

/** Reads a data file into a dataset plus the list of problem rows. */
export async function importFile(path: string, opts: ImportOptions = {}): Promise<ImportResult> {
  if (!existsSync(path))
    throw new DataError('DATA_FILE', `${path} not found: check the path in the task file (data.train / data.test).`);
  const format = opts.format ?? formatOf(path);
  const rows = format === 'csv' ? csvRows(path) : format === 'jsonl' ? jsonlRows(path) : await parquetRows(path);
  return toDataset(rows, path, opts);
}

/** A file's rows as column → value records, for unlabelled data (what predict reads). */
export interface Table {
  columns: string[];
  rows: { line: number; values: Record<string, unknown> }[];
  /** Rows that could not be read (wrong field count, bad JSON), left out of `rows`. */
  problems: RowProblem[];
}

/** Reads a CSV / JSONL / Parquet file without interpreting its columns. */
export async function readTable(path: string, format?: DataFormat): Promise<Table> {
  if (!existsSync(path)) throw new DataError('DATA_FILE', `${path} not found: check the path.`);
  const f = format ?? formatOf(path);
  const { columns, rows } = f === 'csv' ? csvRows(path) : f === 'jsonl' ? jsonlRows(path) : await parquetRows(path);
  return {
    columns,
    rows: rows.flatMap((r) => (r.values ? [{ line: r.line, values: r.values }] : [])),
    problems: rows.flatMap((r) => (r.problem ? [r.problem] : [])),
  };
}

function csvRows(path: string): { columns: string[]; rows: ReadRow[] } {
  const records = parseCsv(readFileSync(path, 'utf8'), path);
  const header = records[0];
  if (!header) throw new DataError('DATA_FORMAT', `${path} is empty: it needs a header row (e.g. text,label) and data rows.`);
  const columns = header.fields.map((c) => c.trim());
  return { columns, rows: records.slice(1).map((r) => csvRow(columns, r)) };
}

function jsonlRows(path: string): { columns: string[]; rows: ReadRow[] } {
  const columns = new Set<string>();
  const rows: ReadRow[] = [];
  readFileSync(path, 'utf8')
    .replace(/^\uFEFF/, '')
    .split('\n')
    .forEach((text, i) => {
      const row = jsonlRow(text, i + 1);
      if (!row) return;
      for (const k of Object.keys(row.values ?? {})) columns.add(k);
      rows.push(row);
    });
  return { columns: [...columns], rows };
}

async function parquetRows(path: string): Promise<{ columns: string[]; rows: ReadRow[] }> {
  let objects: Record<string, unknown>[];
  try {
    objects = (await parquetReadObjects({ file: await asyncBufferFromFile(path) })) as Record<string, unknown>[];
  } catch (e) {
    throw new DataError('DATA_FORMAT', `${path} is not a readable Parquet file (${(e as Error).message}).`);
  }
  const columns = [...new Set(objects.flatMap((o) => Object.keys(o)))];
  return { columns, rows: objects.map((values, i) => ({ line: i + 1, values })) };
}

/** Trim and collapse inner whitespace. */
const tidy = (s: string): string => s.trim().replace(/\s+/g, ' ');

/** Turns raw rows into examples, collecting problems and label rewrites. */
function toDataset(read: { columns: string[]; rows: ReadRow[] }, path: string, opts: ImportOptions): ImportResult {
  const inputs = opts.inputs ?? { text: 'text' };
  const labelColumn = opts.labelColumn ?? 'label';
  const wanted = [...Object.values(inputs), labelColumn];
  const absent = wanted.filter((c) => !read.columns.includes(c));
  if (absent.length && read.rows.some((r) => r.values)) {
    throw new DataError(
      'DATA_COLUMNS',
      `${path} has no column ${absent.map((c) => `"${c}"`).join(', ')} (it has ${read.columns.join(', ')}): map the columns (inputs[].column / data.labelColumn in the task file).`,
    );
  }
  const synonyms = new Map(Object.entries(opts.synonyms ?? {}).map(([k, v]) => [tidy(k).toLowerCase(), v]));
  const allowed = opts.allowedLabels ? new Map(opts.allowedLabels.map((l) => [l.toLowerCase(), l])) : undefined;
  const rewrites = new Map<string, LabelRewrite>();
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
  if (opts.strict && problems.length) {
    const shown = problems.slice(0, 5).map((p) => `  line ${p.line}${p.column ? ` (${p.column})` : ''}: ${p.code}: ${p.message}`);
    throw new DataError(
      'DATA_STRICT',
      `${path}: ${problems.length} problem row(s):\n${shown.join('\n')}${problems.length > 5 ? '\n  ...' : ''}`,
    );
  }
  return { dataset: makeDataset(examples, path), problems, labelRewrites: [...rewrites.values()], rowsRead: read.rows.length };
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
