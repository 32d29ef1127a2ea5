// The standard fine-tuning baseline: the inputs (fields joined, or a pair) through the encoder and a
// classification head on the first token.
import { type Tensor, dispose } from '../../../engine/index.js';
import { type ModelInputs, type Pretrained, toModelInputs } from '../../../transformers/index.js';
import type { Recipe } from '../recipe.js';

/** A classification batch. */
export interface ClassificationBatch {
  inputs: ModelInputs;
}

/** Fine-tuning with a classification head (the model must be loaded with head 'sequence-classification'). */
export const classificationRecipe: Recipe<ClassificationBatch> = {
  name: 'classification',
  batch(p, examples, cfg) {
    const fields = Object.keys(examples[0]?.inputs ?? {});
    // Two input fields go in as a pair (segment ids tell them apart); more are joined with newlines.
    const rows = examples.map((e): string | [string, string] =>
      fields.length === 2
        ? [e.inputs[fields[0] as string] as string, e.inputs[fields[1] as string] as string]
        : fields.map((f) => e.inputs[f]).join('\n'),
    );
    const enc = p.tokenizer.encodeBatch(rows, { truncation: { maxLength: cfg.maxLength }, padding: { strategy: 'longest' } });
    return { inputs: toModelInputs(enc) };
  },
  logits(p, batch) {
    const out = p.model.forward(batch.inputs).logits;
    if (!out) throw new Error('the classification recipe needs a model loaded with the sequence-classification head');
    return out as Tensor;
  },
  disposeBatch(batch) {
    dispose(batch.inputs.inputIds, batch.inputs.attentionMask, batch.inputs.tokenTypeIds);
  },
};
