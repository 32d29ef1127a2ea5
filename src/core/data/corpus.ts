// Unlabelled text for continued pre-training: plain-text files (paragraphs become passages) or a column of a
// CSV / JSONL / Parquet file, cut into passages of at most `maxWords` words so each fits a model's input.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { DataError } from './errors.js';
import { readTable } from './import.js';

/** How to read a corpus. */
export interface CorpusOptions {
  /** Column holding the text in table files (default "text"). */
  column?: string;
  /** Longest passage in words (default 200: about 256 word pieces). */
  maxWords?: number;
  /** Passages shorter than this many words are dropped (default 5). */
  minWords?: number;
}

const TABLE = new Set(['.csv', '.jsonl', '.ndjson', '.parquet']);

/** Reads passages from files and directories (recursively: .txt, .md and table files). */
export async function readCorpus(paths: readonly string[], opts: CorpusOptions = {}): Promise<string[]> {
  const maxWords = opts.maxWords ?? 200;
  const minWords = opts.minWords ?? 5;
  const out: string[] = [];
  for (const file of paths.flatMap(expand)) {
    const ext = extname(file).toLowerCase();
    let docs: string[];
    if (TABLE.has(ext)) {
      const column = opts.column ?? 'text';
      const t = await readTable(file);
      if (!t.columns.includes(column))
        throw new DataError(
          'DATA_COLUMNS',
          `${file} has no column "${column}" (columns: ${t.columns.join(', ')}): name the text column with --column`,
        );
      docs = t.rows.map((r) => String(r.values[column] ?? ''));
    } else {
      docs = readFileSync(file, 'utf8').split(/\n\s*\n|\r\n\s*\r\n/);
    }
    for (const doc of docs) {
      const words = doc.split(/\s+/).filter(Boolean);
      for (let i = 0; i < words.length; i += maxWords) {
        const piece = words.slice(i, i + maxWords);
        if (piece.length >= minWords) out.push(piece.join(' '));
      }
    }
  }
  if (!out.length)
    throw new DataError(
      'DATA_TOO_SMALL',
      `no text found in ${paths.join(', ')}: give .txt/.md files or a table with a text column`,
    );
  return out;
}

function expand(path: string): string[] {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch {
    throw new DataError('DATA_FILE', `${path} not found: give text files or directories`);
  }
  if (!st.isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((f) => {
      const p = join(path, f);
      const ext = extname(f).toLowerCase();
      return statSync(p).isDirectory() ? expand(p) : ext === '.txt' || ext === '.md' || TABLE.has(ext) ? [p] : [];
    });
}
