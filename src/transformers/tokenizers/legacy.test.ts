// Checkpoints without tokenizer.json (vocab.txt; vocab.json + merges.txt) build the pipeline transformers'
// converters build, and encode like it; and tokenizer_config.json / special_tokens_map.json are honoured.
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, type RefCase, diffCase, readGolden } from './testing.js';
import { Tokenizer } from './tokenizer.js';

interface LegacyGolden {
  name: string;
  files: Record<string, string>;
  tokenizer_config: Record<string, unknown>;
  special_tokens_map: Record<string, unknown>;
  converted: Record<string, unknown>;
  model_max_length: number | null;
  special_tokens: Record<string, string>;
  vocab_size: number;
  cases: RefCase[];
}

function legacyDir(g: LegacyGolden): string {
  const dir = mkdtempSync(join(tmpdir(), 'pt-tok-legacy-'));
  for (const [dst, src] of Object.entries(g.files)) copyFileSync(join(FIXTURES, src), join(dir, dst));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(g.tokenizer_config));
  if (Object.keys(g.special_tokens_map).length > 0) {
    writeFileSync(join(dir, 'special_tokens_map.json'), JSON.stringify(g.special_tokens_map));
  }
  return dir;
}

describe.each(['bert-legacy-uncased', 'bert-legacy-cased', 'roberta-legacy'])('legacy files: %s', (name) => {
  const g = readGolden<LegacyGolden>(name);
  const t = Tokenizer.fromDirectory(legacyDir(g));

  it('builds the same pipeline as transformers (components, added tokens, model settings)', () => {
    const ours = t.toJSON();
    const model = { ...(ours.model as Record<string, unknown>), vocab: undefined, merges: undefined };
    const plain = (x: unknown) => JSON.parse(JSON.stringify(x));
    expect(plain({ ...ours, model })).toEqual(plain({ ...g.converted, model: g.converted.model }));
    expect(t.vocabSize).toBe(g.vocab_size);
    expect(t.modelMaxLength).toBe(g.model_max_length);
    const roles: Record<string, string> = {};
    for (const [k, v] of Object.entries(g.special_tokens)) roles[k.replace('_token', '')] = v;
    expect({ ...t.specialTokens, additional: undefined }).toEqual({ ...roles, additional: undefined });
  });

  it(`encodes like the converted tokenizer: ${g.cases.length} inputs`, () => {
    expect(g.cases.flatMap((c) => diffCase(t, c))).toEqual([]);
  });
});

describe('checkpoint directories with tokenizer.json', () => {
  it('reads special tokens and model_max_length from the config files', () => {
    const t = Tokenizer.fromDirectory(join(FIXTURES, 'bert-uncased'));
    expect(t.specialTokens).toEqual({
      cls: '[CLS]',
      sep: '[SEP]',
      pad: '[PAD]',
      mask: '[MASK]',
      unk: '[UNK]',
      additional: [],
    });
    expect(t.modelMaxLength).toBe(512);
    const x = Tokenizer.fromDirectory(join(FIXTURES, 'xlmr-unigram'));
    expect(x.specialTokens).toMatchObject({ bos: '<s>', eos: '</s>', cls: '<s>', sep: '</s>', pad: '<pad>', mask: '<mask>' });
  });

  it('applies do_lower_case from tokenizer_config.json over the BertNormalizer of tokenizer.json, as transformers does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pt-tok-cased-'));
    copyFileSync(join(FIXTURES, 'bert-uncased', 'tokenizer.json'), join(dir, 'tokenizer.json'));
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ do_lower_case: false }));
    const cased = Tokenizer.fromDirectory(dir);
    expect(cased.encode('Hello', null, { padding: false }).tokens).toEqual(['[CLS]', '[UNK]', '[SEP]']);
    const uncased = Tokenizer.fromDirectory(join(FIXTURES, 'bert-uncased'));
    expect(uncased.encode('Hello', null, { padding: false }).tokens).toEqual(['[CLS]', 'hello', '[SEP]']);
  });

  it('infers special tokens from tokenizer.json alone', () => {
    expect(Tokenizer.fromFile(join(FIXTURES, 'roberta-bpe', 'tokenizer.json')).specialTokens).toMatchObject({
      cls: '<s>',
      sep: '</s>',
      pad: '<pad>',
      mask: '<mask>',
      unk: '<unk>',
    });
  });
});
