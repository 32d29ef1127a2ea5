import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StoreError } from './errors.js';
import { parseStoreUrl, redactUrl } from './url.js';

const project = '/work/project';

function urlError(url: string): StoreError {
  try {
    parseStoreUrl(url, project);
  } catch (e) {
    if (StoreError.isInstance(e)) return e;
    throw e;
  }
  throw new Error(`parsed ${url}`);
}

describe('parseStoreUrl', () => {
  it('defaults to .promptune/promptune.db under the project', () => {
    expect(parseStoreUrl(undefined, project)).toEqual({ kind: 'sqlite', path: join(project, '.promptune/promptune.db') });
  });

  it('reads SQLite paths: plain, sqlite:, sqlite:/// and memory', () => {
    expect(parseStoreUrl('data/store.db', project)).toEqual({ kind: 'sqlite', path: '/work/project/data/store.db' });
    expect(parseStoreUrl('/var/lib/p.db', project)).toEqual({ kind: 'sqlite', path: '/var/lib/p.db' });
    expect(parseStoreUrl('sqlite:rel.db', project)).toEqual({ kind: 'sqlite', path: '/work/project/rel.db' });
    expect(parseStoreUrl('sqlite:///abs/p.db', project)).toEqual({ kind: 'sqlite', path: '/abs/p.db' });
    expect(parseStoreUrl(':memory:', project)).toEqual({ kind: 'sqlite', path: ':memory:' });
    expect(parseStoreUrl('sqlite::memory:', project)).toEqual({ kind: 'sqlite', path: ':memory:' });
  });

  it('reads PostgreSQL URLs in both spellings', () => {
    expect(parseStoreUrl('postgres://u:p@db:5432/promptune', project)).toEqual({
      kind: 'postgres',
      url: 'postgres://u:p@db:5432/promptune',
    });
    expect(parseStoreUrl('postgresql://db/promptune', project).kind).toBe('postgres');
  });

  it('refuses bad URLs, saying what a good one looks like and never echoing the password', () => {
    expect(urlError('').message).toMatchInlineSnapshot(
      `"the store URL is empty: use a file path, sqlite:<path>, :memory:, or postgres://user:password@host:port/database, or leave it unset for the default."`,
    );
    expect(urlError('mysql://root:secret@db/x').message).toMatchInlineSnapshot(
      `"unsupported store URL "mysql://root:***@db/x": use a file path, sqlite:<path>, :memory:, or postgres://user:password@host:port/database."`,
    );
    expect(urlError('postgres://u:secret@db:99999/x').message).toMatchInlineSnapshot(
      `"the PostgreSQL URL "postgres://u:***@db:99999/x" is not a valid URL: write postgres://user:password@host:port/database (percent-encode special characters in the password, e.g. @ as %40)."`,
    );
    expect(urlError('postgres:db').message).toContain('lacks "//"');
    expect(urlError('postgres://db/a/b').message).toContain('one database name');
    expect(urlError('sqlite:').code).toBe('STORE_URL');
  });

  it('redacts passwords', () => {
    expect(redactUrl('postgres://user:p%40ss@host:5432/db')).toBe('postgres://user:***@host:5432/db');
    expect(redactUrl('postgres://user@host/db')).toBe('postgres://user@host/db');
  });
});
