import { describe, expect, it } from 'vitest';
import { Tokenizer } from '../../transformers/index.js';
import { inputTokenCounter } from './classifier.js';

const TINY = new URL('../../transformers/models/__fixtures__/tiny-xlmr-with-tokenizer/', import.meta.url).pathname;

describe('inputTokenCounter', () => {
  const tokenizer = Tokenizer.fromDirectory(TINY);
  tokenizer.padding = null;
  tokenizer.truncation = null;

  it('counts what the tokenizer makes of an input, special tokens included, capped at the max length', () => {
    const count = inputTokenCounter(TINY, { inputs: ['text'], maxLength: 24 });
    const short = 'The soup was great.';
    expect(count({ text: short })).toBe(tokenizer.encode(short).ids.length);
    expect(count({ text: short })).toBeGreaterThan(2);
    expect(count({ text: 'word '.repeat(200) })).toBe(24);
    // Far past what max length can hold: counted as full without being tokenized.
    expect(count({ text: 'x'.repeat(24 * 16 + 1) })).toBe(24);
    // Not a string: short here; the worker refuses it with its own message.
    expect(count({} as Record<string, string>)).toBe(tokenizer.encode('').ids.length);
  });

  it('counts a pair of fields as the classification recipe joins them', () => {
    const count = inputTokenCounter(TINY, { inputs: ['question', 'answer'], maxLength: 64 });
    const pair = tokenizer.encode('Was it fresh?', 'Yes, very.').ids.length;
    expect(count({ question: 'Was it fresh?', answer: 'Yes, very.' })).toBe(pair);
    const three = inputTokenCounter(TINY, { inputs: ['a', 'b', 'c'], maxLength: 64 });
    expect(three({ a: 'one', b: 'two', c: 'three' })).toBe(tokenizer.encode('one\ntwo\nthree').ids.length);
  });
});
