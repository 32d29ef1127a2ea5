// Model references: the forms accepted, and the hub's rules for repo ids and revisions.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HubError } from './errors.js';
import { formatModelRef, isCommitHash, parseModelRef, repoIdProblem, revisionProblem } from './model-ref.js';

function message(input: string): string {
  try {
    parseModelRef(input);
  } catch (e) {
    if (HubError.isInstance(e) && e.code === 'HUB_BAD_REF') return e.message;
    throw e;
  }
  throw new Error(`${input} was accepted`);
}

describe('parseModelRef', () => {
  it('reads hub references with and without namespace and revision', () => {
    expect(parseModelRef('hf:org/name@v1.0')).toEqual({
      kind: 'hub',
      repo: 'org/name',
      revision: 'v1.0',
      input: 'hf:org/name@v1.0',
    });
    expect(parseModelRef('hf:org/name')).toMatchObject({ repo: 'org/name', revision: 'main' });
    expect(parseModelRef('hf:bert-base-uncased')).toMatchObject({ repo: 'bert-base-uncased', revision: 'main' });
    expect(parseModelRef('hf:org/name@refs/pr/1')).toMatchObject({ revision: 'refs/pr/1' });
    const sha = 'a'.repeat(40);
    expect(parseModelRef(`hf:org/name@${sha}`)).toMatchObject({ revision: sha });
    expect(isCommitHash(sha)).toBe(true);
    expect(isCommitHash('main')).toBe(false);
    expect(formatModelRef(parseModelRef('hf:org/name'))).toBe('hf:org/name@main');
  });

  it('treats anything else as a local path, resolved against cwd', () => {
    expect(parseModelRef('models/x', '/work')).toEqual({ kind: 'local', path: join('/work', 'models/x'), input: 'models/x' });
    expect(parseModelRef('/abs/model.safetensors')).toMatchObject({ kind: 'local', path: '/abs/model.safetensors' });
  });

  it('applies the hub repo id rules', () => {
    for (const ok of [
      'a',
      'foo/bar',
      '123',
      'Foo-BAR_foo.bar123',
      'sentence-transformers/all-MiniLM-L6-v2',
      `x/${'a'.repeat(96)}`,
    ]) {
      expect(repoIdProblem(ok), ok).toBeUndefined();
    }
    for (const bad of [
      '',
      'a/b/c',
      '.repo',
      'repo-',
      'foo--bar',
      'foo..bar',
      'foo.git',
      'a b',
      'ünï',
      `x/${'a'.repeat(97)}`,
      '/x',
    ]) {
      expect(repoIdProblem(bad), bad).toBeDefined();
    }
  });

  it('applies git ref rules to revisions', () => {
    for (const ok of ['main', 'v1.0', 'refs/pr/1', 'feature/x-y_z', 'a'.repeat(40)])
      expect(revisionProblem(ok), ok).toBeUndefined();
    for (const bad of ['', 'a..b', 'a b', 'x~1', 'a:b', '-x', 'x/', 'x.lock', 'a//b', '.hidden', 'a@{1}', 'x'.repeat(256)]) {
      expect(revisionProblem(bad), bad).toBeDefined();
    }
  });

  it('explains a bad reference with the input, the problem and valid examples', () => {
    expect(message('hf:org/my--model@main')).toMatchInlineSnapshot(
      `"Invalid model reference "hf:org/my--model@main": a repo id cannot contain "--" or "..". Valid references look like hf:sentence-transformers/all-MiniLM-L6-v2, hf:bert-base-uncased@main, hf:org/name@v1.0 or a local path such as ./models/my-model."`,
    );
    expect(message('hf:org/name@')).toContain('the revision after "@" is empty');
    expect(message('hf:a/b/c')).toContain('at most one "/"');
    expect(message('hf://org/name')).toContain('without "//"');
    expect(message(' hf:x')).toContain('leading/trailing spaces');
  });
});
