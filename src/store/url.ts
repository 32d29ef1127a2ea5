// Which database a store URL names: a SQLite file (the default, under the project), memory, or a PostgreSQL server.
import { isAbsolute, join, resolve } from 'node:path';
import { StoreError } from './errors.js';

/** Where the store lives when no URL is given, relative to the project directory. */
export const DEFAULT_STORE_PATH = join('.promptune', 'promptune.db');

/** The environment variable that names the store when the caller gives no URL. */
export const STORE_URL_ENV = 'PROMPTUNE_STORE_URL';

/** A parsed store URL. */
export type StoreTarget = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

const FORMS = 'a file path, sqlite:<path>, :memory:, or postgres://user:password@host:port/database';

/**
 * Parses a store URL: nothing → `<projectDir>/.promptune/promptune.db`; a plain path or `sqlite:<path>` (relative
 * to the project directory; `sqlite:///abs/path` also works) → that SQLite file; `:memory:` → a private in-memory
 * SQLite database; `postgres://…` or `postgresql://…` → PostgreSQL.
 */
export function parseStoreUrl(url: string | undefined, projectDir: string): StoreTarget {
  if (url === undefined) return { kind: 'sqlite', path: resolve(projectDir, DEFAULT_STORE_PATH) };
  const text = url.trim();
  if (text === '') throw new StoreError('STORE_URL', `the store URL is empty: use ${FORMS}, or leave it unset for the default.`);
  if (text === ':memory:' || text === 'sqlite::memory:') return { kind: 'sqlite', path: ':memory:' };
  if (/^postgres(ql)?:/i.test(text)) return { kind: 'postgres', url: checkPostgresUrl(text) };
  const sqlite = /^sqlite:(.*)$/is.exec(text);
  if (sqlite) {
    const rest = (sqlite[1] as string).replace(/^\/\//, '');
    if (rest === '')
      throw new StoreError(
        'STORE_URL',
        `the store URL "${text}" names no file: write sqlite:<path>, e.g. sqlite:.promptune/promptune.db.`,
      );
    return { kind: 'sqlite', path: resolve(projectDir, rest) };
  }
  // A scheme of two or more letters (one letter is a Windows drive) that we do not know.
  if (/^[a-z][a-z0-9+.-]+:/i.test(text) && !isAbsolute(text)) {
    throw new StoreError('STORE_URL', `unsupported store URL "${redactUrl(text)}": use ${FORMS}.`);
  }
  return { kind: 'sqlite', path: resolve(projectDir, text) };
}

function checkPostgresUrl(text: string): string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new StoreError(
      'STORE_URL',
      `the PostgreSQL URL "${redactUrl(text)}" is not a valid URL: write postgres://user:password@host:port/database (percent-encode special characters in the password, e.g. @ as %40).`,
    );
  }
  if (!text.includes('//')) {
    throw new StoreError(
      'STORE_URL',
      `the PostgreSQL URL "${redactUrl(text)}" lacks "//": write postgres://user:password@host:port/database.`,
    );
  }
  if (u.port !== '' && !(Number(u.port) > 0)) {
    throw new StoreError('STORE_URL', `the PostgreSQL URL "${redactUrl(text)}" has port ${u.port}: use a port from 1 to 65535.`);
  }
  if (u.pathname.replace(/^\//, '').includes('/')) {
    throw new StoreError(
      'STORE_URL',
      `the PostgreSQL URL "${redactUrl(text)}" has a path with several parts: the path is one database name, e.g. /promptune.`,
    );
  }
  return text;
}

/** A URL with any password replaced by ***, safe for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*:)[^@/]*@/i, '$1***@');
}
