// Bad tokenizer files fail with one TokenizerError naming the file, the field, the value and the fix.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TokenizerError } from './errors.js';
import { FIXTURES } from './testing.js';
import { Tokenizer } from './tokenizer.js';

const bert = JSON.parse(readFileSync(join(FIXTURES, 'bert-uncased', 'tokenizer.json'), 'utf8')) as Record<string, unknown>;
const small = { ...bert, model: { type: 'WordPiece', unk_token: '[UNK]', vocab: { '[UNK]': 0, a: 1 } } };

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(TokenizerError.isInstance(e)).toBe(true);
    return `${(e as TokenizerError).code}: ${(e as Error).message}`;
  }
  throw new Error('expected a TokenizerError');
}

function file(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'pt-tok-err-'));
  writeFileSync(join(dir, name), content);
  return dir;
}

describe('tokenizer file errors', () => {
  it('an unsupported component type lists the supported ones', () => {
    expect(
      message(() => Tokenizer.fromJSON({ ...small, normalizer: { type: 'Sequence', normalizers: [{ type: 'Shout' }] } })),
    ).toMatchInlineSnapshot(
      `"TOKENIZER_UNSUPPORTED: tokenizer.json: normalizer.normalizers[0] has normalizer type "Shout", which is not supported. Supported normalizer types: BertNormalizer, Strip, StripAccents, NFC, NFD, NFKC, NFKD, Nmt, Lowercase, Precompiled, Replace, Prepend, Sequence. Fix: use one of these, or convert the tokenizer with the Python \`tokenizers\` library to a supported pipeline."`,
    );
    expect(message(() => Tokenizer.fromJSON({ ...small, model: { type: 'WordLevel', vocab: {} } }))).toMatchInlineSnapshot(
      `"TOKENIZER_UNSUPPORTED: tokenizer.json: model.type has model type "WordLevel", which is not supported. Supported model types: WordPiece, BPE, Unigram. Fix: use one of these, or convert the tokenizer with the Python \`tokenizers\` library to a supported pipeline."`,
    );
  });

  it('a bad field value names the path, the value and what is expected', () => {
    const pre = { type: 'Split', pattern: { String: ' ' }, behavior: 'isolated', invert: false };
    expect(
      message(() => Tokenizer.fromJSON({ ...small, pre_tokenizer: { type: 'Sequence', pretokenizers: [pre] } })),
    ).toMatchInlineSnapshot(
      `"TOKENIZER_CONFIG: tokenizer.json: pre_tokenizer.pretokenizers[0].behavior is "isolated", expected one of "Removed", "Isolated", "MergedWithPrevious", "MergedWithNext", "Contiguous". Fix: use one of the listed values (case matters)."`,
    );
    expect(message(() => Tokenizer.fromJSON({ ...small, model: { type: 'WordPiece', vocab: { a: -1 } } }))).toMatchInlineSnapshot(
      `"TOKENIZER_CONFIG: tokenizer.json: model.vocab.a is -1, expected a value >= 0. Fix: use a value in range."`,
    );
    expect(
      message(() =>
        Tokenizer.fromJSON(
          { ...small, model: { type: 'BPE', vocab: { a: 0, b: 1 }, merges: ['a b'] } },
          { file: 'x/tokenizer.json' },
        ),
      ),
    ).toMatchInlineSnapshot(
      `"TOKENIZER_CONFIG: x/tokenizer.json: model.merges[0]: merged token "ab" is not in the vocabulary. Fix: regenerate the merges for this vocabulary."`,
    );
    expect(message(() => Tokenizer.fromJSON({ ...small, padding: { strategy: 'Longest' } }))).toMatchInlineSnapshot(
      `"TOKENIZER_CONFIG: tokenizer.json: padding.strategy is "Longest", expected "BatchLongest" or {"Fixed": length}. Fix: correct the value."`,
    );
    expect(message(() => Tokenizer.fromJSON({ version: '1.0' }))).toMatchInlineSnapshot(
      `"TOKENIZER_CONFIG: tokenizer.json: model is nothing (the field is missing), expected an object. Fix: add the field with an object."`,
    );
  });

  it('regexes the translation cannot express, and legacy files of an unsupported class', () => {
    const pre = { type: 'Split', pattern: { Regex: '(?>a+)b' }, behavior: 'Isolated', invert: false };
    expect(message(() => Tokenizer.fromJSON({ ...small, pre_tokenizer: pre }))).toMatchInlineSnapshot(
      `"TOKENIZER_UNSUPPORTED: tokenizer.json: pre_tokenizer.pattern.Regex: regex "(?>a+)b" uses atomic groups, which is not supported. Fix: rewrite the pattern without it, or split with a supported pre-tokenizer."`,
    );
    const dir = file('tokenizer_config.json', JSON.stringify({ tokenizer_class: 'GPT2Tokenizer' }));
    writeFileSync(join(dir, 'vocab.json'), '{}');
    writeFileSync(join(dir, 'merges.txt'), '#version: 0.2\n');
    expect(message(() => Tokenizer.fromDirectory(dir)).replaceAll(dir, 'DIR')).toMatchInlineSnapshot(
      `"TOKENIZER_UNSUPPORTED: DIR/tokenizer_config.json: tokenizer_class is "GPT2Tokenizer"; without a tokenizer.json only RoBERTa-style byte-level BPE checkpoints are converted (from vocab.json + merges.txt). Fix: save the tokenizer with \`tokenizer.save_pretrained()\` in Python (transformers writes tokenizer.json) and load that."`,
    );
  });

  it('files that are missing, unreadable or not JSON', () => {
    const dir = file('tokenizer.json', '{"version": "1.0",');
    expect(message(() => Tokenizer.fromDirectory(dir)).replace(dir, 'DIR')).toMatchInlineSnapshot(
      `"TOKENIZER_FILE: DIR/tokenizer.json: is not valid JSON (Expected double-quoted property name in JSON at position 18). Fix: restore the file from the checkpoint."`,
    );
    const empty = mkdtempSync(join(tmpdir(), 'pt-tok-err-'));
    expect(message(() => Tokenizer.fromDirectory(empty)).replace(empty, 'DIR')).toMatchInlineSnapshot(
      `"TOKENIZER_FILE: DIR: no tokenizer.json, vocab.txt (BERT) or vocab.json + merges.txt (RoBERTa) found. Fix: point at a checkpoint directory that has one of them, or save the tokenizer with \`tokenizer.save_pretrained()\` in Python."`,
    );
    const cfg = file('tokenizer_config.json', JSON.stringify({ do_lower_case: 'yes' }));
    expect(message(() => Tokenizer.fromDirectory(cfg)).replace(cfg, 'DIR')).toMatchInlineSnapshot(
      `"TOKENIZER_CONFIG: DIR/tokenizer_config.json: do_lower_case is "yes", expected true or false. Fix: write true or false here."`,
    );
  });
});
