// Each pre-tokenizer, normalizer and decoder on its own against the reference (goldens/components.json), plus
// the reference's per-character lowercase table against ours for every code point.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decoderFromJSON } from './decoders.js';
import { NormalizedString } from './normalized-string.js';
import { lowercase, normalizerFromJSON } from './normalizers.js';
import { PreTokenizedString } from './pre-tokenized.js';
import { preTokenizerFromJSON } from './pre-tokenizers.js';
import { MAY_JOIN } from './precompiled-charsmap.js';
import { GOLDENS, cpToUnit } from './testing.js';

interface Components {
  strings: string[];
  pre_tokenizers: { config: Record<string, unknown>; results: [string, [number, number]][][] }[];
  normalizers: { config: Record<string, unknown>; results: string[] }[];
  decoders: { config: Record<string, unknown>; tokens: string[]; decoded: string }[];
}

const golden = JSON.parse(readFileSync(join(GOLDENS, 'components.json'), 'utf8')) as Components;
const where = { file: 'test', path: [] };

describe('pre-tokenizers match the reference', () => {
  for (const p of golden.pre_tokenizers) {
    it(JSON.stringify(p.config).slice(0, 100), () => {
      const pre = preTokenizerFromJSON(p.config, where);
      golden.strings.forEach((s, i) => {
        const pts = new PreTokenizedString([{ n: NormalizedString.from(s), tokens: null }]);
        pre.preTokenize(pts);
        const m = cpToUnit(s);
        const want = p.results[i]!.map(([t, [a, b]]) => [t, [m[a], m[b]]]);
        expect(
          pts.splits.map((x) => [x.n.normalized, [x.n.originalStart, x.n.originalEnd]]),
          JSON.stringify(s),
        ).toEqual(want);
      });
    });
  }
});

describe('normalizers match the reference', () => {
  for (const n of golden.normalizers) {
    it(JSON.stringify(n.config), () => {
      const norm = normalizerFromJSON(n.config, where);
      golden.strings.forEach((s, i) => {
        const ns = NormalizedString.from(s);
        norm.normalize(ns);
        expect(ns.normalized, JSON.stringify(s)).toBe(n.results[i]);
        expect(ns.align.length).toBeGreaterThanOrEqual(2 * (ns.base + ns.normalized.length));
      });
    });
  }
});

describe('decoders match the reference', () => {
  for (const d of golden.decoders) {
    it(JSON.stringify(d.config).slice(0, 100), () => {
      expect(decoderFromJSON(d.config, where).decodeChain(d.tokens).join('')).toBe(d.decoded);
    });
  }
});

describe('grapheme shortcut of the Precompiled normalizer', () => {
  it('characters outside MAY_JOIN never join a cluster (checked with the runtime segmenter)', () => {
    const seg = new Intl.Segmenter('en', { granularity: 'grapheme' });
    const joined: string[] = [];
    // The BMP, and every 8th astral code point (characters assigned after Unicode 15 aside).
    for (let cp = 0; cp < 0x110000; cp += cp < 0x10000 ? 1 : 8) {
      if ((cp >= 0xd800 && cp < 0xe000) || cp === 0x0d || cp === 0x0a) continue;
      const c = String.fromCodePoint(cp);
      if (MAY_JOIN.test(c) || [0x113d1, 0x16d63, 0x16d67, 0x16d68, 0x16d69, 0x16d6a].includes(cp)) continue;
      for (const s of [`a${c}a`, c + c]) if ([...seg.segment(s)].length !== [...s].length) joined.push(cp.toString(16));
    }
    expect(joined).toEqual([]);
  });
});

describe('unicode tables', () => {
  it('lowercases every code point like the reference (Rust char::to_lowercase)', () => {
    const ref = JSON.parse(readFileSync(join(GOLDENS, 'unicode-lowercase.json'), 'utf8')) as Record<string, string>;
    const diffs: string[] = [];
    for (let cp = 0; cp < 0x110000; cp++) {
      if (cp >= 0xd800 && cp < 0xe000) continue;
      const s = String.fromCodePoint(cp);
      const n = NormalizedString.from(s);
      lowercase(n);
      const want = ref[cp.toString(16)] ?? s;
      if (n.normalized !== want) diffs.push(`U+${cp.toString(16)}: ${JSON.stringify(n.normalized)} vs ${JSON.stringify(want)}`);
    }
    expect(diffs).toEqual([]);
  });
});
