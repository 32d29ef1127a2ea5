// Masked-language-model training (BERT's objective) as a recipe, so continued pre-training gets the training
// loop's checkpoints, resume, monitoring and early stopping: 15 % of each text's tokens are chosen, of those
// 80 % become the mask token, 10 % a random token and 10 % stay, and the loss is cross-entropy on the chosen
// tokens' original ids. Masks are drawn per text and epoch from the seed (dynamic masking, as RoBERTa does),
// so a resumed run masks exactly as the uninterrupted one; dev texts always get the same masks.
import { createHash } from 'node:crypto';
import { F, type Tensor, cat, dispose, noGrad, tensor, tidy } from '../../../engine/index.js';
import { seededRandom } from '../../../shared/index.js';
import { type ModelInputs, type Pretrained, maxInputLength, toModelInputs } from '../../../transformers/index.js';
import type { TrainConfig } from '../config.js';
import type { Recipe, RecipeScores, TrainExample } from '../recipe.js';

/** A masked batch: inputs, flat positions of the chosen tokens, and their original ids. */
export interface MaskedLmBatch {
  inputs: ModelInputs;
  at: Tensor;
  targets: Tensor;
  /** Original ids at the chosen positions (for accuracy without reading the tensor). */
  gold: number[];
}

/** Masking settings. */
export interface MaskedLmOptions {
  /** Fraction of tokens chosen per text (BERT: 0.15). */
  probability?: number;
  seed?: number;
  /** The input field holding the text (default: the first field of each example). */
  field?: string;
}

/** The masked-LM recipe. */
export function maskedLmRecipe(opts: MaskedLmOptions = {}): Recipe<MaskedLmBatch> {
  const probability = opts.probability ?? 0.15;
  const seed = opts.seed ?? 42;
  const recipe: Recipe<MaskedLmBatch> = {
    name: 'masked-lm',
    batch(p, examples, cfg, ctx) {
      const maskId = p.tokenizer.tokenToId(p.tokenizer.specialTokens.mask ?? '');
      if (maskId === undefined)
        throw new Error('masked-LM training needs a tokenizer with a mask token (BERT, RoBERTa, XLM-R, DistilBERT)');
      const padId = p.tokenizer.tokenToId(p.tokenizer.specialTokens.pad ?? '') ?? 0;
      const maxLength = Math.min(cfg.maxLength, maxInputLength(p));
      const texts = examples.map((e) => (opts.field ? e.inputs[opts.field] : Object.values(e.inputs)[0]) ?? '');
      const enc = p.tokenizer.encodeBatch(texts, { truncation: { maxLength }, padding: { strategy: 'longest', padId } });
      const vocab = p.model.config.vocabSize;
      const special = new Set(enc.flatMap((e) => e.ids.filter((_, i) => e.specialTokensMask[i])));
      const rows = enc.map((e) => ({ ids: [...e.ids], attentionMask: e.attentionMask, typeIds: e.typeIds }));
      const at: number[] = [];
      const gold: number[] = [];
      rows.forEach((row, b) => {
        const rand = seededRandom(seedOf(texts[b] as string, seed, ctx?.epoch ?? -1));
        const candidates = row.ids.flatMap((_, i) => (enc[b]?.specialTokensMask[i] || !row.attentionMask[i] ? [] : [i]));
        let chosen = candidates.filter(() => rand() < probability);
        // Every text contributes at least one token, so short texts are not silently skipped.
        if (!chosen.length && candidates.length) chosen = [candidates[Math.floor(rand() * candidates.length)] as number];
        for (const i of chosen) {
          const original = row.ids[i] as number;
          const r = rand();
          if (r < 0.8) row.ids[i] = maskId;
          else if (r < 0.9) {
            let id = Math.floor(rand() * vocab);
            while (special.has(id)) id = Math.floor(rand() * vocab);
            row.ids[i] = id;
          }
          at.push(b * row.ids.length + i);
          gold.push(original);
        }
      });
      return {
        inputs: toModelInputs(rows),
        at: tensor(at, { dtype: 'int64' }),
        targets: tensor(gold, { dtype: 'int64' }),
        gold,
      };
    },
    logits(p, batch) {
      const logits = p.model.forward(batch.inputs, { logitsAt: batch.at }).logits;
      if (!logits) throw new Error('masked-LM training needs a model loaded with the masked-LM head');
      return logits;
    },
    loss(p, batch) {
      return F.crossEntropy(recipe.logits(p, batch), batch.targets);
    },
    score(p, dev, cfg): RecipeScores {
      let right = 0;
      let total = 0;
      let loss = 0;
      for (let i = 0; i < dev.length; i += cfg.batchSize) {
        const batch = recipe.batch(p, dev.slice(i, i + cfg.batchSize) as TrainExample[], cfg);
        try {
          const logits = recipe.logits(p, batch);
          const top = logits.argmax(-1).tolist() as number[];
          right += top.filter((t, j) => t === batch.gold[j]).length;
          loss += F.crossEntropy(logits, batch.targets).item() * batch.gold.length;
          total += batch.gold.length;
        } finally {
          recipe.disposeBatch(batch);
        }
      }
      const accuracy = total ? right / total : 0;
      // The metric is masked-token accuracy; macroF1 carries the dev loss's negative for logs that want a loss.
      return { metric: accuracy, accuracy, macroF1: total ? -loss / total : 0 };
    },
    disposeBatch(batch) {
      dispose(batch.inputs.inputIds, batch.inputs.attentionMask, batch.inputs.tokenTypeIds, batch.at, batch.targets);
    },
  };
  return recipe;
}

function seedOf(text: string, seed: number, epoch: number): number {
  return createHash('sha256').update(`${seed}\u0000${epoch}\u0000${text}`).digest().readUInt32LE(0);
}

/**
 * The masked-LM head's own trainable tensors (transform and output bias; the decoder is tied to the frozen
 * input embeddings): what `pretrain --head-only` trains on an encoder saved without its head. Freezes the rest.
 */
export function freezeAllButMlmHead(p: Pretrained): Tensor[] {
  const head = new Set(p.model.headKeys().filter((k) => !k.includes('pooler.') && !p.model.tiedKeys.includes(k)));
  const out: Tensor[] = [];
  for (const [name, t] of p.model.namedParameters()) {
    const train = head.has(name);
    t.requiresGrad_(train);
    if (train) out.push(t);
  }
  return out;
}

/** Encoder outputs at masked positions, computed once (the encoder is frozen in head-only training). */
export interface MaskedFeatures {
  /** [M, hidden] */
  features: Tensor;
  /** Original token id per row. */
  targets: number[];
}

/** Runs the frozen encoder once over masked passages and keeps the hidden states at the masked positions. */
export function cacheMaskedFeatures(
  p: Pretrained,
  examples: readonly TrainExample[],
  cfg: TrainConfig,
  opts: MaskedLmOptions = {},
  onProgress?: (done: number, total: number) => void,
): MaskedFeatures {
  const recipe = maskedLmRecipe(opts);
  const parts: Tensor[] = [];
  const targets: number[] = [];
  const was = p.model.training;
  p.model.eval();
  try {
    for (let i = 0; i < examples.length; i += cfg.batchSize) {
      const batch = recipe.batch(p, examples.slice(i, i + cfg.batchSize), cfg, { epoch: 0 });
      try {
        parts.push(
          tidy(() =>
            noGrad(() => {
              const out = p.model.forward(batch.inputs, { logitsAt: batch.at });
              const h = out.lastHiddenState;
              return h.reshape(-1, h.size(-1)).indexSelect(0, batch.at);
            }),
          ),
        );
        targets.push(...batch.gold);
      } finally {
        recipe.disposeBatch(batch);
      }
      onProgress?.(Math.min(i + cfg.batchSize, examples.length), examples.length);
    }
  } finally {
    p.model.train(was);
  }
  const features = cat(parts, 0);
  dispose(...parts);
  return { features, targets };
}

/** Rows of cached features as training examples (the loop shuffles and batches these). */
export function featureRows(n: number): TrainExample[] {
  return Array.from({ length: n }, (_, i) => ({ inputs: { row: String(i) }, label: 0 }));
}

/** Training only the masked-LM head on cached encoder outputs: each "example" is one masked position. */
export function cachedHeadRecipe(cache: MaskedFeatures): Recipe<{ rows: Tensor; targets: Tensor; gold: number[] }> {
  const recipe: Recipe<{ rows: Tensor; targets: Tensor; gold: number[] }> = {
    name: 'masked-lm-head',
    batch(_p, examples) {
      const idx = examples.map((e) => Number(e.inputs.row));
      const gold = idx.map((i) => cache.targets[i] as number);
      return { rows: tensor(idx, { dtype: 'int64' }), targets: tensor(gold, { dtype: 'int64' }), gold };
    },
    logits(p, batch) {
      return p.model.headLogits(cache.features.indexSelect(0, batch.rows));
    },
    loss(p, batch) {
      return F.crossEntropy(recipe.logits(p, batch), batch.targets);
    },
    score(p, dev, cfg) {
      let right = 0;
      let loss = 0;
      for (let i = 0; i < dev.length; i += cfg.batchSize) {
        const batch = recipe.batch(p, dev.slice(i, i + cfg.batchSize), cfg);
        try {
          tidy(() => {
            const logits = recipe.logits(p, batch);
            right += (logits.argmax(-1).tolist() as number[]).filter((t, j) => t === batch.gold[j]).length;
            loss += F.crossEntropy(logits, batch.targets).item() * batch.gold.length;
          });
        } finally {
          recipe.disposeBatch(batch);
        }
      }
      const accuracy = dev.length ? right / dev.length : 0;
      return { metric: accuracy, accuracy, macroF1: dev.length ? -loss / dev.length : 0 };
    },
    disposeBatch(batch) {
      dispose(batch.rows, batch.targets);
    },
  };
  return recipe;
}
