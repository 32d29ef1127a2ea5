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
