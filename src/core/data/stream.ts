// Reading a CSV or JSONL file row by row in chunks, for files of any size: memory holds one chunk (plus one row
// that spans chunks), each row comes with its line and the byte offset just after it, and reading can start
// again at any such offset (resumable jobs). Rows are interpreted exactly as import and predict read them.
import { open } from 'node:fs/promises';
import { type CsvCursor, type CsvRecord, csvBomLength, readCsvRecords } from './csv.js';
import { DataError } from './errors.js';
import { checkDataPath, checkTextFile } from './file-check.js';
import type { RowProblem } from './import.js';

/** A row read from a file: its values by column, or the problem that made it unreadable. */
export interface ReadRow {
  line: number;
  values?: Record<string, unknown>;
  problem?: RowProblem;
}

/** A streamed row: a ReadRow plus the position just after it in the file (where reading may resume). */
export interface StreamedRow extends ReadRow {
  next: StreamPosition;
}

/** Where to (re)start reading: a byte offset just after a row, and the line that follows it. */
export interface StreamPosition {
  offset: number;
  line: number;
}

/** How openRowStream reads. */
export interface RowStreamOptions {
  /** Start here instead of at the first data row (an earlier StreamedRow's `next`). */
  from?: StreamPosition;
  /** Bytes per read (default 1 MiB). */
  chunkBytes?: number;
  /** A row longer than this is an error, not a reason to hold the rest of the file (default 64 MiB). */
  maxRowBytes?: number;
}

/** An opened file: its columns (CSV: the header; JSONL: none up front) and its rows from the start position. */
export interface RowStream {
  format: 'csv' | 'jsonl';
  /** The CSV header's columns (trimmed); undefined for JSONL, where each row has its own keys. */
  columns: string[] | undefined;
  /** Where the first data row starts (after the BOM and the CSV header). */
  dataStart: StreamPosition;
  /** The rows from `from` (default dataStart); the file is opened per call and closed when the loop ends. */
  rows(): AsyncGenerator<StreamedRow>;
}

/** Opens a CSV or JSONL file for streaming; reads the CSV header now. */
export async function openRowStream(path: string, format: 'csv' | 'jsonl', opts: RowStreamOptions = {}): Promise<RowStream> {
  const chunkBytes = opts.chunkBytes ?? 1 << 20;
  const maxRowBytes = opts.maxRowBytes ?? 64 << 20;
  checkDataPath(path);
  checkTextFile(path, format);
  const head = await readPrefix(path, 3);
  const bom = csvBomLength(head);
  let columns: string[] | undefined;
  let dataStart: StreamPosition = { offset: bom, line: 1 };
  if (format === 'csv') {
    for await (const { item, next } of chunks(path, dataStart, chunkBytes, maxRowBytes, csvParser(path))) {
      columns = item.fields.map((c) => c.trim());
      dataStart = next;
      break;
    }
    if (!columns) throw new DataError('DATA_FORMAT', `${path} is empty: it needs a header row (e.g. text,label) and data rows.`);
  }
  const start = opts.from ?? dataStart;
  const header = columns;
  async function* rows(): AsyncGenerator<StreamedRow> {
    if (header) {
      for await (const { item, next } of chunks(path, start, chunkBytes, maxRowBytes, csvParser(path)))
        yield { ...csvRow(header, item), next };
    } else {
      for await (const { item, next } of chunks(path, start, chunkBytes, maxRowBytes, readJsonlLines)) {
        const row = jsonlRow(item.text, item.line);
        if (row) yield { ...row, next };
      }
    }
  }
  return { format, columns, dataStart, rows };
}

/** One chunk parser signature for CSV records and JSONL lines. */
type ChunkParser<T> = (buf: Buffer, at: CsvCursor, final: boolean, emit: (item: T, next: CsvCursor) => void) => CsvCursor;

const csvParser =
  (path: string): ChunkParser<CsvRecord> =>
  (buf, at, final, emit) =>
    readCsvRecords(buf, at, final, path, emit);

/** A CSV record as a row of `columns`, or a WRONG_FIELD_COUNT problem (`delimiter`: the file's, for the fix). */
export function csvRow(columns: readonly string[], r: CsvRecord, delimiter = ','): ReadRow {
  if (r.fields.length !== columns.length) {
    const name = delimiter === ',' ? 'commas' : delimiter === ';' ? 'semicolons' : delimiter === '\t' ? 'tabs' : 'pipes';
    const example = delimiter === '\t' ? 'a<tab>b' : `a${delimiter} b`;
    return {
      line: r.line,
      problem: {
        line: r.line,
        code: 'WRONG_FIELD_COUNT',
        value: r.fields.join(delimiter).slice(0, 80),
        message: `${r.fields.length} fields where the header has ${columns.length}: quote fields that contain ${name} ("${example}").`,
      },
    };
  }
  return { line: r.line, values: Object.fromEntries(columns.map((c, i) => [c, r.fields[i]])) };
}

/** One JSONL line as a row, a BAD_JSON / NOT_AN_OBJECT problem, or undefined for a blank line. */
export function jsonlRow(text: string, line: number): ReadRow | undefined {
  if (!text.trim()) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return {
      line,
      problem: { line, code: 'BAD_JSON', value: text.slice(0, 80), message: `not valid JSON (${(e as Error).message}).` },
    };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return {
      line,
      problem: {
        line,
        code: 'NOT_AN_OBJECT',
        value: text.slice(0, 80),
        message: 'each line must be one JSON object such as {"text": "...", "label": "..."}.',
      },
    };
  return { line, values: value as Record<string, unknown> };
}

/** Splits bytes into lines the way readCsvRecords splits records (a last line without LF waits unless final). */
const readJsonlLines: ChunkParser<{ line: number; text: string }> = (buf, at, final, emit) => {
  let i = at.pos;
  let line = at.line;
  while (i < buf.length) {
    const lf = buf.indexOf(0x0a, i);
    if (lf < 0 && !final) break;
    const end = lf < 0 ? buf.length : lf + 1;
    emit({ line, text: buf.toString('utf8', i, lf < 0 ? buf.length : lf) }, { pos: end, line: line + 1 });
    i = end;
    line++;
  }
  return { pos: i, line };
};

/** The first `n` bytes of a file (fewer if it is shorter). */
async function readPrefix(path: string, n: number): Promise<Buffer> {
  const fh = await openFile(path);
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

async function openFile(path: string): ReturnType<typeof open> {
  try {
    return await open(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new DataError('DATA_FILE', `${path} not found: check the path.`);
    throw e;
  }
}

/**
 * Feeds a file to `parse` chunk by chunk from `from`, carrying an unfinished item over to the next chunk, and
 * yields each item with the absolute position after it. When a chunk completes no item, the next read is as large as
 * what is carried, so one long row costs linear, not quadratic, work.
 */
async function* chunks<T>(
  path: string,
  from: StreamPosition,
  chunkBytes: number,
  maxRowBytes: number,
  parse: ChunkParser<T>,
): AsyncGenerator<{ item: T; next: StreamPosition }> {
  const fh = await openFile(path);
  try {
    let carry = Buffer.alloc(0);
    let base = from.offset;
    let line = from.line;
    let want = chunkBytes;
    for (;;) {
      const chunk = Buffer.allocUnsafe(want);
      const { bytesRead } = await fh.read(chunk, 0, want, base + carry.length);
      const final = bytesRead === 0;
      const buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      const items: { item: T; next: StreamPosition }[] = [];
      const at = parse(buf, { pos: 0, line }, final, (item, n) =>
        items.push({ item, next: { offset: base + n.pos, line: n.line } }),
      );
      yield* items;
      if (final) return;
      carry = buf.subarray(at.pos);
      base += at.pos;
      line = at.line;
      if (carry.length > maxRowBytes)
        throw new DataError(
          'DATA_FORMAT',
          `${path}:${line}: a row longer than ${maxRowBytes >> 20} MiB: probably a quoted field that is never closed (inner quotes are written "").`,
        );
      want = items.length ? chunkBytes : Math.max(chunkBytes, carry.length);
    }
  } finally {
    await fh.close();
  }
}
