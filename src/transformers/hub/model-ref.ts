// Where a model comes from, written as one string: `hf:org/name@revision` for the hub, a path otherwise.
// Repo ids and revisions are checked with the hub's own rules so a typo fails here, before any request.
import { resolve } from 'node:path';
import { HubError } from './errors.js';

/** A parsed model reference: a hub repo at a revision, or a local directory or file. */
export type ModelRef =
  | { kind: 'hub'; repo: string; revision: string; input: string }
  | { kind: 'local'; path: string; input: string };

/** The prefix that marks a hub reference. */
export const HUB_REF_PREFIX = 'hf:';
/** The revision used when a reference names none. */
export const HUB_DEFAULT_REVISION = 'main';

const EXAMPLE =
  'Valid references look like hf:sentence-transformers/all-MiniLM-L6-v2, hf:bert-base-uncased@main, ' +
  'hf:org/name@v1.0 or a local path such as ./models/my-model.';

/** True for a full 40-character commit hash (these never need a refs/ lookup). */
export function isCommitHash(revision: string): boolean {
  return /^[0-9a-f]{40}$/.test(revision);
}

// huggingface_hub's validate_repo_id: [namespace/]name, word characters, '-' and '.', name at most 96 long,
// each part starting and ending with a letter, digit or '_', no '--' or '..', no '.git' suffix.
const PART = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;

/** Why `repo` is not a valid hub repo id, or undefined when it is. */
export function repoIdProblem(repo: string): string | undefined {
  if (!repo) return 'the repo id is empty';
  const parts = repo.split('/');
  if (parts.length > 2) return 'a repo id has at most one "/" (namespace/name)';
  const name = parts[parts.length - 1] as string;
  if (name.length > 96) return `the name "${name}" is ${name.length} characters long; the hub allows at most 96`;
  for (const p of parts) {
    if (!PART.test(p)) {
      return `"${p}" may only use letters, digits, "-", "_" and ".", and must start and end with a letter, digit or "_"`;
    }
  }
  if (repo.includes('--') || repo.includes('..')) return 'a repo id cannot contain "--" or ".."';
  if (repo.endsWith('.git')) return 'a repo id cannot end with ".git"';
  return undefined;
}

/** Why `revision` is not a valid branch, tag or commit name (git's ref rules), or undefined when it is. */
export function revisionProblem(revision: string): string | undefined {
  if (!revision) return 'the revision after "@" is empty';
  if (revision.length > 255) return `the revision is ${revision.length} characters long; at most 255 are allowed`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what git forbids here.
  const bad = /[\x00-\x20\x7f~^:?*[\\]/.exec(revision);
  if (bad) return `the revision contains ${JSON.stringify(bad[0])}, which git does not allow in branch or tag names`;
  if (revision.includes('..') || revision.includes('//') || revision.includes('@{')) {
    return 'the revision cannot contain "..", "//" or "@{"';
  }
  if (/^[-/]|[/.]$|\.lock$|(^|\/)\./.test(revision)) {
    return 'the revision cannot start with "-" or "/", end with "/", "." or ".lock", or have a part starting with "."';
  }
  return undefined;
}

function badRef(input: string, problem: string): HubError {
  return new HubError('HUB_BAD_REF', `Invalid model reference ${JSON.stringify(input)}: ${problem}. ${EXAMPLE}`);
}

/** Parses `hf:org/name[@revision]`, `hf:name[@revision]` or a local path (resolved against `cwd`). */
export function parseModelRef(input: string, cwd: string = process.cwd()): ModelRef {
  if (input.trim() !== input || input === '') throw badRef(input, 'it is empty or has leading/trailing spaces');
  if (!input.startsWith(HUB_REF_PREFIX)) return { kind: 'local', path: resolve(cwd, input), input };
  const body = input.slice(HUB_REF_PREFIX.length);
  if (body.startsWith('//')) throw badRef(input, 'write hf:org/name without "//"');
  const at = body.indexOf('@');
  const repo = at < 0 ? body : body.slice(0, at);
  const revision = at < 0 ? HUB_DEFAULT_REVISION : body.slice(at + 1);
  const problem = repoIdProblem(repo) ?? revisionProblem(revision);
  if (problem) throw badRef(input, problem);
  return { kind: 'hub', repo, revision, input };
}

/** Writes a reference back as a string (`hf:org/name@rev`, or the local path). */
export function formatModelRef(ref: ModelRef): string {
  return ref.kind === 'hub' ? `${HUB_REF_PREFIX}${ref.repo}@${ref.revision}` : ref.path;
}
