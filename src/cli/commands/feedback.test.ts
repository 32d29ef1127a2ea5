// promptune feedback through the real command: corrections and thumbs become labelled examples with provenance.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliRun, runCli } from '../testing.js';

const root = new URL('../../../', import.meta.url).pathname;

const promptune = (cwd: string, ...args: string[]): Promise<CliRun> => runCli(cwd, args, { env: { USER: 'rev' } });

describe('promptune feedback', () => {
  it('records ratings and corrections and exports them as labelled examples', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'pt-feedback-'));
    await promptune(cwd, 'init', '--yes', '--objective', 'Review sentiment', '--labels', 'great,other');
    await promptune(
      cwd,
      'prompt',
      'add',
      'cloze',
      '--template',
      '{text} It was {mask}.',
      '--verbalizer',
      'great=good',
      '--verbalizer',
      'other=bad',
    );
    const fix = await promptune(
      cwd,
      'feedback',
      'add',
      '--text',
      'Stale and overpriced.',
      '--prediction',
      'great',
      '--correct',
      'other',
      '--prompt',
      'cloze',
      '--model-version',
      'run-7',
    );
    expect(fix.status, fix.stderr).toBe(0);
    expect(
      (await promptune(cwd, 'feedback', 'add', '--text', 'Lovely tea.', '--prediction', 'great', '--rating', 'up')).status,
    ).toBe(0);
    expect(
      (await promptune(cwd, 'feedback', 'add', '--text', 'Hmm.', '--prediction', 'other', '--comment', 'no idea')).status,
    ).toBe(0);
    const list = (await promptune(cwd, 'feedback', 'list')).stdout;
    expect(list).toContain('great → other');
    expect(list).toContain('“no idea”');
    expect((await promptune(cwd, 'feedback', 'export', '--out', 'fb.jsonl')).stdout).toBe(
      'Wrote 2 labelled example(s) to fb.jsonl.\n',
    );
    const rows = readFileSync(join(cwd, 'fb.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const byLabel = Object.fromEntries(rows.map((r) => [r.label, r]));
    expect(byLabel.other.input).toEqual({ text: 'Stale and overpriced.' });
    expect(byLabel.other.provenance).toMatchObject({
      labelSource: 'correction',
      prediction: 'great',
      modelVersion: 'run-7',
      author: 'rev',
    });
    expect(byLabel.other.provenance.promptHash).toMatch(/^[0-9a-f]{64}$/);
    expect(byLabel.great.provenance.labelSource).toBe('confirmation');
  });

  it('rejects feedback that names no label of the task or says nothing', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'pt-feedback-'));
    await promptune(cwd, 'init', '--yes', '--objective', 'Review sentiment', '--labels', 'great,other');
    expect((await promptune(cwd, 'feedback', 'add', '--text', 'x', '--correct', 'meh')).stderr).toContain(
      '--correct "meh" is not a label of the task (labels: great, other)',
    );
    expect((await promptune(cwd, 'feedback', 'add', '--text', 'x')).stderr).toContain(
      'needs at least one of --rating, --correct or --comment',
    );
    expect((await promptune(cwd, 'feedback', 'add', '--correct', 'great')).stderr).toContain(
      'feedback needs --input text=... (or --text)',
    );
  });
});
