// Prompt versions: content-addressed like git commits (the hash is the key), each pointing at the version it was
// edited from, so a prompt's history is the chain of parents. The spec (template and verbalizer) is opaque here.
import type { Executor } from './driver.js';
import { StoreError } from './errors.js';
import { requireRef, resolveHash } from './refs.js';
import { checkHash, checkText, fromJson, now, optionalHash, optionalText, toJson } from './values.js';

/** A prompt version to save. */
export interface PromptVersionInput {
  /** Content hash of the spec (promptHash from the prompts layer). */
  hash: string;
  taskId: string;
  /** A human name for the prompt line, e.g. "sentiment-cloze"; versions of one prompt share it. */
  name: string;
  /** The version this one was edited from. */
  parentHash?: string | null;
  author?: string | null;
  note?: string | null;
  /** The template and verbalizer, as the prompts layer defines them. */
  spec: unknown;
}

/** A stored prompt version. */
export interface PromptVersion {
  hash: string;
  taskId: string;
  name: string;
  parentHash: string | null;
  author: string | null;
  note: string | null;
  spec: unknown;
  createdAt: string;
}

/** Prompt versions in the store. */
export interface PromptRepository {
  /** Saves a version; saving the same hash again changes nothing (`created` is false). */
  save(input: PromptVersionInput): Promise<{ version: PromptVersion; created: boolean }>;
  /** The version with exactly this hash, or undefined. */
  find(hash: string): Promise<PromptVersion | undefined>;
  /** The version a hash or unique prefix (at least 4 digits) names; STORE_NOT_FOUND or STORE_AMBIGUOUS otherwise. */
  get(hashOrPrefix: string): Promise<PromptVersion>;
  /** A version and its ancestors, newest first: the version, its parent, the parent's parent, … */
  history(hashOrPrefix: string): Promise<PromptVersion[]>;
  /** A task's versions, newest first; optionally only those of one name. */
  list(taskId: string, filter?: { name?: string }): Promise<PromptVersion[]>;
}

interface Row {
  hash: string;
  task_id: string;
  name: string;
  parent_hash: string | null;
  author: string | null;
  note: string | null;
  spec: string;
  created_at: string;
}

const COLUMNS = 'hash, task_id, name, parent_hash, author, note, spec, created_at';

const PREFIXED = COLUMNS.split(', ')
  .map((c) => `p.${c}`)
  .join(', ');

const toVersion = (r: Row): PromptVersion => ({
  hash: r.hash,
  taskId: r.task_id,
  name: r.name,
  parentHash: r.parent_hash,
  author: r.author,
  note: r.note,
  spec: fromJson(r.spec),
  createdAt: r.created_at,
});

// Parents are saved before children and hashes never change, so the chain has no cycles; the cap is a backstop.
const MAX_HISTORY = 10_000;

/** The prompt repository over one executor. */
export function promptRepository(ex: Executor): PromptRepository {
  const repo: PromptRepository = {
    async save(input) {
      const hash = checkHash(input.hash, 'prompt hash');
      const taskId = checkText(input.taskId, 'prompt taskId');
      const name = checkText(input.name, 'prompt name');
      const parentHash = optionalHash(input.parentHash, 'prompt parentHash');
      if (parentHash === hash) throw new StoreError('STORE_INVALID', `prompt version ${hash} cannot be its own parent.`);
      const row = [
        hash,
        taskId,
        name,
        parentHash,
        optionalText(input.author, 'prompt author'),
        optionalText(input.note, 'prompt note'),
        toJson(input.spec, `prompt ${hash} spec`),
        now(),
      ];
      return ex.transaction(async (tx) => {
        await requireRef(tx, 'task', taskId, `prompt ${hash}`);
        if (parentHash) await requireRef(tx, 'prompt', parentHash, `prompt ${hash} parentHash`);
        const { changes } = await tx.run(
          `INSERT INTO prompts (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING`,
          row,
        );
        const version = (await promptRepository(tx).find(hash)) as PromptVersion;
        if (changes === 0 && version.taskId !== taskId) {
          throw new StoreError(
            'STORE_CONFLICT',
            `prompt version ${hash} is already stored for task "${version.taskId}", not "${taskId}": a prompt shared by two tasks needs a hash that includes the task.`,
          );
        }
        return { version, created: changes === 1 };
      });
    },
    async find(hash) {
      const [row] = await ex.query<Row>(`SELECT ${COLUMNS} FROM prompts WHERE hash = ?`, [hash]);
      return row && toVersion(row);
    },
    async get(hashOrPrefix) {
      const hash = await resolveHash(ex, 'prompt', hashOrPrefix, 'name');
      return (await repo.find(hash)) as PromptVersion;
    },
    async history(hashOrPrefix) {
      const hash = await resolveHash(ex, 'prompt', hashOrPrefix, 'name');
      // WITH RECURSIVE is the same in SQLite and PostgreSQL: walk parent links from the version down to the root.
      const rows = await ex.query<Row>(
        `WITH RECURSIVE chain (hash, depth) AS (
           SELECT hash, 0 FROM prompts WHERE hash = ?
           UNION ALL
           SELECT p.parent_hash, chain.depth + 1 FROM prompts p JOIN chain ON p.hash = chain.hash
           WHERE p.parent_hash IS NOT NULL AND chain.depth < ?
         )
         SELECT ${PREFIXED} FROM chain JOIN prompts p ON p.hash = chain.hash ORDER BY chain.depth`,
        [hash, MAX_HISTORY],
      );
      return rows.map(toVersion);
    },
    async list(taskId, filter = {}) {
      const byName = filter.name !== undefined;
      const rows = await ex.query<Row>(
        `SELECT ${COLUMNS} FROM prompts WHERE task_id = ?${byName ? ' AND name = ?' : ''} ORDER BY created_at DESC, hash`,
        byName ? [taskId, filter.name as string] : [taskId],
      );
      return rows.map(toVersion);
    },
  };
  return repo;
}
