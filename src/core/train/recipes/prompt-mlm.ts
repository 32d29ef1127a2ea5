// Prompt-based fine-tuning (PET / LM-BFF): each input wrapped in the template, the masked LM's scores for each
// label's words at the mask are the label logits, and the loss is cross-entropy over them. The pre-trained
// head is used from step one, which is why this works with 16 examples per label.
import { type Tensor, dispose, tensor } from '../../../engine/index.js';
import { type ModelInputs, type Pretrained, maxInputLength, toModelInputs } from '../../../transformers/index.js';
import { type CheckedPrompt, type LabelWordIds, encodePrompt, labelLogScores, labelWordIds } from '../../prompts/index.js';
import type { Recipe } from '../recipe.js';

/** A prompt batch: inputs plus the flat positions of the masks. */
export interface PromptBatch {
  inputs: ModelInputs;
  at: Tensor;
  size: number;
}

/** The prompt-MLM recipe for one prompt and label order. */
export function promptMlmRecipe(
  prompt: CheckedPrompt,
  labels: readonly string[],
  language?: string,
): Recipe<PromptBatch> & { words(p: Pretrained): LabelWordIds } {
  let words: LabelWordIds | undefined;
  const wordsFor = (p: Pretrained): LabelWordIds => {
    words ??= labelWordIds(prompt, labels, p.tokenizer, language);
    return words;
  };
  return {
    name: 'prompt-mlm',
    words: wordsFor,
    batch(p, examples, cfg) {
      const w = wordsFor(p);
      const maxLength = Math.min(cfg.maxLength, maxInputLength(p));
      const enc = examples.map((e) => encodePrompt(prompt, e.inputs, p.tokenizer, { maxLength, maskCount: w.maskCount }));
      const width = Math.max(...enc.map((e) => e.ids.length));
      const padId = p.tokenizer.tokenToId(p.tokenizer.specialTokens.pad ?? '') ?? 0;
      const pad = (xs: number[], v: number): number[] => [...xs, ...new Array<number>(width - xs.length).fill(v)];
      const inputs = toModelInputs(
        enc.map((e) => ({ ids: pad(e.ids, padId), attentionMask: pad(e.attentionMask, 0), typeIds: pad(e.typeIds, 0) })),
      );
      const at = tensor(
        enc.flatMap((e, b) => e.maskPositions.map((m) => b * width + m)),
        { dtype: 'int64' },
      );
      return { inputs, at, size: examples.length };
    },
    logits(p, batch) {
      const w = wordsFor(p);
      const logits = p.model.forward(batch.inputs, { logitsAt: batch.at }).logits;
      if (!logits) throw new Error('the prompt-mlm recipe needs a model loaded with the masked-LM head');
      return labelLogScores(logits.logSoftmax(-1).reshape(batch.size, w.maskCount, -1), w.words);
    },
    disposeBatch(batch) {
      dispose(batch.inputs.inputIds, batch.inputs.attentionMask, batch.inputs.tokenTypeIds, batch.at);
    },
  };
}
