// Code examples in README.md and docs/ run as written (with the package import pointed at this checkout).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url).pathname;

function tsBlocks(file: string): string[] {
  return [...readFileSync(join(root, file), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

describe('documentation examples', () => {
  const blocks = tsBlocks('README.md');
  it('README has examples to run', () => {
    expect(blocks.length).toBeGreaterThan(0);
  });
  blocks.forEach((code, i) => {
    it(`README example ${i + 1} runs`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'pt-doc-'));
      const file = join(dir, 'example.mts');
      const src = code.replaceAll("'promptune/engine'", `'${join(root, 'src/engine/index.ts')}'`);
      writeFileSync(file, `${src}\nconsole.log('EXAMPLE_OK');\n`);
      const r = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: root, encoding: 'utf8' });
      expect(r.stderr).not.toMatch(/Error/);
      expect(r.stdout).toContain('EXAMPLE_OK');
    });
  });
});
