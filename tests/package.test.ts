// The package as a TypeScript team installs it: `npm pack`, then plain `npm install` of the tarball into a fresh
// project. There, every public entry point imports under plain node (no tsx is installed), a consumer file
// type-checks against the shipped .d.ts (and a wrong use of them fails), the command runs --version and --help with
// the native engine hidden, the install step names its fix when no libtorch is found, and a prediction runs with the
// engine present and matches this checkout's.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadClassifier } from '../src/core/train/index.js';
import { tinyClassifierDir } from '../src/server/testing.js';
import { runAsync } from './run-async.js';

const root = new URL('../', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; exports: Record<string, unknown> };
const ENTRY_POINTS = Object.keys(pkg.exports)
  .filter((k) => k !== './package.json')
  .map((k) => (k === '.' ? 'promptune' : `promptune/${k.slice(2)}`));
const ADDON = join(root, 'native', 'build', 'Release', 'promptune_engine.node');
const HIDDEN = { PROMPTUNE_NATIVE_ADDON: '/nonexistent/promptune_engine.node' };

const work = mkdtempSync(join(tmpdir(), 'pt-pack-'));
const consumer = join(work, 'consumer');

/** Runs a command in the consumer project (asynchronously: installs take minutes, and a blocked worker fails vitest). */
async function run(cmd: string, args: string[], env: Record<string, string> = {}, cwd = consumer) {
  const r = await runAsync(cmd, args, { cwd, env: { ...process.env, ...env } });
  return { status: r.status, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

beforeAll(async () => {
  const packed = await run('npm', ['pack', '--pack-destination', work], {}, root);
  expect(packed.status, packed.out).toBe(0);
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  expect(tarball).toBeDefined();
  mkdirSync(consumer);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  // The engine build is left to the `npm rebuild` case below (it compiles for minutes); better-sqlite3 builds
  // from source as it must here (its prebuilt binaries live on GitHub, out of reach).
  const installed = await run(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', join(work, tarball as string), 'typescript@5', '@types/node@20'],
    { PROMPTUNE_SKIP_NATIVE_BUILD: '1', npm_config_build_from_source: 'true', ONNXRUNTIME_NODE_INSTALL: 'skip' },
  );
  expect(installed.status, installed.out).toBe(0);
}, 600_000);

describe('the installed package', { timeout: 180_000 }, () => {
  it('ships compiled JavaScript and .d.ts, not sources, and needs no tsx', () => {
    const installed = join(consumer, 'node_modules', 'promptune');
    expect(existsSync(join(installed, 'dist', 'index.js'))).toBe(true);
    expect(existsSync(join(installed, 'dist', 'index.d.ts'))).toBe(true);
    expect(existsSync(join(installed, 'src'))).toBe(false);
    expect(existsSync(join(consumer, 'node_modules', 'tsx'))).toBe(false);
  });

  it('imports every public entry point under plain node with the engine hidden', async () => {
    const code = `for (const s of ${JSON.stringify(ENTRY_POINTS)}) { const m = await import(s); console.log(s, Object.keys(m).length); }`;
    const r = await run(process.execPath, ['--input-type=module', '-e', code], HIDDEN);
    expect(r.status, r.out).toBe(0);
    for (const s of ENTRY_POINTS) expect(r.stdout).toMatch(new RegExp(`^${s} [1-9]\\d*$`, 'm'));
    const api = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const m = await import('promptune'); console.log(typeof m.createApp, typeof m.startServer, typeof m.runWorker, typeof m.verifyWebhookSignature, typeof m.createPromptuneClient);",
      ],
      HIDDEN,
    );
    expect(api.stdout.trim()).toBe('function function function function function');
  });

  it('type-checks a consumer against the shipped .d.ts, and a wrong use of them fails', async () => {
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
        },
        include: ['good.ts'],
      }),
    );
    writeFileSync(
      join(consumer, 'good.ts'),
      [
        "import { createPromptuneClient, unwrap } from 'promptune/client';",
        "import { type Task, taskSchema } from 'promptune/core';",
        "import { tensor } from 'promptune/engine';",
        "import { openStore } from 'promptune/store';",
        "import { verifyWebhookSignature } from 'promptune/server';",
        "const api = createPromptuneClient({ baseUrl: 'http://127.0.0.1:8080', apiKey: 'k' });",
        'export async function label(text: string): Promise<string | null | undefined> {',
        "  const answer = unwrap(await api.POST('/v1/predict', { body: { text } }));",
        '  return answer.prediction?.label;',
        '}',
        'export const shape: readonly number[] = tensor([1, 2, 3]).shape;',
        'export const parse = (x: unknown): Task => taskSchema.parse(x);',
        'export const open = openStore;',
        'export const verify = verifyWebhookSignature;',
      ].join('\n'),
    );
    const tsc = join(consumer, 'node_modules', 'typescript', 'bin', 'tsc');
    const good = await run(process.execPath, [tsc, '-p', '.']);
    expect(good.status, good.out).toBe(0);
    writeFileSync(
      join(consumer, 'bad.ts'),
      "import { createPromptuneClient } from 'promptune/client';\nexport const n: number = createPromptuneClient({ baseUrl: 1 });\n",
    );
    const bad = await run(process.execPath, [
      tsc,
      '--strict',
      '--noEmit',
      '--module',
      'NodeNext',
      '--moduleResolution',
      'NodeNext',
      '--skipLibCheck',
      'bad.ts',
    ]);
    expect(bad.status).not.toBe(0);
    expect(bad.out).toContain('bad.ts(2,14): error TS2322');
    expect(bad.out).toContain('bad.ts(2,50): error TS2322');
  });

  it('runs promptune --version and --help with the native engine hidden', async () => {
    const version = await run('npx', ['promptune', '--version'], HIDDEN);
    expect(version.status, version.out).toBe(0);
    expect(version.stdout.trim()).toBe(`promptune ${pkg.version}`);
    const help = await run('npx', ['promptune', '--help'], HIDDEN);
    expect(help.status, help.out).toBe(0);
    expect(help.stdout).toContain('Usage: promptune <command>');
  });

  it('says how to get the engine when the install step finds no libtorch', async () => {
    const r = await run('npm', ['rebuild', 'promptune', '--foreground-scripts'], { LIBTORCH: '/nonexistent/libtorch' });
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain('no libtorch found, so the native engine was not built');
    expect(r.out).toContain('LIBTORCH=/nonexistent/libtorch: missing /nonexistent/libtorch/include');
    expect(r.out).toContain('then `npm rebuild promptune`');
  });

  it('predicts with the native engine present, as this checkout does', async () => {
    const dir = tinyClassifierDir('classification', 5);
    const local = loadClassifier(dir);
    const expected = local.predict([{ text: 'The tea was lovely.' }]);
    local.dispose();
    const code = `import { loadClassifier } from 'promptune/core'; const c = loadClassifier(${JSON.stringify(dir)}); console.log(JSON.stringify(c.predict([{ text: 'The tea was lovely.' }]))); c.dispose();`;
    const r = await run(process.execPath, ['--input-type=module', '-e', code], { PROMPTUNE_NATIVE_ADDON: ADDON });
    expect(r.status, r.out).toBe(0);
    const [got] = JSON.parse(r.stdout) as { label: string; probs: Record<string, number> }[];
    expect(got?.label).toBe(expected[0]?.label);
    for (const [label, p] of Object.entries(expected[0]?.probs ?? {})) expect(got?.probs[label]).toBeCloseTo(p, 6);
  });
});
