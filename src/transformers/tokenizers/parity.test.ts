// Parity with the Python reference (tokenizers 0.19.1): every golden tokenizer over the shared hard strings,
// pairs, truncation with overflow and padding; ids, tokens, offsets (converted to UTF-16), masks, word and
// sequence ids and both decodes must match exactly. Goldens: scripts/fixtures/gen_tokenizers.py.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Encoding } from './encoding.js';
import { TokenizerError } from './errors.js';
import {
  GOLDENS,
  type Golden,
  type RefBatch,
  comparable,
  diffCase,
  goldenTokenizer,
  oursToCodePoints,
  readGolden,
  refToOurs,
} from './testing.js';
import type { Tokenizer } from './tokenizer.js';

const SPECS = readdirSync(GOLDENS)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -5))
  .filter((n) => !/^(components|versions|unicode-lowercase|bert-legacy-.*|roberta-legacy|bert-uncased-file-defaults)$/.test(n));

function inputs(input: string | [string, string]): [string, string | null] {
  return typeof input === 'string' ? [input, null] : input;
}

function runBatch(t: Tokenizer, bt: RefBatch): Encoding[] {
  const tr = bt.truncation;
  const pd = bt.padding;
  return t.encodeBatch(bt.inputs as (string | [string, string])[], {
    addSpecialTokens: bt.add_special_tokens,
    truncation: tr
      ? {
          maxLength: tr.max_length,
          stride: tr.stride,
          strategy: tr.strategy as 'longest_first',
          direction: tr.direction as 'right',
        }
      : false,
    padding: pd
      ? {
          strategy: pd.length === null ? 'longest' : 'max_length',
          maxLength: pd.length ?? undefined,
          padToMultipleOf: pd.pad_to_multiple_of ?? undefined,
          side: pd.direction as 'right',
          padId: pd.pad_id,
          padToken: pd.pad_token,
          padTypeId: pd.pad_type_id,
        }
      : false,
  });
}

describe.each(SPECS)('parity with the reference: %s', (name) => {
  const g = readGolden<Golden>(name);
  const t = goldenTokenizer(g);

  it('vocabulary sizes and token ids', () => {
    expect(t.vocabSize).toBe(g.vocab_size);
    for (const [tok, id] of Object.entries(g.token_to_id)) expect(t.tokenToId(tok), tok).toBe(id ?? undefined);
  });

  it(`encode and decode: ${g.cases.length} inputs`, () => {
    expect(g.cases.flatMap((c) => diffCase(t, c))).toEqual([]);
  });

  const l = g.long;
  if (l !== null)
    it('a 20,000-character text (SHA-256 of every field)', () => {
      const text = readFileSync(join(GOLDENS, l.input), 'utf8');
      const e = t.encode(text);
      expect(e.ids.length).toBe(l.length);
      const offsets = oursToCodePoints(e, text, null);
      expect(e.ids.slice(0, 40)).toEqual(l.head.ids);
      expect(offsets.slice(0, 40)).toEqual(l.head.offsets);
      const fields = [
        e.ids,
        e.tokens,
        offsets,
        e.typeIds,
        e.attentionMask,
        e.specialTokensMask,
        e.wordIds,
        e.sequenceIds,
        t.decode(e.ids),
        t.decode(e.ids, { skipSpecialTokens: true }),
      ];
      expect(createHash('sha256').update(JSON.stringify(fields)).digest('hex')).toBe(l.sha256);
    });

  it(`encodeBatch with truncation and padding: ${g.batches.length} batches`, () => {
    for (const bt of g.batches) {
      const label = JSON.stringify({ t: bt.truncation, p: bt.padding, s: bt.add_special_tokens });
      if (bt.error !== undefined) {
        expect(() => runBatch(t, bt), label).toThrow(TokenizerError);
        continue;
      }
      const ours = runBatch(t, bt);
      bt.encodings!.forEach((ref, i) => {
        const [a, b] = inputs(bt.inputs[i]!);
        expect(comparable(ours[i]!), `${label} #${i}`).toEqual(refToOurs(ref, a, b));
      });
    }
  });
});
