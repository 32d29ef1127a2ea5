// Dataset versions: content-addressed (the hash is the key), their rows kept in order in a child table so any
// result can be traced to the exact examples; derived datasets (splits, K-shot samples, feedback-augmented sets)
// point at their parent.
import { insertMany } from './bulk.js';
import type { Executor } from './driver.js';
import { StoreError } from './errors.js';
import { requireRef, resolveHash } from './refs.js';
import { checkHash, checkText, fromJson, now, optionalHash, toJson } from './values.js';

/** A dataset version to save. */
export interface DatasetInput {
  /** Content hash of the rows (computed by the data layer). */
  hash: string;
  taskId: string;
  /** Role or split name: train, dev, test, k-shot-16-seed-42, … */
  role: string;
  /** Where it came from, in words: a file path, "split of <hash>", "feedback export", … */
  source: string;
  /** The dataset this one was derived from, if any. */
  parentHash?: string | null;
  /** Examples per label. */
  labelCounts: Record<string, number>;
  /** The examples, in order: any JSON the data layer writes. */
  rows: readonly unknown[];
}

/** A stored dataset version (without its rows). */
export interface DatasetRecord {
  hash: string;
  taskId: string;
  role: string;
  source: string;
  rowCount: number;
  labelCounts: Record<string, number>;
  parentHash: string | null;
  createdAt: string;
}

/** A slice of a dataset's rows by position: `[offset, offset + limit)`. */
export interface RowRange {
  offset?: number;
  limit?: number;
}

/** Dataset versions in the store. */
export interface DatasetRepository {
  /** Saves a version with its rows; saving the same hash again changes nothing (`created` is false). */
  insert(input: DatasetInput): Promise<{ dataset: DatasetRecord; created: boolean }>;
  /** The version with exactly this hash, or undefined. */
  find(hash: string): Promise<DatasetRecord | undefined>;
  /** The version a hash or unique prefix names; STORE_NOT_FOUND or STORE_AMBIGUOUS otherwise. */
  get(hashOrPrefix: string): Promise<DatasetRecord>;
  /** The rows of a version, in their original order. */
  rows(hash: string, range?: RowRange): Promise<unknown[]>;
  /** A task's versions, newest first; optionally one role only, or the ones derived from a parent. */
  list(taskId: string, filter?: { role?: string; parentHash?: string }): Promise<DatasetRecord[]>;
}

interface Row {
  hash: string;
  task_id: string;
  role: string;
  source: string;
  row_count: number;
  label_counts: string;
  parent_hash: string | null;
  created_at: string;
}

const COLUMNS = 'hash, task_id, role, source, row_count, label_counts, parent_hash, created_at';

const toRecord = (r: Row): DatasetRecord => ({
  hash: r.hash,
  taskId: r.task_id,
  role: r.role,
  source: r.source,
  rowCount: r.row_count,
  labelCounts: fromJson<Record<string, number>>(r.label_counts),
  parentHash: r.parent_hash,
  createdAt: r.created_at,
});

function checkCounts(counts: unknown): Record<string, number> {
  const ok =
    counts !== null &&
    typeof counts === 'object' &&
    !Array.isArray(counts) &&
    Object.values(counts).every((n) => Number.isInteger(n) && (n as number) >= 0);
  if (!ok) throw new StoreError('STORE_INVALID', 'dataset labelCounts must map each label to a whole number of examples.');
  return counts as Record<string, number>;
}

/** The dataset repository over one executor. */
export function datasetRepository(ex: Executor): DatasetRepository {
  const repo: DatasetRepository = {
    async insert(input) {
      const hash = checkHash(input.hash, 'dataset hash');
      const taskId = checkText(input.taskId, 'dataset taskId');
      const role = checkText(input.role, 'dataset role');
      const source = checkText(input.source, 'dataset source');
      const parentHash = optionalHash(input.parentHash, 'dataset parentHash');
      const labelCounts = checkCounts(input.labelCounts);
      if (!Array.isArray(input.rows))
        throw new StoreError('STORE_INVALID', `dataset ${hash}: rows must be an array of examples.`);
      if (parentHash === hash) throw new StoreError('STORE_INVALID', `dataset ${hash} cannot be its own parent.`);
      const rows = input.rows.map((r, i) => [hash, i, toJson(r, `dataset ${hash} row ${i}`)]);
      return ex.transaction(async (tx) => {
        await requireRef(tx, 'task', taskId, `dataset ${hash}`);
        if (parentHash) await requireRef(tx, 'dataset', parentHash, `dataset ${hash} parentHash`);
        // DO NOTHING rather than a prior SELECT: two writers saving the same version race safely.
        const { changes } = await tx.run(
          `INSERT INTO datasets (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING`,
          [hash, taskId, role, source, rows.length, toJson(labelCounts, 'labelCounts'), parentHash, now()],
        );
        if (changes === 1) await insertMany(tx, 'dataset_rows', ['dataset_hash', 'row_index', 'example'], rows);
        const dataset = (await datasetRepository(tx).find(hash)) as DatasetRecord;
        if (changes === 0 && (dataset.taskId !== taskId || dataset.rowCount !== rows.length)) {
          throw new StoreError(
            'STORE_CONFLICT',
            `dataset ${hash} is already stored for task "${dataset.taskId}" with ${dataset.rowCount} rows, but this one is for ` +
              `task "${taskId}" with ${rows.length} rows: the hash must be computed from the content (task and rows).`,
          );
        }
        return { dataset, created: changes === 1 };
      });
    },
    async find(hash) {
      const [row] = await ex.query<Row>(`SELECT ${COLUMNS} FROM datasets WHERE hash = ?`, [hash]);
      return row && toRecord(row);
    },
    async get(hashOrPrefix) {
      const hash = await resolveHash(ex, 'dataset', hashOrPrefix, 'role');
      return (await repo.find(hash)) as DatasetRecord;
    },
    async rows(hash, range = {}) {
      const offset = range.offset ?? 0;
      const end = range.limit === undefined ? Number.MAX_SAFE_INTEGER : offset + range.limit;
      // Row indexes are 0…n-1 with no gaps, so a range on the key replaces LIMIT/OFFSET (whose "no limit" differs).
      const rows = await ex.query<{ example: string }>(
        'SELECT example FROM dataset_rows WHERE dataset_hash = ? AND row_index >= ? AND row_index < ? ORDER BY row_index',
        [hash, offset, Math.min(end, 2 ** 31 - 1)],
      );
      if (rows.length === 0) await requireRef(ex, 'dataset', hash, 'rows');
      return rows.map((r) => fromJson(r.example));
    },
    async list(taskId, filter = {}) {
      const where = ['task_id = ?'];
      const params: string[] = [taskId];
      if (filter.role !== undefined) {
        where.push('role = ?');
        params.push(filter.role);
      }
      if (filter.parentHash !== undefined) {
        where.push('parent_hash = ?');
        params.push(filter.parentHash);
      }
      const rows = await ex.query<Row>(
        `SELECT ${COLUMNS} FROM datasets WHERE ${where.join(' AND ')} ORDER BY created_at DESC, hash`,
        params,
      );
      return rows.map(toRecord);
    },
  };
  return repo;
}
