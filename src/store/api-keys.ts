// API keys for the model server. The secret is shown once, when the key is made; the store keeps only its
// sha256 (a 256-bit random secret needs no slow hash: nobody can guess one to match), the scopes it grants and
// its own rate limit.
import { createHash, randomBytes } from 'node:crypto';
import type { Executor } from './driver.js';
import { StoreError } from './errors.js';
import { checkText, fromJson, newId, now, toJson } from './values.js';

/** What a key may do: predict, send feedback, or administer (models, keys, reviews). */
export type ApiKeyScope = 'predict' | 'feedback' | 'admin';

/** Every scope, in the order help texts list them. */
export const API_KEY_SCOPES: readonly ApiKeyScope[] = ['predict', 'feedback', 'admin'];

/** A stored key, without its secret. */
export interface ApiKey {
  id: string;
  name: string;
  scopes: ApiKeyScope[];
  /** Requests per minute this key may make; null: the server's default. */
  ratePerMinute: number | null;
  createdAt: string;
  revokedAt: string | null;
}

/** API keys in the store. */
export interface ApiKeyRepository {
  /** Makes a key; the returned secret is not stored and cannot be shown again. */
  create(input: { name: string; scopes: ApiKeyScope[]; ratePerMinute?: number | null }): Promise<{ key: ApiKey; secret: string }>;
  /** The live (not revoked) key whose secret this is, or undefined. */
  verify(secret: string): Promise<ApiKey | undefined>;
  /** Every key, newest first. */
  list(): Promise<ApiKey[]>;
  /** Revokes a key by id or name; STORE_NOT_FOUND when there is none. */
  revoke(idOrName: string): Promise<ApiKey>;
}

interface Row {
  id: string;
  name: string;
  scopes: string;
  rate_per_minute: number | null;
  created_at: string;
  revoked_at: string | null;
}

const COLUMNS = 'id, name, scopes, rate_per_minute, created_at, revoked_at';

const toKey = (r: Row): ApiKey => ({
  id: r.id,
  name: r.name,
  scopes: fromJson<ApiKeyScope[]>(r.scopes),
  ratePerMinute: r.rate_per_minute === null ? null : Number(r.rate_per_minute),
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});

/** The stored digest of a key's secret. */
export const hashApiKey = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** The API key repository over one executor. */
export function apiKeyRepository(ex: Executor): ApiKeyRepository {
  return {
    async create(input) {
      const name = checkText(input.name, 'API key name');
      const scopes = [...new Set(input.scopes)];
      const bad = scopes.filter((s) => !API_KEY_SCOPES.includes(s));
      if (!scopes.length || bad.length)
        throw new StoreError(
          'STORE_INVALID',
          `API key scopes ${JSON.stringify(input.scopes)}: give one or more of ${API_KEY_SCOPES.join(', ')}.`,
        );
      const rate = input.ratePerMinute ?? null;
      if (rate !== null && !(Number.isInteger(rate) && rate > 0))
        throw new StoreError(
          'STORE_INVALID',
          `API key ratePerMinute ${rate}: expected a whole number > 0 (null: server default).`,
        );
      const [clash] = await ex.query<{ id: string }>('SELECT id FROM api_keys WHERE name = ? AND revoked_at IS NULL', [name]);
      if (clash)
        throw new StoreError('STORE_CONFLICT', `an API key named "${name}" exists: revoke it first or pick another name.`);
      const secret = `ptk_${randomBytes(32).toString('base64url')}`;
      const id = newId('key');
      await ex.run(
        'INSERT INTO api_keys (id, name, key_hash, scopes, rate_per_minute, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, NULL)',
        [id, name, hashApiKey(secret), toJson(scopes, 'API key scopes'), rate, now()],
      );
      const [row] = await ex.query<Row>(`SELECT ${COLUMNS} FROM api_keys WHERE id = ?`, [id]);
      return { key: toKey(row as Row), secret };
    },
    async verify(secret) {
      const [row] = await ex.query<Row>(`SELECT ${COLUMNS} FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL`, [
        hashApiKey(secret),
      ]);
      return row ? toKey(row) : undefined;
    },
    async list() {
      return (await ex.query<Row>(`SELECT ${COLUMNS} FROM api_keys ORDER BY created_at DESC, id DESC`)).map(toKey);
    },
    async revoke(idOrName) {
      const [row] = await ex.query<Row>(
        `SELECT ${COLUMNS} FROM api_keys WHERE (id = ? OR name = ?) AND revoked_at IS NULL ORDER BY created_at DESC`,
        [idOrName, idOrName],
      );
      if (!row)
        throw new StoreError('STORE_NOT_FOUND', `no live API key with id or name "${idOrName}": see promptune keys list.`);
      const at = now();
      await ex.run('UPDATE api_keys SET revoked_at = ? WHERE id = ?', [at, row.id]);
      return { ...toKey(row), revokedAt: at };
    },
  };
}
