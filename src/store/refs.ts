// References between records: checked before writing so a missing task, dataset, prompt or run is named in the
// error (a foreign-key failure would not say which), and short hashes resolved the way git resolves them.
import type { Executor } from './driver.js';
import { StoreError } from './errors.js';

const KINDS = {
  task: { table: 'tasks', key: 'id', fix: 'save it first with store.tasks.upsert(task)' },
  dataset: { table: 'datasets', key: 'hash', fix: 'save it first with store.datasets.insert(…)' },
  prompt: { table: 'prompts', key: 'hash', fix: 'save it first with store.prompts.save(…)' },
  run: { table: 'runs', key: 'id', fix: 'check the id (store.runs.list() shows them)' },
} as const;

/** What a reference points at. */
export type RefKind = keyof typeof KINDS;

/** Fails with STORE_NOT_FOUND unless the record exists; `what` says which field refers to it. */
export async function requireRef(ex: Executor, kind: RefKind, key: string, what: string): Promise<void> {
  const k = KINDS[kind];
  const rows = await ex.query(`SELECT 1 AS found FROM ${k.table} WHERE ${k.key} = ?`, [key]);
  if (rows.length === 0) throw new StoreError('STORE_NOT_FOUND', `${what}: ${kind} "${key}" is not in the store: ${k.fix}.`);
}

/** Shortest prefix accepted for a content hash. */
export const MIN_PREFIX = 4;

/**
 * The full hash that `prefix` starts, like git's short hashes: unknown → STORE_NOT_FOUND, several →
 * STORE_AMBIGUOUS listing them (with `label`, e.g. the prompt's name) so the caller can pick.
 */
export async function resolveHash(ex: Executor, kind: 'dataset' | 'prompt', prefix: string, label: string): Promise<string> {
  const k = KINDS[kind];
  const p = prefix.trim().toLowerCase();
  if (!/^[0-9a-f]+$/.test(p) || p.length < MIN_PREFIX) {
    throw new StoreError(
      'STORE_INVALID',
      `${JSON.stringify(prefix)} is not a ${kind} hash or prefix: give at least ${MIN_PREFIX} hex digits of the hash.`,
    );
  }
  const rows = await ex.query<{ hash: string; label: string; created_at: string }>(
    `SELECT ${k.key} AS hash, ${label} AS label, created_at FROM ${k.table} WHERE substr(${k.key}, 1, ?) = ? ORDER BY ${k.key} LIMIT 11`,
    [p.length, p],
  );
  const first = rows[0];
  if (!first) throw new StoreError('STORE_NOT_FOUND', `no ${kind} version starts with "${p}": list them to find the hash.`);
  if (rows.length === 1) return first.hash;
  const shown = rows.slice(0, 10).map((r) => `  ${r.hash.slice(0, 12)}  ${r.label}  ${r.created_at}`);
  throw new StoreError(
    'STORE_AMBIGUOUS',
    `"${p}" starts ${rows.length > 10 ? 'more than 10' : rows.length} ${kind} versions; give more digits:\n${shown.join('\n')}`,
  );
}
