// An RFC 4180 CSV reader: quoted fields, doubled quotes, newlines inside quotes, CRLF, a leading BOM, and a field
// delimiter other than the comma (; tab |). Every record keeps the line it starts on, so problems can name it. It
// works on UTF-8 bytes, not text: the bytes it looks for (" , ; tab | CR LF) never occur inside a multi-byte character, so a streaming reader can hand it any chunk
// and still learn the exact byte offset where each record ends (what resuming from the middle of a file needs).
import { DataError } from './errors.js';

/** One record with the 1-based line it starts on. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** Where parsing stands in a buffer: the byte to read next and the line it is on. */
export interface CsvCursor {
  pos: number;
  line: number;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** Parses CSV text into records (the header is the first record); `delimiter` is one ASCII character. */
export function parseCsv(text: string, source = 'csv', delimiter = ','): CsvRecord[] {
  const records: CsvRecord[] = [];
  const buf = Buffer.from(text, 'utf8');
  readCsvRecords(buf, { pos: csvBomLength(buf), line: 1 }, true, source, (r) => records.push(r), delimiter);
  return records;
}

/** 3 when the bytes start with a UTF-8 byte-order mark (which is no part of the first field), else 0. */
export function csvBomLength(buf: Uint8Array): number {
  return buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
}

/**
 * Parses the records of `buf` from `at`, calling `emit` with each and the cursor just after it. Unless
 * `final`, it stops before a record that might continue in the next chunk (no line end yet) and returns where
 * that record starts, so the caller can prepend it to the next chunk.
 */
export function readCsvRecords(
  buf: Buffer,
  at: CsvCursor,
  final: boolean,
  source: string,
  emit: (record: CsvRecord, next: CsvCursor) => void,
  /** The field delimiter: one ASCII character (default ","). */
  delimiter = ',',
): CsvCursor {
  const sep = delimiter.charCodeAt(0);
  if (delimiter.length !== 1 || sep > 0x7f || sep === QUOTE || sep === LF || sep === CR)
    throw new DataError('DATA_FORMAT', `${source}: the delimiter must be one ASCII character other than " and line ends.`);
  const n = buf.length;
  let i = at.pos;
  let line = at.line;
  let start = line;
  let recordStart = i;
  let partial = false;
  records: while (i < n) {
    start = line;
    recordStart = i;
    const fields: string[] = [];
    for (;;) {
      let value = '';
      if (buf[i] === QUOTE) {
        i++;
        for (;;) {
          const q = buf.indexOf(QUOTE, i);
          if (q < 0) {
            partial = !final;
            if (partial) break records;
            throw new DataError(
              'DATA_FORMAT',
              `${source}:${start}: a quoted field is never closed: add the closing " (inner quotes are written "").`,
            );
          }
          for (let k = i; k < q; k++) if (buf[k] === LF) line++;
          value += buf.toString('utf8', i, q);
          i = q + 1;
          if (buf[i] === QUOTE) {
            value += '"';
            i++;
          } else break;
        }
        // Anything between the closing quote and the separator is kept, as lenient readers do.
        const end = nextBreak(buf, i, sep);
        value += buf.toString('utf8', i, end);
        i = end;
      } else {
        const end = nextBreak(buf, i, sep);
        value = buf.toString('utf8', i, end);
        i = end;
      }
      fields.push(value);
      if (buf[i] === sep) {
        i++;
        continue;
      }
      break;
    }
    // Without a line end the record may go on in the next chunk (even after a closing quote: it may be the
    // first of a doubled quote); a CR at the end waits for a possible LF, so positions fall after whole CRLFs.
    partial = !final && (i === n || (buf[i] === CR && i + 1 === n));
    if (partial) break;
    if (buf[i] === CR) i++;
    if (buf[i] === LF) {
      i++;
      line++;
    }
    // A blank line is no record.
    if (!(fields.length === 1 && fields[0] === '')) emit({ line: start, fields }, { pos: i, line });
  }
  return partial ? { pos: recordStart, line: start } : { pos: i, line };
}

/** Index of the next field separator `sep` or line end at or after `i`. */
function nextBreak(buf: Buffer, i: number, sep: number): number {
  for (let k = i; k < buf.length; k++) {
    const c = buf[k];
    if (c === sep || c === LF || c === CR) return k;
  }
  return buf.length;
}

/** One CSV line (RFC 4180): fields with commas, quotes or line breaks are quoted, quotes doubled. */
export function csvLine(fields: readonly unknown[]): string {
  return fields
    .map((f) => {
      const s = f === null || f === undefined ? '' : typeof f === 'object' ? JSON.stringify(f) : String(f);
      return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    })
    .join(',');
}
