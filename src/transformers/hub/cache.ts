// The hub cache, laid out exactly as huggingface_hub lays it out so Python and Promptune share one copy:
//   <cache>/models--org--name/blobs/<etag>                 file contents, named by git sha1 or LFS sha256
//   <cache>/models--org--name/snapshots/<commit>/<path>    relative symlinks into blobs/
//   <cache>/models--org--name/refs/<revision>              the commit a branch or tag pointed to when last seen
//   <cache>/models--org--name/.no_exist/<commit>/<path>    empty markers for files known to be absent
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { HubError } from './errors.js';
import { isCommitHash } from './model-ref.js';

/** The cache folder name of a model repo: `models--org--name` (huggingface_hub's repo_folder_name). */
export function repoFolderName(repo: string): string {
  return ['models', ...repo.split('/')].join('--');
}

/** Throws HUB_BAD_PATH unless `file` is a plain relative path inside a repo (no `..`, no absolute paths). */
export function checkRepoFilePath(file: string, repo: string): void {
  const parts = file.split('/');
  if (!file || file.includes('\\') || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new HubError(
      'HUB_BAD_PATH',
      `File path ${JSON.stringify(file)} in ${repo} is not a plain relative path ("a/b.json", no "..", no leading "/"): it cannot be stored in the cache.`,
      { repo, file },
    );
  }
}

/** Paths of one repo inside a hub cache directory. */
export class HubRepoCache {
  /** `<cache>/models--org--name`. */
  readonly root: string;

  constructor(
    readonly cacheDir: string,
    readonly repo: string,
  ) {
    this.root = join(cacheDir, repoFolderName(repo));
  }

  /** Where the contents with this etag live. */
  blob(etag: string): string {
    return join(this.root, 'blobs', etag);
  }

  /** The snapshot folder of a commit. */
  snapshot(commit: string): string {
    return join(this.root, 'snapshots', commit);
  }

  /** The symlink a file of a commit is read through. */
  pointer(commit: string, file: string): string {
    return join(this.snapshot(commit), ...file.split('/'));
  }

  /** The file holding the commit a branch or tag resolved to. */
  ref(revision: string): string {
    return join(this.root, 'refs', ...revision.split('/'));
  }

  /** The marker saying `file` does not exist at `commit`. */
  noExist(commit: string, file: string): string {
    return join(this.root, '.no_exist', commit, ...file.split('/'));
  }

  /** The lock taken while a blob is downloaded (beside huggingface_hub's `.locks/<repo>/<etag>.lock`). */
  lock(etag: string): string {
    return join(this.cacheDir, '.locks', repoFolderName(this.repo), `${etag}.promptune.lock`);
  }

  /** The commit `revision` stands for as far as the cache knows: itself for a commit hash, else refs/<revision>. */
  commitFor(revision: string): string | undefined {
    if (isCommitHash(revision)) return revision;
    try {
      const commit = readFileSync(this.ref(revision), 'utf8').trim();
      return commit || undefined;
    } catch {
      return undefined;
    }
  }

  /** Records that `revision` points at `commit` (nothing to record when the revision is the commit). */
  writeRef(revision: string, commit: string): void {
    if (revision === commit) return;
    const path = this.ref(revision);
    // Rewriting an unchanged ref would fail needlessly on a read-only shared cache.
    if (existsSync(path) && readFileSync(path, 'utf8') === commit) return;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, commit);
  }

  /** Points snapshots/<commit>/<file> at blobs/<etag> with a relative symlink; returns the pointer path. */
  link(commit: string, file: string, etag: string): string {
    const pointer = this.pointer(commit, file);
    const blob = this.blob(etag);
    mkdirSync(dirname(pointer), { recursive: true });
    rmSync(pointer, { force: true });
    try {
      symlinkSync(relative(dirname(pointer), blob), pointer);
    } catch (e) {
      // Another process linked it between rm and symlink: fine if it points at the same blob.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || realpathSync(pointer) !== realpathSync(blob)) throw e;
    }
    return pointer;
  }

  /** Records that `file` does not exist at `commit`, as huggingface_hub does after a 404 EntryNotFound. */
  markMissing(commit: string, file: string): void {
    const marker = this.noExist(commit, file);
    mkdirSync(dirname(marker), { recursive: true });
    writeFileSync(marker, '');
  }

  /** What the cache knows about `file` at `revision`: its path, that it is known to be missing, or nothing. */
  lookup(revision: string, file: string): { path: string; commit: string } | { missing: true; commit: string } | undefined {
    const commit = this.commitFor(revision);
    if (!commit) return undefined;
    const pointer = this.pointer(commit, file);
    // existsSync follows the symlink, so a pointer whose blob was deleted counts as absent.
    if (existsSync(pointer)) return { path: pointer, commit };
    if (existsSync(this.noExist(commit, file))) return { missing: true, commit };
    return undefined;
  }

  /** The snapshot folder `revision` resolves to in the cache, if it exists. */
  snapshotFor(revision: string): { dir: string; commit: string } | undefined {
    const commit = this.commitFor(revision);
    if (!commit) return undefined;
    const dir = this.snapshot(commit);
    return existsSync(dir) && statSync(dir).isDirectory() ? { dir, commit } : undefined;
  }
}
