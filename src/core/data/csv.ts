// An RFC 4180 CSV reader: quoted fields, doubled quotes, newlines inside quotes, CRLF, a leading BOM. Every
// record keeps the line it starts on, so problems can name it.
import { DataError } from './errors.js';

/** One record with the 1-based line it starts on. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** Parses CSV text into records (the header is the first record). */
export function parseCsv(text: string, source = 'csv'): CsvRecord[] {
  const records: CsvRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    for (;;) {
      let value = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q < 0)
            throw new DataError(
              'DATA_FORMAT',
              `${source}:${start}: a quoted field is never closed: add the closing " (inner quotes are written "").`,
            );
          const chunk = text.slice(i, q);
          for (let k = chunk.indexOf('\n'); k >= 0; k = chunk.indexOf('\n', k + 1)) line++;
          value += chunk;
          i = q + 1;
          if (text[i] === '"') {
            value += '"';
            i++;
          } else break;
        }
        // Anything between the closing quote and the separator is kept, as lenient readers do.
        const end = nextBreak(text, i);
        value += text.slice(i, end);
        i = end;
      } else {
        const end = nextBreak(text, i);
        value = text.slice(i, end);
        i = end;
      }
      fields.push(value);
      if (text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') {
      i++;
      line++;
    }
    // A blank line is no record.
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: start, fields });
  }
  return records;
}

/** Index of the next field separator or line end at or after `i`. */
function nextBreak(text: string, i: number): number {
  for (let k = i; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 44 || c === 10 || c === 13) return k;
  }
  return text.length;
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
