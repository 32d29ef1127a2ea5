// promptune init and task check through the real command (a child process), as a user runs them.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type CliRun, runCli } from '../testing.js';

const promptune = (cwd: string, args: string[], input?: string): Promise<CliRun> =>
  runCli(cwd, args, input === undefined ? {} : { input });

describe('promptune init', () => {
  it('writes a task file from flags and checks the data columns', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'pt-cli-'));
    writeFileSync(join(cwd, 'train.csv'), 'review,label\ngreat,positive\n');
    const r = await promptune(cwd, [
      'init',
      '--yes',
      '--objective',
      'Route customer reviews by sentiment',
      '--label',
      'positive:the customer is happy',
      '--label',
      'negative',
      '--languages',
      'en,fr',
      '--train',
      'train.csv',
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('train.csv has no column "text" (it has review, label)');
    const task = parse(readFileSync(join(cwd, 'promptune.yaml'), 'utf8'));
    expect(task).toMatchObject({
      name: 'route-customer-reviews-by',
      type: 'single-label',
      labels: [{ name: 'positive', description: 'the customer is happy' }, { name: 'negative' }],
      languages: ['en', 'fr'],
      data: { train: 'train.csv', labelColumn: 'label' },
    });
    const check = await promptune(cwd, ['task', 'check']);
    expect(check.status).toBe(0);
    expect(check.stdout).toContain('positive — the customer is happy');
    expect((await promptune(cwd, ['init', '--yes', '--objective', 'x', '--labels', 'a,b'])).stderr).toContain('already exists');
  });

  it('asks the questions when interactive (answers piped in)', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'pt-cli-'));
    const answers = [
      'Sort support tickets',
      '',
      'title,body',
      'the subject line',
      '',
      'y',
      'billing,bug',
      'money',
      '',
      'en,de',
      'accuracy',
      '',
      'hf:acme/encoder',
    ];
    const r = await promptune(cwd, ['init', '--interactive'], `${answers.join('\n')}\n`);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('What goes in?');
    const task = parse(readFileSync(join(cwd, 'promptune.yaml'), 'utf8'));
    expect(task).toMatchObject({
      name: 'sort-support-tickets',
      type: 'multi-label',
      inputs: [{ name: 'title', description: 'the subject line' }, { name: 'body' }],
      labels: [{ name: 'billing', description: 'money' }, { name: 'bug' }],
      languages: ['en', 'de'],
      metric: 'accuracy',
      model: 'hf:acme/encoder',
    });
  });

  it('fails with one clear message, never a stack trace', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'pt-cli-'));
    const missing = await promptune(cwd, ['init', '--yes', '--labels', 'a,b']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('missing --objective');
    const bad = await promptune(cwd, ['init', '--yes', '--objective', 'x', '--labels', 'a,b', '--metric', 'f2']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/metric is "f2": use one of macro-f1/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const unknown = await promptune(cwd, ['init', '--colour']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown option '--colour'.*\n.*promptune init --help/);
    expect((await promptune(cwd, ['frobnicate'])).stderr).toContain('unknown command "frobnicate"');
    expect((await promptune(cwd, ['--help'])).stdout).toMatch(/Commands:\n {2}init/);
  });
});
