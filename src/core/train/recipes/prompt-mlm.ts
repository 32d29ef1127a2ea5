import { createHash } from 'node:crypto';
// Prompt-based fine-tuning (PET / LM-BFF): each input wrapped in the template, the masked LM's scores for each
// label's words at the mask are the label logits, and the loss is cross-entropy over them. The pre-trained
// head is used from step one, which is why this works with 16 examples per label.
import { type Tensor, dispose, noGrad, tensor } from '../../../engine/index.js';
import { type ModelInputs, type Pretrained, maxInputLength, toModelInputs } from '../../../transformers/index.js';
import {
  type CheckedPrompt,
  type Demonstration,
  type LabelWordIds,
  encodePrompt,
  labelLogScores,
  labelWordIds,
  sampleDemonstrations,
  withDemonstrations,
} from '../../prompts/index.js';
import type { Recipe } from '../recipe.js';

/** A prompt batch: inputs plus the flat positions of the masks. */
export interface PromptBatch {
  inputs: ModelInputs;
  at: Tensor;
  size: number;
}

/** LM-BFF demonstrations: a pool of labelled examples, one per label appended to each input. */
export interface DemonstrationOptions {
  pool: readonly Demonstration[];
  seed: number;
}

/** Options of the prompt-MLM recipe. */
export interface PromptMlmOptions {
  demonstrations?: DemonstrationOptions;
  /**
   * Multi-label: each label's logit is its word's log-probability at the mask minus a learned per-label offset,
   * so labels are judged independently (several can be likely at once) rather than competing in a softmax.
   */
  multiLabel?: boolean;
  /** Saved offsets of a trained multi-label model. */
  labelOffsets?: readonly number[];
}

/** The prompt-MLM recipe for one prompt and label order (optionally with demonstrations, or multi-label). */
export function promptMlmRecipe(
  prompt: CheckedPrompt,
  labels: readonly string[],
  language?: string,
  opts: PromptMlmOptions = {},
): Recipe<PromptBatch> & { words(p: Pretrained): LabelWordIds; labelOffsets(): number[] | undefined } {
  const demonstrations = opts.demonstrations;
  // All zeros means "not fitted yet": the first batch sets each offset to its label's mean score, so every label
  // starts near probability 1/2 (a resumed run restores fitted, non-zero offsets before that).
  const offsets: Tensor | undefined = opts.multiLabel
    ? tensor(opts.labelOffsets ? [...opts.labelOffsets] : new Array<number>(labels.length).fill(0)).requiresGrad_()
    : undefined;
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
      const enc = examples.map((e) => {
        if (!demonstrations) return encodePrompt(prompt, e.inputs, p.tokenizer, { maxLength, maskCount: w.maskCount });
        // Demonstrations are chosen per example (by its content and the seed), so every epoch, a resumed run
        // and inference all see the same ones; the example itself is never its own demonstration.
        const own = demonstrations.pool.find((d) => sameInputs(d.inputs, e.inputs));
        const demos = sampleDemonstrations(demonstrations.pool, labels.length, seedOf(e.inputs, demonstrations.seed), own);
        const x = withDemonstrations(prompt, e.inputs, demos, labels, language);
        return encodePrompt(x.prompt, x.inputs, p.tokenizer, { maxLength, maskCount: w.maskCount });
      });
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
      const scores = labelLogScores(logits.logSoftmax(-1).reshape(batch.size, w.maskCount, -1), w.words);
      if (!offsets) return scores;
      noGrad(() => {
        if (offsets.abs().sum().item() === 0) offsets.copy_(scores.detach().mean(0));
      });
      return scores.sub(offsets);
    },
    parameters() {
      return new Map(offsets ? [['label-offsets', offsets]] : []);
    },
    labelOffsets() {
      return offsets?.tolist() as number[] | undefined;
    },
    disposeBatch(batch) {
      dispose(batch.inputs.inputIds, batch.inputs.attentionMask, batch.inputs.tokenTypeIds, batch.at);
    },
  };
}

function sameInputs(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/** A 32-bit seed from an example's inputs and the run's seed. */
function seedOf(inputs: Readonly<Record<string, string>>, seed: number): number {
  return createHash('sha256')
    .update(`${seed}\u0000${JSON.stringify(inputs)}`)
    .digest()
    .readUInt32LE(0);
}
