// promptune prompt through the real command: versions with parents and notes, diffs, and a preview that
// tokenizes with the task's model.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliRun, runCli } from '../testing.js';

const root = new URL('../../../', import.meta.url).pathname;
const model = join(root, 'src/transformers/models/__fixtures__/tiny-xlmr-with-tokenizer');

const promptune = (cwd: string, ...args: string[]): Promise<CliRun> => runCli(cwd, args, { env: { USER: 'ana' } });

describe('promptune prompt', () => {
  it('adds, edits, lists, logs, shows, diffs and previews versions', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'pt-prompt-'));
    expect(
      (await promptune(cwd, 'init', '--yes', '--objective', 'Review sentiment', '--labels', 'great,other', '--model', model))
        .status,
    ).toBe(0);
    const add = await promptune(
      cwd,
      'prompt',
      'add',
      'cloze',
      '--template',
      '{text} All in all, it was {mask}.',
      '--verbalizer',
      'great=great|good',
      '--verbalizer',
      'other=bad',
      '--note',
      'first try',
    );
    expect(add.status, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/^Added prompt "cloze" version [0-9a-f]{10}\.\n$/);
    expect(existsSync(join(cwd, '.promptune', 'promptune.db'))).toBe(true);
    const edit = await promptune(
      cwd,
      'prompt',
      'edit',
      'cloze',
      '--template',
      'Review: {text} Overall it was {mask}.',
      '--note',
      'shorter',
    );
    expect(edit.stdout).toContain(
      '- template: "{text} All in all, it was {mask}."\n+ template: "Review: {text} Overall it was {mask}."',
    );
    const same = await promptune(cwd, 'prompt', 'edit', 'cloze', '--template', 'Review: {text} Overall it was {mask}.');
    expect(same.stdout).toMatch(/^Nothing changed/);
    expect((await promptune(cwd, 'prompt', 'list')).stdout).toMatch(
      /^cloze {2}[0-9a-f]{10} {2}2 versions {2}Review: \{text\} Overall it was \{mask\}\.\n$/,
    );
    const log = (await promptune(cwd, 'prompt', 'log', 'cloze')).stdout.split('\n');
    expect(log[0]).toMatch(/^[0-9a-f]{10} {2}\S+ {2}ana {2}shorter$/);
    expect(log[2]).toMatch(/ {2}ana {2}first try$/);
    const first = (log[2] as string).slice(0, 10);
    expect((await promptune(cwd, 'prompt', 'show', first)).stdout).toContain('template: "{text} All in all, it was {mask}."');
    expect((await promptune(cwd, 'prompt', 'diff', first, 'cloze')).stdout).toContain(
      '+ template: "Review: {text} Overall it was {mask}."',
    );
    const preview = await promptune(cwd, 'prompt', 'preview', 'cloze', '--text', 'Tea arrived fresh.', '--no-colour');
    expect(preview.status, preview.stderr).toBe(0);
    expect(preview.stdout).toContain('Rendered:\n  Review: Tea arrived fresh. Overall it was <mask>.');
    expect(preview.stdout).toMatch(/mask\s+1 tokens\s+<mask>/);
    expect(preview.stdout).toContain('Total: ');
    expect(preview.stdout).toContain('of 64 tokens.');
    expect(preview.stdout).toMatch(/great: ▁great, ▁good\n {2}other: ▁bad/);
  });

  it('says what is wrong and what to do', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'pt-prompt-'));
    await promptune(cwd, 'init', '--yes', '--objective', 'Review sentiment', '--labels', 'great,other', '--model', model);
    const noWords = await promptune(
      cwd,
      'prompt',
      'add',
      'p',
      '--template',
      '{text} It was {mask}.',
      '--verbalizer',
      'great=good',
    );
    expect(noWords.status).toBe(1);
    expect(noWords.stderr).toContain('verbalizer: no words for "other"');
    const badSlot = await promptune(
      cwd,
      'prompt',
      'add',
      'p',
      '--template',
      '{body} It was {mask}.',
      '--verbalizer',
      'great=good',
      '--verbalizer',
      'other=bad',
    );
    expect(badSlot.stderr).toContain('unknown slot {body}: use one of {text}, {mask}');
    expect((await promptune(cwd, 'prompt', 'log', 'nope')).stderr).toContain('no prompt named "nope"');
    await promptune(
      cwd,
      'prompt',
      'add',
      'p',
      '--template',
      '{text} It was {mask}.',
      '--verbalizer',
      'great=good',
      '--verbalizer',
      'other=bad',
    );
    expect(
      (
        await promptune(
          cwd,
          'prompt',
          'add',
          'p',
          '--template',
          '{text} {mask}',
          '--verbalizer',
          'great=a',
          '--verbalizer',
          'other=b',
        )
      ).stderr,
    ).toContain('a prompt named "p" exists: change it with "promptune prompt edit p"');
    expect((await promptune(cwd, 'prompt', 'preview', 'p')).stderr).toContain('preview needs --input text=... (or --text)');
  });
});
