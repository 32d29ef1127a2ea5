// Text files as spreadsheets and CRMs write them: the character encoding (UTF-8 with or without a BOM, UTF-16 with
// a BOM, Windows-1252 from Excel on Windows) and the CSV field delimiter (comma, semicolon where the comma is the
// decimal mark, tab, pipe). Both are detected when not given; what was used, and how, is reported with the import.
import { readCsvRecords } from './csv.js';
import { DataError } from './errors.js';

/** The encodings a text data file may be in. `latin1` reads as windows-1252, as browsers read it. */
export const TEXT_ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252', 'latin1'] as const;
export type TextEncoding = (typeof TEXT_ENCODINGS)[number];

/** The CSV field delimiters detection chooses among (in this order of preference on a tie). */
export const CSV_DELIMITERS = [',', ';', '\t', '|'] as const;
export type CsvDelimiter = (typeof CSV_DELIMITERS)[number];

/** How a setting was arrived at: passed by the caller, detected from the bytes, or the default (e.g. .tsv → tab). */
export type SettingSource = 'given' | 'detected' | 'default';

/** A decoded file: its text (without a byte-order mark), the encoding used, how it was chosen and whether a BOM was there. */
export interface DecodedText {
  text: string;
  encoding: TextEncoding;
  source: SettingSource;
  bom: boolean;
}

/** The byte-order mark each encoding may start with. */
const BOMS: { encoding: TextEncoding; bytes: number[] }[] = [
  { encoding: 'utf-8', bytes: [0xef, 0xbb, 0xbf] },
  { encoding: 'utf-16le', bytes: [0xff, 0xfe] },
  { encoding: 'utf-16be', bytes: [0xfe, 0xff] },
];

const startsWith = (buf: Uint8Array, bytes: number[]): boolean => bytes.every((b, i) => buf[i] === b);

/** A readable name of a delimiter for messages and reports. */
export function delimiterName(d: CsvDelimiter): string {
  return d === ',' ? 'comma' : d === ';' ? 'semicolon' : d === '\t' ? 'tab' : 'pipe';
}

/**
 * Decodes a file's bytes. With `encoding` that encoding is used (a BOM of it is dropped); UTF-8 that is not valid
 * is an error naming the line, so a wrong --encoding never turns characters into "\uFFFD" silently. Without it: a
 * UTF-8 or UTF-16 BOM decides; otherwise bytes that are valid UTF-8 are UTF-8, anything else is Windows-1252
 * (which decodes every byte: what Excel on Windows and most older CRMs write).
 */
export function decodeText(bytes: Uint8Array, encoding?: TextEncoding, source = 'file'): DecodedText {
  if (encoding !== undefined) {
    if (!(TEXT_ENCODINGS as readonly string[]).includes(encoding))
      throw new DataError('DATA_FORMAT', `${source}: unknown encoding "${encoding}": use one of ${TEXT_ENCODINGS.join(', ')}.`);
    const bom = BOMS.find((b) => b.encoding === encoding && startsWith(bytes, b.bytes));
    const body = bom ? bytes.subarray(bom.bytes.length) : bytes;
    if (encoding === 'utf-8') {
      try {
        return { text: new TextDecoder('utf-8', { fatal: true }).decode(body), encoding, source: 'given', bom: !!bom };
      } catch {
        throw new DataError(
          'DATA_FORMAT',
          `${source}:${lineOfFirstInvalidUtf8(body)}: not valid UTF-8: leave out the encoding to detect it, or give the file's encoding (e.g. windows-1252).`,
        );
      }
    }
    if (encoding.startsWith('utf-16') && body.length % 2 === 1)
      throw new DataError(
        'DATA_FORMAT',
        `${source}: an odd number of bytes cannot be ${encoding}: leave out the encoding to detect it, or give the file's encoding.`,
      );
    return { text: decode(body, encoding), encoding, source: 'given', bom: !!bom };
  }
  const bom = BOMS.find((b) => startsWith(bytes, b.bytes));
  if (bom)
    return {
      text: decode(bytes.subarray(bom.bytes.length), bom.encoding),
      encoding: bom.encoding,
      source: 'detected',
      bom: true,
    };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8', source: 'detected', bom: false };
  } catch {
    return { text: decode(bytes, 'windows-1252'), encoding: 'windows-1252', source: 'detected', bom: false };
  }
}

/**
 * Windows-1252 at 0x80-0x9F (€ ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ” • – — ˜ ™ š › œ ž Ÿ; the five unassigned bytes stay
 * as they are, as WHATWG says). Node 20's TextDecoder("windows-1252") decodes these bytes as ISO-8859-1 control
 * characters, so the table is applied here rather than trusted to the runtime.
 */
const CP1252_80_9F = [
  0x20ac, 0x81, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d, 0x017d, 0x8f, 0x90,
  0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x9d, 0x017e, 0x0178,
];

function decode(bytes: Uint8Array, encoding: TextEncoding): string {
  if (encoding === 'windows-1252' || encoding === 'latin1') {
    // Every byte is one character: ISO-8859-1 (what Buffer's latin1 is) except 0x80-0x9F.
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      .toString('latin1')
      .replace(/[\x80-\x9f]/g, (c) => String.fromCharCode(CP1252_80_9F[c.charCodeAt(0) - 0x80] as number));
  }
  return new TextDecoder(encoding).decode(bytes);
}

/** The 1-based line of the first byte sequence that is not UTF-8 (for the message of a wrong explicit encoding). */
function lineOfFirstInvalidUtf8(bytes: Uint8Array): number {
  // Grow a prefix by lines until it no longer decodes; a character split by a line end cannot happen (LF is ASCII).
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    try {
      decoder.decode(bytes.subarray(start, end));
    } catch {
      return line;
    }
    start = end + 1;
    line++;
  }
  return line;
}

/** What detection saw for one candidate delimiter. */
interface Candidate {
  delimiter: CsvDelimiter;
  headerFields: number;
  /** Sampled data records with as many fields as the header. */
  consistent: number;
  sampled: number;
}

/**
 * The delimiter of CSV text, from its header and first records read as CSV with each candidate (so a delimiter
 * inside quotes does not count). The candidate whose header has more than one field and whose records most often
 * have the header's field count wins; ties go to the earlier of , ; tab |. Undefined when no candidate splits the
 * header (a one-column file): the caller falls back to the comma.
 */
export function detectDelimiter(utf8: Buffer, sampleRecords = 50): CsvDelimiter | undefined {
  // A prefix is enough; a record cut at its end is left out (not final), so it cannot skew the counts.
  const prefix = utf8.length > 1 << 16 ? utf8.subarray(0, 1 << 16) : utf8;
  const final = prefix.length === utf8.length;
  let best: Candidate | undefined;
  for (const delimiter of CSV_DELIMITERS) {
    const counts: number[] = [];
    try {
      readCsvRecords(
        prefix,
        { pos: 0, line: 1 },
        final,
        'detect',
        (r) => {
          if (counts.length <= sampleRecords) counts.push(r.fields.length);
        },
        delimiter,
      );
    } catch {
      // An unclosed quote under this delimiter: it still counts by what it read before.
    }
    const [header, ...rest] = counts;
    if (header === undefined || header < 2) continue;
    const c: Candidate = {
      delimiter,
      headerFields: header,
      consistent: rest.filter((n) => n === header).length,
      sampled: rest.length,
    };
    const share = (x: Candidate): number => (x.sampled ? x.consistent / x.sampled : 1);
    if (!best || share(c) > share(best)) best = c;
  }
  return best?.delimiter;
}

/** Parses a --delimiter style value: , ; | or tab / \t. Undefined when it is none of them. */
export function parseDelimiter(value: string): CsvDelimiter | undefined {
  if (value === 'tab' || value === '\\t' || value === '\t') return '\t';
  return (CSV_DELIMITERS as readonly string[]).includes(value) ? (value as CsvDelimiter) : undefined;
}

/** Parses an encoding name, case-insensitively and with the usual spellings (utf8, cp1252, iso-8859-1). */
export function parseEncoding(value: string): TextEncoding | undefined {
  const v = value.trim().toLowerCase().replace(/_/g, '-');
  const aliases: Record<string, TextEncoding> = {
    utf8: 'utf-8',
    'utf-8': 'utf-8',
    'utf-16le': 'utf-16le',
    utf16le: 'utf-16le',
    'utf-16be': 'utf-16be',
    utf16be: 'utf-16be',
    'windows-1252': 'windows-1252',
    cp1252: 'windows-1252',
    latin1: 'latin1',
    'latin-1': 'latin1',
    'iso-8859-1': 'latin1',
  };
  return aliases[v];
}
