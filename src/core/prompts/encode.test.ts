// Prompt encoding with real tokenizers: parts traced to tokens, only inputs truncated, masks found, and label
// words tokenized as they appear at the answer slot (WordPiece, byte-level BPE and SentencePiece alike).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Tokenizer } from '../../transformers/index.js';
import { PromptError, buildPreview, checkPrompt, encodePrompt, formatPreview, labelWordIds } from './index.js';

const fixtures = new URL('../../transformers/tokenizers/__fixtures__/', import.meta.url).pathname;
const load = (name: string): Tokenizer => Tokenizer.fromDirectory(join(fixtures, name));
const task = { inputs: [{ name: 'text' }], labels: [{ name: 'great' }, { name: 'other' }] };
const prompt = checkPrompt(
  {
    template: 'Review: {text} All in all, it was {mask}.',
    verbalizer: { great: ['great', 'fantastic'], other: 'disappointing' },
  },
  task,
);

describe('encodePrompt', () => {
  for (const name of ['bert-uncased', 'roberta-bpe', 'xlmr-unigram']) {
    it(`${name}: every token traced to its part, one mask at the answer slot`, () => {
      const tok = load(name);
      const e = encodePrompt(prompt, { text: 'Fresh coffee, fast delivery.' }, tok);
      expect(e.maskPositions.length).toBe(1);
      expect(e.ids[e.maskPositions[0] as number]).toBe(tok.tokenToId(tok.specialTokens.mask as string));
      const roles = e.tokenParts.map((p) => (p === null ? 'special' : (prompt.parts[p]?.role as string)));
      expect(roles[0]).toBe('special');
      expect(roles.at(-1)).toBe('special');
      expect(new Set(roles)).toEqual(new Set(['special', 'instruction', 'input', 'question', 'mask', 'format']));
      // Input tokens spell the input text back.
      const inputTokens = e.offsets.filter((_, i) => roles[i] === 'input').map(([s, t]) => e.text.slice(s, t));
      expect(inputTokens.join('').replace(/\s/g, '')).toBe('Freshcoffee,fastdelivery.');
      expect(e.truncated).toEqual([]);
    });
  }

  it('cuts only the input when too long, and says how much', () => {
    const tok = load('bert-uncased');
    const long = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');
    const e = encodePrompt(prompt, { text: long }, tok, { maxLength: 32 });
    expect(e.ids.length).toBeLessThanOrEqual(32);
    expect(e.ids.length).toBeGreaterThanOrEqual(30);
    expect(e.text.endsWith('All in all, it was [MASK].')).toBe(true);
    expect(e.text.startsWith('Review: word0 word1')).toBe(true);
    expect(e.truncated[0]?.field).toBe('text');
    expect(e.truncated[0]?.removedChars).toBeGreaterThan(1000);
    expect(e.maskPositions.length).toBe(1);
  });

  it('refuses a template that does not fit even with empty inputs', () => {
    const tok = load('bert-uncased');
    const err = (() => {
      try {
        encodePrompt(prompt, { text: 'ok' }, tok, { maxLength: 8 });
      } catch (e) {
        return e;
      }
    })();
    expect(PromptError.isInstance(err) && err.code).toBe('PROMPT_TOO_LONG');
    expect((err as Error).message).toMatch(/the template alone takes \d+ tokens, more than maxLength 8/);
  });
});

describe('labelWordIds', () => {
  it('tokenizes words in context: BPE words carry the space marker, multi-token words stay whole', () => {
    const bpe = load('roberta-bpe');
    const ids = labelWordIds(prompt, ['great', 'other'], bpe);
    const tokens = ids.words.map((ws) => ws.map((w) => w.map((id) => bpe.idToToken(id))));
    expect(tokens[0]?.[0]).toEqual(['Ġgreat']);
    expect(tokens[1]?.[0]?.[0]?.startsWith('Ġ')).toBe(true);
    const bert = load('bert-uncased');
    const b = labelWordIds(prompt, ['great', 'other'], bert);
    expect(b.words[0]?.[0]).toEqual([bert.tokenToId('great')]);
    const lengths = b.words.flat().map((w) => w.length);
    expect(b.maskCount).toBe(Math.max(...lengths));
    // Glued to the word before, the same label word is a different BPE token (no space marker).
    const glued = checkPrompt({ template: '{text} It was:{mask}.', verbalizer: { great: 'great', other: 'bad' } }, task);
    const g = labelWordIds(glued, ['great', 'other'], bpe);
    expect(g.words[0]?.[0]?.map((id) => bpe.idToToken(id)).join('')).toBe('great');
  });
});

describe('preview', () => {
  it('groups tokens by part, counts them, and warns about truncation', () => {
    const tok = load('bert-uncased');
    const long = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
    const preview = buildPreview(encodePrompt(prompt, { text: long }, tok, { maxLength: 40 }), 40);
    expect(preview.total).toBeLessThanOrEqual(40);
    expect(preview.parts.map((p) => p.role)).toEqual(['instruction', 'input', 'question', 'mask', 'format']);
    expect(preview.parts.find((p) => p.role === 'mask')?.tokens).toEqual(['[MASK]']);
    expect(preview.parts.reduce((n, p) => n + p.tokens.length, 0) + preview.specialTokens).toBe(preview.total);
    expect(preview.warnings[0]).toMatch(/^"text" was cut by \d+ characters to fit 40 tokens/);
    const text = formatPreview(preview);
    expect(text).toContain('Rendered:\n  Review: word0 word1');
    expect(text).toMatch(/mask\s+1 tokens {2}\[MASK\]/);
    expect(text).toContain(`Total: ${preview.total} of 40 tokens.`);
    expect(formatPreview(preview, true)).toContain('\x1b[1;35m[MASK]\x1b[0m');
  });
});
