// Cache paths and lookups, named and linked exactly as huggingface_hub does.
import { mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HubRepoCache, checkRepoFilePath, repoFolderName } from './cache.js';

const C1 = '1'.repeat(40);

describe('HubRepoCache', () => {
  it('names repo folders like repo_folder_name', () => {
    expect(repoFolderName('julien-c/EsperBERTo-small')).toBe('models--julien-c--EsperBERTo-small');
    expect(repoFolderName('bert-base-uncased')).toBe('models--bert-base-uncased');
  });

  it('links snapshot files relatively, at any depth, and looks them up through refs', () => {
    const cache = new HubRepoCache(mkdtempSync(join(tmpdir(), 'pt-cache-')), 'org/m');
    mkdirSync(join(cache.root, 'blobs'), { recursive: true });
    writeFileSync(cache.blob('e1'), 'top');
    writeFileSync(cache.blob('e2'), 'deep');
    expect(readlinkSync(cache.link(C1, 'a.json', 'e1'))).toBe('../../blobs/e1');
    expect(readlinkSync(cache.link(C1, 'x/y/b.json', 'e2'))).toBe('../../../../blobs/e2');
    expect(cache.lookup('main', 'a.json')).toBeUndefined();
    cache.writeRef('main', C1);
    cache.writeRef(C1, C1);
    expect(cache.lookup('main', 'x/y/b.json')).toEqual({ path: join(cache.snapshot(C1), 'x', 'y', 'b.json'), commit: C1 });
    expect(cache.lookup(C1, 'a.json')).toMatchObject({ commit: C1 });
    expect(cache.commitFor('main')).toBe(C1);
    // A pointer whose blob was deleted is not a cache hit.
    rmSync(cache.blob('e1'));
    expect(cache.lookup('main', 'a.json')).toBeUndefined();
    cache.markMissing(C1, 'gone.txt');
    expect(cache.lookup('main', 'gone.txt')).toEqual({ missing: true, commit: C1 });
    expect(cache.snapshotFor('main')).toEqual({ dir: cache.snapshot(C1), commit: C1 });
  });

  it('refuses file paths that would leave the snapshot', () => {
    for (const bad of ['../x', 'a/../../x', '/etc/passwd', 'a//b', 'a\\b', '']) {
      expect(() => checkRepoFilePath(bad, 'org/m'), bad).toThrow(/not a plain relative path/);
    }
    checkRepoFilePath('onnx/model.onnx', 'org/m');
  });
});
