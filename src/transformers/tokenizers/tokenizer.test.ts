// The Tokenizer API: file defaults, options, offsets into the original text, prompt tokens, batch helpers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Encoding } from './encoding.js';
import { TokenizerError } from './errors.js';
import { FIXTURES, type RefCase, type RefEncoding, readGolden, refToOurs } from './testing.js';
import { Tokenizer } from './tokenizer.js';

const bertDir = join(FIXTURES, 'bert-uncased');
const plain = { truncation: false, padding: false } as const;

function drop(e: Encoding, keepOverflow: number): unknown {
  return { ...e, overflowing: e.overflowing.slice(0, keepOverflow).map((o) => drop(o, 0)) };
}

describe('Tokenizer', () => {
  it("applies the tokenizer.json's own truncation (128) and fixed padding (128), like the reference's encode", () => {
    const g = readGolden<{ cases: (RefCase & { overflowing_count: number })[]; batch: RefEncoding[] }>(
      'bert-uncased-file-defaults',
    );
    const t = Tokenizer.fromFile(join(bertDir, 'tokenizer.json'));
    expect(t.truncation).toEqual({ maxLength: 128, strategy: 'longest_first', stride: 0, direction: 'right' });
    for (const c of g.cases) {
      const [a, b] = typeof c.input === 'string' ? [c.input === 'long-text.txt' ? readLong() : c.input, null] : c.input;
      const e = t.encode(a, b);
      expect(e.overflowing.length).toBe(c.overflowing_count);
      const ref = refToOurs(c, a, b) as unknown as Encoding;
      expect(drop(e, 2)).toEqual({ ...ref, overflowing: ref.overflowing.map((o) => ({ ...o, overflowing: [] })) });
    }
    const batch = t.encodeBatch([
      'Hello world!',
      'I absolutely LOVE this dried fruit. The apples and apricots are nice and sweet.',
    ]);
    expect(batch.map((e) => e.ids)).toEqual(g.batch.map((e) => e.ids));
    expect(t.encode('Hello world!', null, plain).ids).toEqual([101, 7592, 2088, 999, 102]);
  });

  it('gives offsets into the original text that highlight each token (UTF-16 indices)', () => {
    const t = Tokenizer.fromDirectory(bertDir);
    const text = 'Crème brûlée 😀 is GREAT!';
    const e = t.encode(text, null, plain);
    const pieces = e.offsets.map(([a, b]) => text.slice(a, b));
    expect(e.tokens).toEqual(['[CLS]', 'cr', '##eme', 'br', '##ule', '##e', '[UNK]', 'is', 'great', '!', '[SEP]']);
    // As in the reference: "##ule" spans the original "ûlé" (the accent stripped from é stays with it).
    expect(pieces).toEqual(['', 'Cr', 'ème', 'br', 'ûlé', 'e', '😀', 'is', 'GREAT', '!', '']);
    expect(e.wordIds).toEqual([null, 0, 0, 1, 1, 1, 2, 3, 4, 5, null]);
    const r = Tokenizer.fromDirectory(join(FIXTURES, 'roberta-bpe'));
    const re = r.encode(text, null, plain);
    // Byte-level pieces of one character all point at that whole character; spaces are trimmed away.
    const spans = re.offsets.filter((_, i) => re.specialTokensMask[i] === 0).map(([a, b]) => text.slice(a, b));
    expect(spans.slice(-4)).toEqual(['is', 'G', 'REAT', '!']);
    expect(spans).toContain('😀');
    expect(spans.every((s) => text.includes(s) && s.trim() === s)).toBe(true);
  });

  it('adds prompt tokens as special tokens with new ids, matched on the raw text and skipped when decoding', () => {
    const t = Tokenizer.fromDirectory(bertDir);
    const before = t.vocabSize;
    const ids = t.addSpecialTokens(['[P0]', '[P1]', '[P2]']);
    expect(ids).toEqual([before, before + 1, before + 2]);
    expect(t.vocabSize).toBe(before + 3);
    expect(t.addSpecialTokens(['[P1]', '[CLS]'])).toEqual([before + 1, 101]);
    expect(t.vocabSize).toBe(before + 3);
    const text = '[P0][P1] Review: tasty! [P2]';
    const e = t.encode(text, null, plain);
    expect(e.tokens).toEqual(['[CLS]', '[P0]', '[P1]', 'review', ':', 'ta', '##sty', '!', '[P2]', '[SEP]']);
    expect(e.offsets.map(([a, b]) => text.slice(a, b)).slice(1, 3)).toEqual(['[P0]', '[P1]']);
    expect(t.decode(e.ids, { skipSpecialTokens: true })).toBe('review : tasty!');
    expect(t.decode(e.ids)).toBe('[CLS] [P0] [P1] review : tasty! [P2] [SEP]');
    expect(t.specialTokens.additional).toEqual(['[P0]', '[P1]', '[P2]']);
    expect(t.idToToken(before + 2)).toBe('[P2]');
    expect(t.tokenToId('[P0]')).toBe(before);
    const plainIds = t.addTokens(['tastiness', { content: 'GREAT', normalized: false, singleWord: true }]);
    expect(plainIds).toEqual([before + 3, before + 4]);
    expect(t.encode('tastiness GREAT GREATER', null, plain).tokens).toEqual(['[CLS]', 'tastiness', 'GREAT', 'greater', '[SEP]']);
  });

  it('encodeBatch pads to the longest or to a fixed length, on either side, to a multiple; options override file defaults', () => {
    const t = Tokenizer.fromDirectory(bertDir);
    const texts = ['short', 'a somewhat longer sentence here'];
    const longest = t.encodeBatch(texts, { padding: { strategy: 'longest' }, truncation: false });
    expect(longest.map((e) => e.ids.length)).toEqual([7, 7]);
    expect(longest[0]!.attentionMask).toEqual([1, 1, 1, 0, 0, 0, 0]);
    expect(longest[0]!.tokens.slice(3)).toEqual(['[PAD]', '[PAD]', '[PAD]', '[PAD]']);
    const left = t.encodeBatch(texts, { padding: { strategy: 'max_length', maxLength: 10, side: 'left', padToMultipleOf: 4 } });
    expect(left.map((e) => e.ids.length)).toEqual([12, 12]);
    expect(left[0]!.ids.slice(0, 9)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(left[0]!.specialTokensMask.slice(8)).toEqual([1, 1, 0, 1]);
    const cut = t.encodeBatch([['a question here', 'and a long context that goes on and on']], {
      truncation: { maxLength: 10, strategy: 'only_second', stride: 2 },
      padding: false,
    });
    expect(cut[0]!.ids.length).toBe(10);
    expect(cut[0]!.overflowing.length).toBeGreaterThan(0);
    expect(cut[0]!.sequenceIds).toEqual([null, 0, 0, 0, null, 1, 1, 1, 1, null]);
    expect(
      t.decodeBatch(
        cut.map((e) => e.ids),
        { skipSpecialTokens: true },
      ),
    ).toEqual(['a question here and a long context']);
    expect(t.encode('x', null, {}).ids.length).toBe(128);
    t.setPadding(null);
    t.setTruncation({ maxLength: 4 });
    expect(t.encode('a b c d e').tokens).toEqual(['[CLS]', 'a', 'b', '[SEP]']);
    t.setPadding({ strategy: 'max_length', maxLength: 6 });
    expect(t.encode('a').tokens).toEqual(['[CLS]', 'a', '[SEP]', '[PAD]', '[PAD]', '[PAD]']);
    expect(t.encode('x', null, { addSpecialTokens: false, ...plain }).ids).toEqual([1060]);
  });

  it('reports impossible truncation and missing pad tokens as TokenizerError', () => {
    const t = Tokenizer.fromDirectory(bertDir);
    expect(() => t.encode('a b c d e f', null, { truncation: { maxLength: 4, strategy: 'only_second' } })).toThrowError(
      /only_second needs a pair/,
    );
    expect(() => t.encode('a b c d e f', null, { truncation: { maxLength: 4, stride: 3 } })).toThrowError(
      /stride 3 must be below the length left after 2 special tokens/,
    );
    expect(() => t.encode('a b c', null, { truncation: { maxLength: 1 }, padding: false })).toThrowError(TokenizerError);
  });
});

function readLong(): string {
  return readFileSync(join(FIXTURES, 'goldens', 'long-text.txt'), 'utf8');
}
