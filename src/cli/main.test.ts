// The command line's conventions: --version, help <verb> for every verb, exit codes, NO_COLOR / FORCE_COLOR, and
// the verbs that compute nothing running where the native engine is missing.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { useColour } from './colour.js';
import type { CliIO } from './command.js';
import { main, mainHelp } from './main.js';
import { reviewProject, runCli, runProcess } from './testing.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
const NO_ENGINE = { PROMPTUNE_NATIVE_ADDON: '/nonexistent/promptune_engine.node' };

/** Runs main in this process; resolves to its exit code and what it printed. */
async function inProcess(argv: string[], env: Record<string, string> = {}, cwd = process.cwd()) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (d: Buffer) => out.push(d.toString()));
  stderr.on('data', (d: Buffer) => err.push(d.toString()));
  const io: CliIO = { stdin: new PassThrough(), stdout, stderr, cwd, env: { ...env } };
  const status = await main(argv, io);
  return { status, stdout: out.join(''), stderr: err.join('') };
}

const verbs = mainHelp()
  .split('\n')
  .flatMap((l) => l.match(/^ {2}([a-z]+) {2}/)?.[1] ?? []);

let project: string | undefined;
afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('promptune conventions', () => {
  it("help <verb> prints the verb's --help for every verb, and the main help lists the exit codes", async () => {
    expect(verbs.length).toBeGreaterThan(15);
    for (const verb of verbs) {
      const viaHelp = await inProcess(['help', verb]);
      const viaFlag = await inProcess([verb, '--help']);
      expect(viaHelp.status, verb).toBe(0);
      expect(viaHelp.stdout, verb).toBe(viaFlag.stdout);
      expect(viaHelp.stdout, verb).toMatch(new RegExp(`^Usage: promptune ${verb}`));
    }
    const top = await inProcess(['help']);
    expect(top.stdout).toContain(
      'Exit codes: 0 ok, 1 error, 2 usage (bad command line), 3 a quality gate or drift threshold crossed.',
    );
    expect((await inProcess(['help', 'frobnicate'])).status).toBe(2);
    expect((await inProcess([])).status).toBe(2);
  });

  it("honours NO_COLOR over FORCE_COLOR, FORCE_COLOR over a pipe, and a verb's own flag over both", () => {
    const io = (env: Record<string, string>, isTTY: boolean): CliIO =>
      ({ env, stdout: Object.assign(new PassThrough(), { isTTY }), stderr: new PassThrough() }) as unknown as CliIO;
    expect(useColour(io({}, true))).toBe(true);
    expect(useColour(io({}, false))).toBe(false);
    expect(useColour(io({ NO_COLOR: '1' }, true))).toBe(false);
    expect(useColour(io({ FORCE_COLOR: '1' }, false))).toBe(true);
    expect(useColour(io({ FORCE_COLOR: '0' }, true))).toBe(false);
    expect(useColour(io({ NO_COLOR: '1', FORCE_COLOR: '1' }, false))).toBe(false);
    expect(useColour(io({ FORCE_COLOR: '1' }, true), 'stdout', true)).toBe(false);
  });

  it('prompt preview is coloured only when asked: FORCE_COLOR on a pipe, never with NO_COLOR', async () => {
    project = await reviewProject('pt-cli-colour-', { prompt: true });
    const args = ['prompt', 'preview', 'cloze', '--text', 'Lovely tea, would buy again.'];
    const forced = await inProcess(args, { FORCE_COLOR: '1' }, project);
    expect(forced.status, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('\x1b[');
    const plain = await inProcess(args, { FORCE_COLOR: '1', NO_COLOR: '1' }, project);
    expect(plain.stdout).not.toContain('\x1b[');
    expect(plain.stdout).toContain('Lovely tea');
  });

  it('runs --version, --help, init, task check, data import, keys and jobs without the native engine; a verb that computes says how to build it', async () => {
    const version = await runCli(process.cwd(), ['--version'], { env: NO_ENGINE });
    expect(version).toMatchObject({ status: 0, stdout: `promptune ${pkg.version}\n` });
    expect((await runCli(process.cwd(), ['--help'], { env: NO_ENGINE })).status).toBe(0);
    const dir = await reviewProject('pt-cli-no-engine-');
    try {
      for (const args of [
        ['task', 'check'],
        ['data', 'import'],
        ['keys', 'list'],
        ['jobs', 'list'],
      ]) {
        const r = await runCli(dir, args, { env: NO_ENGINE });
        expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      }
      const computes = await runCli(dir, ['prompt', 'eval', '--method', 'similarity', '--limit', '4'], { env: NO_ENGINE });
      expect(computes.status).toBe(1);
      expect(computes.stderr).toContain('the native engine is not built');
      expect(computes.stderr).toContain('npm run build:native');
      expect(computes.stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bash completion completes a verb, a flag of that verb, and the verbs after help', async () => {
    const script = await inProcess(['completion', 'bash']);
    expect(script.status).toBe(0);
    const file = join(mkdtempSync(join(tmpdir(), 'pt-completion-')), 'promptune.bash');
    writeFileSync(file, script.stdout);
    const complete = async (words: string[]) => {
      const line = `source ${file}; COMP_WORDS=(${words.join(' ')}); COMP_CWORD=${words.length - 1}; _promptune; echo "\${COMPREPLY[*]}"`;
      const r = await runProcess('bash', ['-c', line], { cwd: process.cwd() });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.trim().split(' ');
    };
    expect(await complete(['promptune', 'tr'])).toEqual(['train']);
    expect(await complete(['promptune', 'train', '--lora-a'])).toEqual(['--lora-alpha']);
    expect(await complete(['promptune', 'eval', '--fail'])).toEqual(['--fail-under']);
    expect((await complete(['promptune', 'help', 'pre'])).sort()).toEqual(['predict', 'pretrain']);
    expect((await inProcess(['completion', 'fish'])).stdout).toContain(
      "complete -c promptune -n '__fish_seen_subcommand_from train' -l lr",
    );
    expect((await inProcess(['completion', 'tcsh'])).status).toBe(2);
  });
});
