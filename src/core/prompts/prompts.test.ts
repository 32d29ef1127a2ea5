// Template language, verbalizers, prompt hashes, rendering with part spans, and the version diff.
import { describe, expect, it } from 'vitest';
import {
  PromptError,
  checkPrompt,
  diffLines,
  formatTemplate,
  labelWords,
  parseTemplate,
  parseVerbalizerSpecs,
  promptHash,
  promptTokenNames,
  renderPrompt,
} from './index.js';

const task = { inputs: [{ name: 'title' }, { name: 'body' }], labels: [{ name: 'positive' }, { name: 'negative' }] };

function error(fn: () => unknown): PromptError {
  try {
    fn();
  } catch (e) {
    if (PromptError.isInstance(e)) return e;
    throw e;
  }
  throw new Error('expected a PromptError');
}

describe('template language', () => {
  it('gives plain text its role from where it stands', () => {
    const parts = parseTemplate('Review: {title}. {body} {soft:2}All in all, it was {mask}. Answer in one word.', [
      'title',
      'body',
    ]);
    expect(parts.map((p) => p.role)).toEqual([
      'instruction',
      'input',
      'question',
      'input',
      'question',
      'prompt-tokens',
      'question',
      'mask',
      'format',
    ]);
    expect(formatTemplate(parts)).toBe('Review: {title}. {body} {soft:2}All in all, it was {mask}. Answer in one word.');
  });

  it('keeps literal braces and round-trips them', () => {
    const parts = parseTemplate('{{json}} {body} => {mask}', ['body']);
    expect(parts[0]).toEqual({ role: 'instruction', text: '{json} ' });
    expect(formatTemplate(parts)).toBe('{{json}} {body} => {mask}');
  });

  it('points at the mistake', () => {
    expect(error(() => parseTemplate('{text} was {mask}', ['body'])).message).toMatch(
      /unknown slot \{text\}: use one of \{body\}, \{mask\}.*\n {4}\{text\} was \{mask\}\n {4}\^/,
    );
    expect(error(() => parseTemplate('{body} was good', ['body'])).message).toContain('exactly one {mask}');
    expect(error(() => parseTemplate('It was {mask}', ['body'])).message).toContain('at least one input slot');
    expect(error(() => parseTemplate('{body} } {mask}', ['body'])).message).toContain('unbalanced brace');
    expect(error(() => parseTemplate('{body} {soft:99} {mask}', ['body'])).message).toContain('1 to 50 prompt tokens');
  });
});

describe('verbalizers and prompt versions', () => {
  it('looks words up per language with a fallback', () => {
    const v = parseVerbalizerSpecs(['positive=great|good', 'negative=bad']);
    expect(v).toEqual({ positive: ['great', 'good'], negative: ['bad'] });
    const multi = { positive: { en: 'great', fr: ['super', 'génial'], '*': 'good' }, negative: 'bad' };
    expect(labelWords(multi, 'positive', 'fr')).toEqual(['super', 'génial']);
    expect(labelWords(multi, 'positive', 'de')).toEqual(['good']);
    expect(labelWords(multi, 'negative', 'fr')).toEqual(['bad']);
    expect(() => parseVerbalizerSpecs(['positive'])).toThrow(/write label=word/);
  });

  it('checks a prompt against the task and hashes its content, not its key order', () => {
    const a = checkPrompt(
      { template: '{title} {body} It was {mask}.', verbalizer: { positive: 'great', negative: 'bad' } },
      task,
    );
    const b = checkPrompt(
      { verbalizer: { negative: 'bad', positive: 'great' }, template: '{title} {body} It was {mask}.' },
      task,
    );
    expect(a.hash).toBe(b.hash);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(promptHash({ ...a.spec, template: '{title} {body} It is {mask}.' })).not.toBe(a.hash);
    expect(
      error(() => checkPrompt({ template: '{body} {mask}', verbalizer: { positive: 'great', neutral: 'ok' } }, task)).message,
    ).toBe('verbalizer: no words for "negative"; "neutral" is not a label of the task (labels: positive, negative).');
  });

  it('renders with part spans, expanded masks and numbered prompt tokens', () => {
    const parts = parseTemplate('Review: {body} {soft:2}It was {mask}.', ['body']);
    expect(promptTokenNames(parts)).toEqual(['[P0]', '[P1]']);
    const r = renderPrompt(parts, { body: 'Tasty, cheap.' }, { mask: '[MASK]', sep: '[SEP]', maskCount: 2 });
    expect(r.text).toBe('Review: Tasty, cheap. [P0][P1]It was [MASK][MASK].');
    for (const s of r.spans) expect(r.text.slice(s.start, s.end).length).toBe(s.end - s.start);
    const input = r.spans.find((s) => s.role === 'input');
    expect(r.text.slice(input?.start, input?.end)).toBe('Tasty, cheap.');
    const mask = r.spans.find((s) => s.role === 'mask');
    expect(r.text.slice(mask?.start, mask?.end)).toBe('[MASK][MASK]');
    expect(() => renderPrompt(parts, { title: 'x' }, { mask: '[MASK]', sep: '' })).toThrow(/no "body" field \(it has title\)/);
  });

  it('diffs two versions line by line', () => {
    const d = diffLines(
      'template: {body} It was {mask}.\nverbalizer: a',
      'template: {body} All in all, it was {mask}.\nverbalizer: a',
    );
    expect(d).toEqual([
      { op: '-', line: 'template: {body} It was {mask}.' },
      { op: '+', line: 'template: {body} All in all, it was {mask}.' },
      { op: ' ', line: 'verbalizer: a' },
    ]);
  });
});
