// Label words as token ids, tokenized in the context the mask sits in (so RoBERTa's "Ġgreat" after a space
// and BERT's "great" both come out right), with multi-token words kept whole rather than cut to their first piece.
import type { Tokenizer } from '../../transformers/index.js';
import { PromptError } from './errors.js';
import type { CheckedPrompt } from './spec.js';
import { labelWords } from './verbalizer.js';

/** Token ids of every word of every label, in task label order. */
export interface LabelWordIds {
  labels: string[];
  /** words[label][word] = token ids of that word at the answer slot. */
  words: number[][][];
  /** Mask tokens the answer slot needs: the longest word's token count. */
  maskCount: number;
}

/** The template text right before the mask, which decides how a word is tokenized at that spot. */
function contextBeforeMask(prompt: CheckedPrompt): string {
  const at = prompt.parts.findIndex((p) => p.role === 'mask');
  const before = prompt.parts[at - 1];
  return before && 'text' in before ? before.text : ' ';
}

/** Tokenizes each label's words as they appear at the answer slot. */
export function labelWordIds(
  prompt: CheckedPrompt,
  labels: readonly string[],
  tokenizer: Tokenizer,
  language?: string,
): LabelWordIds {
  const prefix = contextBeforeMask(prompt);
  const words = labels.map((label) =>
    labelWords(prompt.verbalizer, label, language).map((word) => {
      const enc = tokenizer.encode(prefix + word, null, { addSpecialTokens: false, truncation: false, padding: false });
      const ids = enc.ids.filter((_, i) => {
        const [s, e] = enc.offsets[i] as [number, number];
        return e > prefix.length && s < prefix.length + word.length;
      });
      // A token that reaches back only over the space before the word (SentencePiece's "▁great", BPE's "Ġgreat")
      // is the word; one that also covers text of the prefix has fused the two.
      const merged = enc.offsets.some(([s, e]) => s < prefix.length && e > prefix.length && prefix.slice(s).trim() !== '');
      if (!ids.length || merged) {
        throw new PromptError(
          'PROMPT_VERBALIZER',
          `label word "${word}" (label "${label}") ${merged ? 'merges with the text before the mask' : 'produced no tokens'}: put a space before {mask} or choose another word.`,
        );
      }
      return ids;
    }),
  );
  const maskCount = Math.max(...words.flat().map((w) => w.length));
  return { labels: [...labels], words, maskCount };
}
