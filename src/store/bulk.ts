// Multi-row INSERTs in chunks: one statement per few hundred rows is what makes 10k metric points or a whole
// dataset fast on both databases, and the chunk keeps the placeholders under SQLite's and PostgreSQL's limits.
import type { Executor, SqlValue } from './driver.js';

// 4000 placeholders per statement: far below SQLite's 32766 and PostgreSQL's 65535.
const MAX_PARAMS = 4000;

/** Inserts `rows` (each with one value per column) into `table`; `suffix` may add an ON CONFLICT clause. */
export async function insertMany(
  ex: Executor,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly SqlValue[])[],
  suffix = '',
): Promise<void> {
  const perChunk = Math.max(1, Math.floor(MAX_PARAMS / columns.length));
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  for (let start = 0; start < rows.length; start += perChunk) {
    const chunk = rows.slice(start, start + perChunk);
    const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array(chunk.length).fill(tuple).join(', ')}${suffix ? ` ${suffix}` : ''}`;
    await ex.run(sql, chunk.flat());
  }
}
