// save() writes a directory the Python libraries load (tokenizers.Tokenizer.from_file and transformers'
// AutoTokenizer), added prompt tokens included, and that encodes exactly like the tokenizer that wrote it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, cpToUnit } from './testing.js';
import { Tokenizer } from './tokenizer.js';

const root = new URL('../../../', import.meta.url).pathname;
const python = join(root, '.venv-ref', 'bin', 'python');

const STRINGS = [
  'Hello world! [P0] prompt [P1] text',
  'The café served crème brûlée 😀 日本語',
  '  spaces\tand\nlines  ',
  '[P0][P1]',
];

interface PyOut {
  tokenizers: { ids: number[]; tokens: string[]; offsets: [number, number][]; decoded: string }[];
  transformers: { ids: number[] }[];
  vocab_size: number;
  special_tokens: Record<string, string | string[]>;
  model_max_length: number;
}

function roundTrip(t: Tokenizer): { dir: string; py: PyOut } {
  const dir = mkdtempSync(join(tmpdir(), 'pt-tok-save-'));
  t.save(dir);
  const strings = join(dir, 'strings.json');
  writeFileSync(strings, JSON.stringify(STRINGS));
  const r = spawnSync(python, [join(root, 'scripts', 'fixtures', 'check_tokenizer_save.py'), dir, strings], {
    encoding: 'utf8',
    env: { ...process.env, TOKENIZERS_PARALLELISM: 'false', TRANSFORMERS_VERBOSITY: 'error' },
  });
  expect(r.status, r.stderr).toBe(0);
  return { dir, py: JSON.parse(r.stdout) as PyOut };
}

describe('save() → Python', () => {
  it('the reference venv exists', () => {
    expect(existsSync(python), 'the Python reference venv is missing: run `bash scripts/setup-python-ref.sh`').toBe(true);
  });

  for (const name of ['bert-uncased', 'roberta-bpe', 'xlmr-unigram']) {
    it(`${name} with prompt tokens loads in tokenizers and transformers and encodes identically`, () => {
      const t = Tokenizer.fromDirectory(join(FIXTURES, name));
      t.truncation = null;
      t.padding = null;
      const ids = t.addSpecialTokens(['[P0]', '[P1]']);
      expect(ids[1]).toBe(ids[0]! + 1);
      const { dir, py } = roundTrip(t);
      expect(py.vocab_size).toBe(t.vocabSize);
      expect(py.special_tokens.additional_special_tokens).toEqual(['[P0]', '[P1]']);
      STRINGS.forEach((s, i) => {
        const e = t.encode(s);
        const ref = py.tokenizers[i]!;
        const m = cpToUnit(s);
        expect(e.ids, s).toEqual(ref.ids);
        expect(e.tokens, s).toEqual(ref.tokens);
        expect(e.offsets, s).toEqual(ref.offsets.map(([a, b]) => [m[a], m[b]]));
        expect(t.decode(e.ids, { skipSpecialTokens: true }), s).toBe(ref.decoded);
        expect(e.ids, `${s} (AutoTokenizer)`).toEqual(py.transformers[i]!.ids);
      });
      // And the saved directory loads back here with the same behaviour.
      const back = Tokenizer.fromDirectory(dir);
      expect(back.vocabSize).toBe(t.vocabSize);
      expect(back.specialTokens).toEqual(t.specialTokens);
      for (const s of STRINGS) expect(back.encode(s)).toEqual(t.encode(s));
      expect(JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8'))).toEqual(back.toJSON());
    });
  }
});
