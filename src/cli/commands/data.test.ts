// promptune data and the scoring actions of promptune prompt, through the real command on real review data.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importFile } from '../../core/data/index.js';
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
      /^train: train.csv: 200 of 200 rows imported, version [0-9a-f]{12}\n {2}read as csv, comma-separated \(detected\), utf-8 \(detected\)\ntest: test.csv: 100 of 100 rows imported/,
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

describe('promptune data import: files as spreadsheets and CRMs write them', () => {
  it('detects a semicolon Windows-1252 CSV, reads an .xlsx, takes --delimiter / --encoding / --sheet, and checks them', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'pt-data-formats-'));
    // Excel on Windows "CSV (semicolon)": Windows-1252 bytes (Buffer's latin1 writes é ü ë as single bytes), CRLF.
    const csv =
      'text;label\r\nZoë: crème brûlée, parfait;great\r\nJosé: zu laut;other\r\nMüller;\r\nFrançois: très bien;Great\r\n';
    writeFileSync(join(cwd, 'train.csv'), Buffer.from(csv, 'latin1'));
    copyFileSync(join(fixtures, 'kunden.xlsx'), join(cwd, 'test.xlsx'));
    const init = await promptune(
      cwd,
      ...['init', '--yes', '--objective', 'Spot happy customers', '--label', 'great:happy', '--label', 'other:not'],
      ...['--train', 'train.csv', '--test', 'test.xlsx', '--model', mlm],
    );
    expect(init.status, init.stderr).toBe(0);
    const detected = await promptune(cwd, 'data', 'import');
    expect(detected.status, detected.stderr).toBe(0);
    const version = detected.stdout.match(/^train: train.csv: 3 of 4 rows imported, version ([0-9a-f]{12})\n/)?.[1];
    expect(detected.stdout).toContain(
      [
        '  read as csv, semicolon-separated (detected), windows-1252 (detected)',
        '  line 4 (label): MISSING_LABEL: no label in "label": label the row or remove it.',
        '  label "Great" read as "great" (1 rows)',
        'test: test.xlsx: 4 of 5 rows imported',
      ].join('\n'),
    );
    expect(detected.stdout).toContain('  read as xlsx, worksheet "Kunden"\n  line 6 (label): MISSING_LABEL');
    // The stored version is the file read right: these texts, these labels.
    const read = await importFile(join(cwd, 'train.csv'), { allowedLabels: ['great', 'other'] });
    expect(read.dataset.examples.map((e) => [e.line, e.inputs.text, e.labels[0]])).toEqual([
      [2, 'Zoë: crème brûlée, parfait', 'great'],
      [3, 'José: zu laut', 'other'],
      [5, 'François: très bien', 'great'],
    ]);
    expect(version).toBe(read.dataset.hash.slice(0, 12));

    const given = await promptune(cwd, 'data', 'import', '--delimiter', ';', '--encoding', 'windows-1252', '--sheet', 'Archiv');
    expect(given.status, given.stderr).toBe(0);
    expect(given.stdout).toContain(`version ${version}\n  read as csv, semicolon-separated (given), windows-1252 (given)\n`);
    expect(given.stdout).toMatch(
      /test: test.xlsx: 1 of 1 rows imported, version [0-9a-f]{12}\n {2}read as xlsx, worksheet "Archiv"\n/,
    );

    const wrong = await promptune(cwd, 'data', 'import', '--encoding', 'utf-8');
    expect(wrong.status).toBe(1);
    // Every row has bytes that are not UTF-8: nothing to import, said once with the fix.
    expect(wrong.stderr).toContain(
      "train.csv: none of its 4 rows can be imported: not valid UTF-8 (given): byte 0xeb at line 2, column 3, byte offset 14: pass --encoding windows-1252 (or the file's encoding):",
    );
    const badDelimiter = await promptune(cwd, 'data', 'import', '--delimiter', ':');
    expect(badDelimiter.status).toBe(2);
    expect(badDelimiter.stderr).toContain('--delimiter ":" is not a CSV delimiter: use one of , ; | or tab');
    const badEncoding = await promptune(cwd, 'data', 'import', '--encoding', 'ebcdic');
    expect(badEncoding.status).toBe(2);
    expect(badEncoding.stderr).toContain(
      '--encoding "ebcdic" is not an encoding import reads: use one of utf-8, utf-16le, utf-16be, windows-1252, latin1',
    );
    const noSheet = await promptune(cwd, 'data', 'import', '--sheet', 'Tabelle1');
    expect(noSheet.status).toBe(1);
    expect(noSheet.stderr).toContain('has no worksheet "Tabelle1" (it has "Kunden", "Archiv")');
    // The task file's data.encoding is what every verb reads with; the flag overrides it.
    const taskFile = join(cwd, 'promptune.yaml');
    writeFileSync(taskFile, readFileSync(taskFile, 'utf8').replace('data:\n', 'data:\n  encoding: utf-8\n'));
    const fromTask = await promptune(cwd, 'data', 'import');
    expect(fromTask.status).toBe(1);
    expect(fromTask.stderr).toContain('train.csv: none of its 4 rows can be imported: not valid UTF-8 (given)');
    const flag = await promptune(cwd, 'data', 'import', '--encoding', 'cp1252');
    expect(flag.status, flag.stderr).toBe(0);
    expect(flag.stdout).toContain(`version ${version}\n  read as csv, semicolon-separated (detected), windows-1252 (given)\n`);
  });
});
