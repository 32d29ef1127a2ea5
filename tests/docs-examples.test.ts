// Code examples in README.md and docs/*.md run as written, from the repository root, with the package's
// import paths pointed at this checkout. A ```ts block is an example; use ```text or ```sh for anything else.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url).pathname;
// Every entry point of the package's exports map, pointed at its source: ./dist/<layer>/index.js → src/<layer>/index.ts.
const EXPORTS = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> }).exports;
const IMPORTS: Record<string, string> = Object.fromEntries(
  Object.keys(EXPORTS)
    .filter((k) => k !== './package.json')
    .map((k) => (k === '.' ? ['promptune', 'src/index.ts'] : [`promptune/${k.slice(2)}`, `src/${k.slice(2)}/index.ts`])),
);

function tsBlocks(file: string): string[] {
  return [...readFileSync(join(root, file), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

const pages = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

describe('documentation examples', () => {
  it('README has examples to run', () => {
    expect(tsBlocks('README.md').length).toBeGreaterThan(0);
  });
  for (const page of pages) {
    tsBlocks(page).forEach((code, i) => {
      it(`${page} example ${i + 1} runs`, () => {
        const dir = mkdtempSync(join(tmpdir(), 'pt-doc-'));
        const file = join(dir, 'example.mts');
        const src = code.replace(/'(promptune(?:\/[a-z]+)?)'/g, (m, spec: string) =>
          IMPORTS[spec] ? `'${join(root, IMPORTS[spec])}'` : m,
        );
        writeFileSync(file, `${src}\nconsole.log('EXAMPLE_OK');\n`);
        const r = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: root, encoding: 'utf8' });
        expect(r.stderr).not.toMatch(/Error/);
        expect(r.stdout).toContain('EXAMPLE_OK');
      });
    });
  }
});
