// Seeded random Unicode (all planes, surrogate pairs, combining marks, emoji sequences, controls, whitespace):
// encoding never throws, offsets stay inside the input, on code point boundaries and in order, and decoding
// gives back the input wherever the model allows it:
//   - byte-level BPE without a prefix space: decode(encode(x)) === x exactly;
//   - WordPiece (BERT): when no [UNK] is produced, decode(encode(x)) equals the normalized text with every
//     whitespace run and word boundary turned into one space (so both agree once whitespace is removed);
//   - Unigram (SentencePiece): when no unknown piece is produced (always, with byte fallback), decode(encode(x))
//     equals the normalized text with ▁ read as a space, up to leading/trailing spaces.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../shared/index.js';
import { NormalizedString } from './normalized-string.js';
import { normalizerFromJSON } from './normalizers.js';
import { type Golden, goldenTokenizer, readGolden, specJSON } from './testing.js';

const POOLS: [number, number][] = [
  [0x20, 0x7e], // ASCII
  [0x20, 0x7e],
  [0x61, 0x7a],
  [0xa0, 0x24f], // Latin-1 and extended Latin
  [0x300, 0x36f], // combining marks
  [0x370, 0x4ff], // Greek, Cyrillic
  [0x590, 0x6ff], // Hebrew, Arabic
  [0xe00, 0xe7f], // Thai
  [0x3040, 0x30ff], // kana
  [0x4e00, 0x4fff], // CJK
  [0xac00, 0xad00], // Hangul
  [0xff00, 0xffef], // fullwidth / halfwidth
  [0x1f300, 0x1faff], // emoji (surrogate pairs)
  [0x1d400, 0x1d7ff], // math alphanumerics
  [0x0, 0x1f], // controls
];
const SPECIAL = [0x200d, 0xfe0f, 0x200b, 0xfeff, 0x3000, 0xa0, 0x2028, 0x9, 0xa, 0xd, 0x1f3fd, 0x1f1eb, 0x1f1f7, 0xfffd, 0xad];

function randomText(r: () => number): string {
  const n = Math.floor(r() ** 2 * 40);
  const cps: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = r();
    let cp: number;
    if (k < 0.1) cp = SPECIAL[Math.floor(r() * SPECIAL.length)]!;
    else if (k < 0.2) {
      // any plane, anything but surrogates
      cp = Math.floor(r() * 0x110000);
      if (cp >= 0xd800 && cp < 0xe000) cp = 0x41;
    } else if (k < 0.35) cp = 0x20;
    else {
      const [a, b] = POOLS[Math.floor(r() * POOLS.length)]!;
      cp = a + Math.floor(r() * (b - a + 1));
    }
    cps.push(cp);
  }
  return String.fromCodePoint(...cps);
}

const r = seededRandom(20261124);
const TEXTS = Array.from({ length: 300 }, () => randomText(r));

function normalizerOf(g: Golden): (s: string) => string {
  const json = specJSON(g);
  const n = json.normalizer ? normalizerFromJSON(json.normalizer, { file: g.name, path: [] }) : null;
  return (s) => {
    const ns = NormalizedString.from(s);
    n?.normalize(ns);
    return ns.normalized;
  };
}

const isLow = (s: string, i: number) =>
  i > 0 && i < s.length && (s.charCodeAt(i) & 0xfc00) === 0xdc00 && (s.charCodeAt(i - 1) & 0xfc00) === 0xd800;

describe.each([
  'bert-uncased',
  'bert-cased',
  'wordpiece-components',
  'roberta-bpe',
  'gpt2-bpe',
  'bpe-unk-fallback',
  'xlmr-unigram',
  'unigram-bytefallback',
])('fuzz: %s', (name) => {
  const g = readGolden<Golden>(name);
  const t = goldenTokenizer(g);

  it(`${TEXTS.length} random strings: no throw, offsets in bounds, on code point boundaries, in order`, () => {
    for (const x of TEXTS) {
      const e = t.encode(x);
      let last = 0;
      e.offsets.forEach(([a, b], i) => {
        const where = `${JSON.stringify(x)} token ${i} ${JSON.stringify(e.tokens[i])} [${a}, ${b}]`;
        expect(a >= 0 && a <= b && b <= x.length, where).toBe(true);
        expect(isLow(x, a) || isLow(x, b), where).toBe(false);
        if (e.specialTokensMask[i] === 0) {
          expect(a, where).toBeGreaterThanOrEqual(last);
          last = a;
        }
      });
      const pair = t.encode(x, x.split('').reverse().join(''));
      expect(pair.ids.length).toBe(pair.offsets.length);
    }
  });
});

describe('fuzz: decode(encode(x)) gives the input back where the model allows it', () => {
  it('byte-level BPE without prefix space (gpt2-bpe): exactly', () => {
    const t = goldenTokenizer(readGolden('gpt2-bpe'));
    for (const x of TEXTS) expect(t.decode(t.encode(x).ids), JSON.stringify(x)).toBe(x);
  });

  it('WordPiece (bert-uncased): the normalized text, whitespace aside, whenever no [UNK] is produced', () => {
    const g = readGolden<Golden>('bert-uncased');
    const t = goldenTokenizer(g);
    const normalize = normalizerOf(g);
    const unk = t.tokenToId('[UNK]');
    let checked = 0;
    for (const x of TEXTS) {
      const e = t.encode(x, null, { addSpecialTokens: false });
      if (e.ids.includes(unk!) || x.includes('do not')) continue;
      checked++;
      const squash = (s: string) => s.replace(/\s+/gu, '');
      expect(squash(t.decode(e.ids)), JSON.stringify(x)).toBe(squash(normalize(x)));
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('Unigram (xlmr-unigram, unigram-bytefallback): the normalized text with ▁ as space, whenever no unknown piece', () => {
    for (const name of ['xlmr-unigram', 'unigram-bytefallback']) {
      const g = readGolden<Golden>(name);
      const t = goldenTokenizer(g);
      const normalize = normalizerOf(g);
      const unk = t.tokenToId('<unk>');
      let checked = 0;
      for (const x of TEXTS) {
        const e = t.encode(x, null, { addSpecialTokens: false });
        if (e.ids.includes(unk!)) continue;
        checked++;
        expect(t.decode(e.ids).trim(), `${name} ${JSON.stringify(x)}`).toBe(normalize(x).replaceAll('▁', ' ').trim());
      }
      expect(checked, name).toBeGreaterThan(name === 'unigram-bytefallback' ? 295 : 50);
    }
  });
});

describe('fuzz: malformed UTF-16', () => {
  it('lone surrogates are encoded without throwing, with offsets in bounds', () => {
    for (const name of ['bert-uncased', 'roberta-bpe', 'xlmr-unigram', 'unigram-bytefallback']) {
      const t = goldenTokenizer(readGolden(name));
      for (const x of ['\ud800', 'a\udc00b', '\udbff\udbff x \udfff', '😀\ud83d']) {
        const e = t.encode(x);
        for (const [a, b] of e.offsets) expect(a >= 0 && a <= b && b <= x.length, `${name} ${JSON.stringify(x)}`).toBe(true);
        expect(typeof t.decode(e.ids)).toBe('string');
      }
    }
  });
});

describe('fuzz: the 20,000-character text', () => {
  it('round-trips through byte-level BPE', () => {
    const text = readFileSync(join(new URL('./__fixtures__/goldens/', import.meta.url).pathname, 'long-text.txt'), 'utf8');
    const t = goldenTokenizer(readGolden('gpt2-bpe'));
    expect(t.decode(t.encode(text).ids)).toBe(text);
  });
});
