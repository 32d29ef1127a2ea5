// promptune data and the scoring actions of promptune prompt, through the real command on real review data.
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliRun, runCli } from '../testing.js';

const root = new URL('../../../', import.meta.url).pathname;
const fixtures = join(root, 'src/core/data/__fixtures__');
const mlm = join(root, 'src/transformers/models/__fixtures__/tiny-xlmr-with-tokenizer');

const promptune = (cwd: string, ...args: string[]): Promise<CliRun> => runCli(cwd, args);

// The prompt both tests start from.
const ADD_CLOZE = [
  'prompt',
  'add',
  'cloze',
  '--template',
  '{text} All in all, it was {mask}.',
  '--verbalizer',
  'great=great',
  '--verbalizer',
  'other=bad',
];

/** A project on the review fixtures with the small masked-LM checkpoint. */
async function project(): Promise<string> {
  const cwd = mkdtempSync(join(tmpdir(), 'pt-data-cli-'));
  copyFileSync(join(fixtures, 'reviews-train-200.csv'), join(cwd, 'train.csv'));
  copyFileSync(join(fixtures, 'reviews-test-100.csv'), join(cwd, 'test.csv'));
  const r = await promptune(
    cwd,
    'init',
    '--yes',
    '--objective',
    'Spot five-star reviews',
    '--label',
    'great:five stars',
    '--label',
    'other:anything less',
    '--train',
    'train.csv',
    '--test',
    'test.csv',
    '--model',
    mlm,
  );
  expect(r.status, r.stderr).toBe(0);
  return cwd;
}

describe('promptune data', () => {
  it('imports, reports, splits, samples K-shot and exports', async () => {
    const cwd = await project();
    const imported = await promptune(cwd, 'data', 'import');
    expect(imported.stdout).toMatch(
      /^train: train.csv: 200 of 200 rows imported, version [0-9a-f]{12}\ntest: test.csv: 100 of 100 rows imported/,
    );
    const report = await promptune(cwd, 'data', 'report', '--no-language');
    expect(report.status, report.stderr).toBe(0);
    expect(report.stdout).toMatch(/great\s+\d+ \(\d+%\)\s+\d+ \(\d+%\)/);
    expect(report.stdout).toMatch(/tokens per text: median \d+/);
    const split = (await promptune(cwd, 'data', 'split', '--ratios', 'train=0.5,dev=0.5', '--seed', '3')).stdout;
    const sizes = [...split.matchAll(/^(train|dev): (\d+) rows, version [0-9a-f]{12}$/gm)].map((m) => Number(m[2]));
    expect(sizes.length).toBe(2);
    expect((sizes[0] as number) + (sizes[1] as number)).toBe(200);
    expect((await promptune(cwd, 'data', 'kshot', '--k', '8', '--seeds', '1,2')).stdout).toMatch(
      /^seed 1: train [0-9a-f]{12} \(16\), dev [0-9a-f]{12} \(16\)\nseed 2:/,
    );
    expect((await promptune(cwd, 'data', 'export', '--format', 'hf', '--out', 'hfdir')).status).toBe(0);
    expect(readFileSync(join(cwd, 'hfdir', 'README.md'), 'utf8')).toContain('- split: test');
    await promptune(cwd, ...ADD_CLOZE);
    expect((await promptune(cwd, 'data', 'export', '--format', 'chat', '--prompt', 'cloze', '--out', 'chat.jsonl')).stdout).toBe(
      'Wrote 200 chat examples to chat.jsonl.\n',
    );
    const first = JSON.parse(readFileSync(join(cwd, 'chat.jsonl'), 'utf8').split('\n')[0] as string);
    expect(first.messages[0].content).toBe(
      'Spot five-star reviews Answer with one of: great (five stars), other (anything less).',
    );
    expect(first.messages[1].content).toMatch(/ All in all, it was …\.$/);
    expect(['great', 'other']).toContain(first.messages[2].content);
  });

  it('scores prompts zero-shot, compares two versions and searches label words', async () => {
    const cwd = await project();
    await promptune(cwd, ...ADD_CLOZE);
    await promptune(cwd, 'prompt', 'edit', 'cloze', '--template', 'Review: {text} It was {mask}.');
    const row = await promptune(cwd, 'prompt', 'preview', 'cloze', '--row', '3', '--no-colour');
    expect(row.status, row.stderr).toBe(0);
    expect(row.stdout).toContain(
      `Rendered:\n  Review: ${readFileSync(join(cwd, 'train.csv'), 'utf8')
        .split('\n')[2]
        ?.replace(/,(great|other)$/, '')
        .replace(/^"|"$/g, '')
        .slice(0, 30)}`,
    );
    expect((await promptune(cwd, 'prompt', 'preview', 'cloze', '--row', '1')).stderr).toContain(
      '--row 1: no imported example starts on that line',
    );
    const ev = await promptune(cwd, 'prompt', 'eval', 'cloze', '--limit', '30', '--calibrate');
    expect(ev.status, ev.stderr).toBe(0);
    expect(ev.stdout).toMatch(
      /^"cloze" [0-9a-f]{10} zero-shot \(test, calibrated\): macro-f1 \d\.\d{3}, accuracy \d\.\d{3} on 30 examples\n$/,
    );
    const first = (await promptune(cwd, 'prompt', 'log', 'cloze')).stdout.split('\n')[2]?.slice(0, 10) as string;
    const ab = await promptune(cwd, 'prompt', 'ab', first, 'cloze', '--limit', '30');
    expect(ab.status, ab.stderr).toBe(0);
    expect(ab.stdout).toMatch(
      /^A cloze@[0-9a-f]{10}: .* on 30 examples\nB cloze@[0-9a-f]{10}: .*\n(No reliable difference|cloze@[0-9a-f]{10} is better)/,
    );
    const abJson = await promptune(cwd, 'prompt', 'ab', first, 'cloze', '--limit', '30', '--json');
    expect(abJson.status, abJson.stderr).toBe(0);
    const parsed = JSON.parse(abJson.stdout) as {
      metric: string;
      a: Record<string, number>;
      b: Record<string, number>;
      diff: number;
      verdict: string;
    };
    expect(parsed.metric).toBe('macro-f1');
    expect(parsed.a.name).toBe('cloze');
    expect(parsed.diff).toBeCloseTo((parsed.b['macro-f1'] as number) - (parsed.a['macro-f1'] as number), 9);
    expect(parsed.verdict).toBe(ab.stdout.trim().split('\n')[2]);
    const search = await promptune(cwd, 'prompt', 'search', 'cloze', '--limit', '40', '--per-label', '3', '--keep', '4');
    expect(search.status, search.stderr).toBe(0);
    expect(search.stdout).toMatch(/dev \d\.\d{3} {2}train \d\.\d{3} {2}great=\S+ other=\S+/);
    expect(search.stdout).toMatch(/(Stored|Already stored:) version [0-9a-f]{10} of "cloze" with the best label words/);
    expect((await promptune(cwd, 'prompt', 'log', 'cloze')).stdout).toContain('promptune search');
    await promptune(
      cwd,
      'prompt',
      'add',
      'plain',
      '--template',
      '{text} {mask}!',
      '--verbalizer',
      'great=great',
      '--verbalizer',
      'other=bad',
    );
    const ensemble = await promptune(cwd, 'prompt', 'eval', 'cloze', 'plain', '--limit', '20');
    expect(ensemble.stdout).toMatch(
      /^ensemble of cloze@[0-9a-f]{10}, plain@[0-9a-f]{10} zero-shot \(test\): .* on 20 examples\n$/,
    );
    const templates = await promptune(
      cwd,
      'prompt',
      'search',
      'plain',
      '--limit',
      '20',
      '--templates',
      'Verdict: {mask}. {text}',
      '--templates',
      '{text} In short: {mask}.',
    );
    expect(templates.status, templates.stderr).toBe(0);
    expect(templates.stdout.match(/^ {2}dev \d\.\d{3} {2}/gm)?.length).toBe(3);
    expect(templates.stdout).toMatch(
      /(Stored version [0-9a-f]{10} of "plain" with the best template|The current template of "plain" scores best)/,
    );
  });
});
