// Excel workbooks (.xlsx, as Excel, LibreOffice, Google Sheets and openpyxl write them) read through exceljs: one
// worksheet (the first, or one named), its first non-empty row as the header, every later row keyed by it. Cells
// become the text a person sees: rich text its characters, a formula its cached result, a number its decimal
// form, a date ISO 8601 (a date alone YYYY-MM-DD). Lines are the sheet's row numbers, so a problem names the row
// a person finds in the spreadsheet.
import type { CellValue, Worksheet } from 'exceljs';
import { DataError } from './errors.js';
import type { ReadRow } from './stream.js';

/** A worksheet's columns and rows, and the sheet read. */
export interface SheetRows {
  sheet: string;
  columns: string[];
  rows: ReadRow[];
}

/** Reads one worksheet of an .xlsx file: `sheet` by name, else the first. */
export async function readXlsx(path: string, sheet?: string): Promise<SheetRows> {
  // exceljs is loaded only when a workbook is read: it is large, and most imports are CSV.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.readFile(path);
  } catch (e) {
    throw new DataError(
      'DATA_FORMAT',
      `${path} is not a readable .xlsx workbook (${(e as Error).message}): save it from the spreadsheet as "Excel Workbook (.xlsx)" (.xls and .ods are not read), or export it as CSV.`,
    );
  }
  const names = workbook.worksheets.map((w) => w.name);
  let ws: Worksheet | undefined;
  if (sheet !== undefined) {
    ws = workbook.worksheets.find((w) => w.name === sheet);
    if (!ws)
      throw new DataError(
        'DATA_FORMAT',
        `${path} has no worksheet "${sheet}" (it has ${names.map((n) => `"${n}"`).join(', ') || 'none'}): give one of those names.`,
      );
  } else ws = workbook.worksheets[0];
  if (!ws)
    throw new DataError('DATA_FORMAT', `${path} has no worksheet: it needs a header row (e.g. text, label) and data rows.`);
  let columns: string[] | undefined;
  const rows: ReadRow[] = [];
  ws.eachRow({ includeEmpty: false }, (row) => {
    // row.values is 1-based (index 0 is empty); a row whose cells are all blank is no record, as a blank CSV line.
    const cells = (row.values as CellValue[]).slice(1).map(cellText);
    if (cells.every((c) => c.trim() === '')) return;
    if (!columns) {
      columns = cells.map((c) => c.trim());
      return;
    }
    const values: Record<string, string> = {};
    columns.forEach((c, i) => {
      if (c !== '' || cells[i]) values[c] = cells[i] ?? '';
    });
    rows.push({ line: row.number, values });
  });
  if (!columns)
    throw new DataError(
      'DATA_FORMAT',
      `${path}: worksheet "${ws.name}" is empty: it needs a header row (e.g. text, label) and data rows.`,
    );
  return { sheet: ws.name, columns, rows };
}

/** The text of a cell value as the spreadsheet shows it (error cells such as #N/A read as empty). */
export function cellText(v: CellValue | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (v instanceof Date) return isoDate(v);
  if ('richText' in v) return v.richText.map((r) => r.text).join('');
  if ('formula' in v || 'sharedFormula' in v) {
    const result = (v as { result?: CellValue }).result;
    return result === undefined ? '' : cellText(result);
  }
  if ('error' in v) return '';
  if ('text' in v) return typeof v.text === 'string' ? v.text : cellText(v.text as CellValue);
  return '';
}

/** ISO 8601: the date alone when the time is midnight (a date cell), else date and time in UTC (as Excel has no zone). */
function isoDate(d: Date): string {
  if (Number.isNaN(d.getTime())) return '';
  const iso = d.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.replace('.000Z', 'Z');
}
