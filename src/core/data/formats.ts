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

/** A byte (sequence) that is no character in the encoding the file was read with: where it is, for the problem row. */
export interface InvalidByte {
  /** Byte offset in the file (a BOM counted). */
  offset: number;
  /** 1-based line and character column. */
  line: number;
  column: number;
  /** The byte at `offset`. */
  byte: number;
}

/** A decoded file: its text (without a byte-order mark), the encoding used, how it was chosen and whether a BOM was there. */
export interface DecodedText {
  text: string;
  encoding: TextEncoding;
  source: SettingSource;
  bom: boolean;
  /**
   * Bytes that are no character in `encoding` (in order): in `text` they are U+FFFD (UTF-8, UTF-16) or the C1
   * control of the same number (Windows-1252's five unassigned bytes), so import lists their rows as problems
   * instead of storing them.
   */
  invalid: InvalidByte[];
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
 * Decodes a file's bytes. With `encoding` that encoding is used (a BOM of it is dropped). Without it: a UTF-8 or
 * UTF-16 BOM decides; otherwise bytes that are valid UTF-8 are UTF-8, and so are bytes with more valid multi-byte
 * UTF-8 characters than invalid bytes (a UTF-8 file with a few bad bytes, which Windows-1252 would turn into
 * "Ã©" everywhere); anything else is Windows-1252 (what Excel on Windows and most older CRMs write). Bytes that are
 * no character in the encoding used are listed in `invalid`, never silently turned into "\uFFFD".
 */
export function decodeText(bytes: Uint8Array, encoding?: TextEncoding, source = 'file'): DecodedText {
  if (encoding !== undefined) {
    if (!(TEXT_ENCODINGS as readonly string[]).includes(encoding))
      throw new DataError('DATA_FORMAT', `${source}: unknown encoding "${encoding}": use one of ${TEXT_ENCODINGS.join(', ')}.`);
    const bom = BOMS.find((b) => b.encoding === encoding && startsWith(bytes, b.bytes));
    if (encoding.startsWith('utf-16') && bytes.length % 2 === 1)
      throw new DataError(
        'DATA_FORMAT',
        `${source}: an odd number of bytes cannot be ${encoding}: leave out the encoding to detect it, or give the file's encoding.`,
      );
    return decoded(bytes, encoding, 'given', bom ? bom.bytes.length : 0);
  }
  const bom = BOMS.find((b) => startsWith(bytes, b.bytes));
  if (bom) return decoded(bytes, bom.encoding, 'detected', bom.bytes.length);
  const { invalid, multiByte } = scanUtf8(bytes);
  return decoded(bytes, invalid.length <= multiByte ? 'utf-8' : 'windows-1252', 'detected', 0);
}

function decoded(bytes: Uint8Array, encoding: TextEncoding, source: SettingSource, bomLength: number): DecodedText {
  const body = bytes.subarray(bomLength);
  const bad =
    encoding === 'utf-8'
      ? scanUtf8(body).invalid
      : encoding === 'utf-16le' || encoding === 'utf-16be'
        ? scanUtf16(body, encoding === 'utf-16le')
        : scanCp1252(body);
  return {
    text: decode(body, encoding),
    encoding,
    source,
    bom: bomLength > 0,
    invalid: positions(body, bad, encoding, bomLength),
  };
}

/** Windows-1252's unassigned bytes: no character, so a file with them is not Windows-1252 (or has bad bytes). */
const CP1252_UNDEFINED = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);

/** The offsets of Windows-1252's unassigned bytes. */
function scanCp1252(b: Uint8Array): number[] {
  const invalid: number[] = [];
  for (let i = 0; i < b.length; i++) if (CP1252_UNDEFINED.has(b[i] as number)) invalid.push(i);
  return invalid;
}

/** The offsets where a maximal invalid UTF-8 subsequence starts, and how many valid multi-byte characters there are. */
function scanUtf8(b: Uint8Array): { invalid: number[]; multiByte: number } {
  const invalid: number[] = [];
  let multiByte = 0;
  let i = 0;
  while (i < b.length) {
    const c = b[i] as number;
    if (c < 0x80) {
      i++;
      continue;
    }
    const len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    // The second byte's range excludes overlong forms, surrogates and code points above U+10FFFF.
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    let k = 1;
    while (k < len) {
      const d = b[i + k];
      if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) break;
      k++;
    }
    if (len && k === len) multiByte++;
    else invalid.push(i);
    i += k;
  }
  return { invalid, multiByte };
}

/** The offsets of unpaired surrogates (and of a last odd byte) in UTF-16. */
function scanUtf16(b: Uint8Array, le: boolean): number[] {
  const unit = (i: number): number =>
    le ? (b[i] as number) | ((b[i + 1] as number) << 8) : ((b[i] as number) << 8) | (b[i + 1] as number);
  const invalid: number[] = [];
  const even = b.length & ~1;
  for (let i = 0; i < even; i += 2) {
    const u = unit(i);
    if (u >= 0xd800 && u <= 0xdbff && i + 2 < even && (unit(i + 2) & 0xfc00) === 0xdc00) i += 2;
    else if (u >= 0xd800 && u <= 0xdfff) invalid.push(i);
  }
  if (b.length % 2) invalid.push(b.length - 1);
  return invalid;
}

/** Line and column of each bad offset (sorted), counting characters of `encoding` from the line's start. */
function positions(body: Uint8Array, bad: number[], encoding: TextEncoding, bomLength: number): InvalidByte[] {
  if (!bad.length) return [];
  const utf16 = encoding === 'utf-16le' || encoding === 'utf-16be';
  const step = utf16 ? 2 : 1;
  const lf = (i: number): boolean =>
    utf16
      ? body[i + (encoding === 'utf-16le' ? 0 : 1)] === 0x0a && body[i + (encoding === 'utf-16le' ? 1 : 0)] === 0
      : body[i] === 0x0a;
  const set = new Set(bad);
  // A character starts at every byte but UTF-8 continuation bytes; each invalid sequence shows as one character.
  const starts = (i: number): boolean => encoding !== 'utf-8' || ((body[i] as number) & 0xc0) !== 0x80 || set.has(i);
  const out: InvalidByte[] = [];
  let line = 1;
  let column = 1;
  let i = 0;
  for (const offset of bad) {
    for (; i < offset; i += step) {
      if (lf(i)) {
        line++;
        column = 1;
      } else if (starts(i)) column++;
    }
    out.push({ offset: offset + bomLength, line, column, byte: body[offset] as number });
  }
  return out;
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
