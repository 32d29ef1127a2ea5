// SetFit (Tunstall et al., 2022) for sentence encoders: first the encoder is fine-tuned contrastively on pairs
// built from the few labelled examples (same label → cosine similarity 1, different → 0, mean squared error:
// sentence-transformers' CosineSimilarityLoss), then a linear head is trained on the normalised embeddings with
// the encoder frozen. An optional input template ("Review: {text}") lets a prompt shape what the encoder sees.
import {
  AdamW,
  F,
  Linear,
  LrScheduler,
  type Tensor,
  dispose,
  linearWithWarmup,
  loadSafetensors,
  manualSeed,
  noGrad,
  saveSafetensors,
  tensor,
  tidy,
} from '../../../engine/index.js';
import { seededRandom, shuffled } from '../../../shared/index.js';
import { type ModelInputs, type Pretrained, maxInputLength, toModelInputs } from '../../../transformers/index.js';
import type { TrainConfig } from '../config.js';
import type { Recipe, TrainExample } from '../recipe.js';

/** The file next to the model that holds the SetFit head. */
export const SETFIT_HEAD_FILE = 'setfit_head.safetensors';

/** One contrastive pair: indices into the examples and the target similarity. */
export interface SetFitPair {
  a: number;
  b: number;
  target: 0 | 1;
}

/**
 * For each of `iterations` rounds, every example gets one partner with its label and one with another label
 * (setfit's original pair generation), shuffled with the seed. A label with one example pairs with itself.
 */
export function setfitPairs(examples: readonly TrainExample[], iterations: number, seed: number): SetFitPair[] {
  const rand = seededRandom(seed);
  const byLabel = new Map<number, number[]>();
  examples.forEach((e, i) => byLabel.set(e.label, [...(byLabel.get(e.label) ?? []), i]));
  const pick = (xs: readonly number[]): number => xs[Math.floor(rand() * xs.length)] as number;
  const pairs: SetFitPair[] = [];
  for (let it = 0; it < iterations; it++) {
    examples.forEach((e, i) => {
      const same = (byLabel.get(e.label) ?? []).filter((j) => j !== i);
      pairs.push({ a: i, b: same.length ? pick(same) : i, target: 1 });
      const other = examples.flatMap((x, j) => (x.label !== e.label ? [j] : []));
      if (other.length) pairs.push({ a: i, b: pick(other), target: 0 });
    });
  }
  return shuffled(pairs, rand);
}

/** Phase-1 settings. */
export interface SetFitEncoderOptions {
  /** Pair rounds (setfit's num_iterations, default 20). */
  iterations?: number;
  batchSize?: number;
  learningRate?: number;
  epochs?: number;
  seed?: number;
  maxLength?: number;
  template?: string;
  onStep?(step: number, total: number, loss: number): void;
}

/** The text the encoder sees for an example: the template filled with its fields, or the fields joined. */
export function setfitText(inputs: Readonly<Record<string, string>>, template?: string): string {
  if (!template) return Object.values(inputs).join('\n');
  return template.replace(/\{([^{}]+)\}/g, (m, field: string) => inputs[field.trim()] ?? m);
}

/** Tokenized, padded model inputs for texts. */
function encodeTexts(p: Pretrained, texts: readonly string[], maxLength: number): ModelInputs {
  const enc = p.tokenizer.encodeBatch([...texts], {
    truncation: { maxLength: Math.min(maxLength, maxInputLength(p)) },
    padding: { strategy: 'longest' },
  });
  return toModelInputs(enc);
}

const disposeInputs = (x: ModelInputs): void => dispose(x.inputIds, x.attentionMask, x.tokenTypeIds);

/** Mean squared error between the cosine similarity of unit vectors u[i], v[i] and targets[i]. */
export function cosineSimilarityLoss(u: Tensor, v: Tensor, targets: readonly number[]): Tensor {
  return F.mseLoss(u.mul(v).sum([-1]), tensor([...targets]));
}

/** Phase 1: contrastive fine-tuning of the encoder (CosineSimilarityLoss). Returns the loss per step. */
export function trainSetFitEncoder(p: Pretrained, examples: readonly TrainExample[], opts: SetFitEncoderOptions = {}): number[] {
  const seed = opts.seed ?? 42;
  const batchSize = opts.batchSize ?? 16;
  const maxLength = opts.maxLength ?? 128;
  manualSeed(seed);
  const pairs = setfitPairs(examples, opts.iterations ?? 20, seed);
  const texts = examples.map((e) => setfitText(e.inputs, opts.template));
  const total = Math.ceil(pairs.length / batchSize) * (opts.epochs ?? 1);
  const params = p.model.parameters().filter((t) => t.requiresGrad);
  const opt = new AdamW(params, { lr: opts.learningRate ?? 2e-5, weightDecay: 0.01 });
  const scheduler = new LrScheduler(opt, opts.learningRate ?? 2e-5, linearWithWarmup(Math.round(0.1 * total), total));
  const losses: number[] = [];
  p.model.train();
  try {
    for (let epoch = 0; epoch < (opts.epochs ?? 1); epoch++) {
      for (let i = 0; i < pairs.length; i += batchSize) {
        const batch = pairs.slice(i, i + batchSize);
        const left = encodeTexts(
          p,
          batch.map((x) => texts[x.a] as string),
          maxLength,
        );
        const right = encodeTexts(
          p,
          batch.map((x) => texts[x.b] as string),
          maxLength,
        );
        const loss = tidy(() => {
          const l = cosineSimilarityLoss(
            p.model.embed(left, { normalize: true }),
            p.model.embed(right, { normalize: true }),
            batch.map((x) => x.target),
          );
          l.backward();
          return l.item();
        });
        disposeInputs(left);
        disposeInputs(right);
        opt.step();
        opt.zeroGrad();
        scheduler.step();
        losses.push(loss);
        opts.onStep?.(losses.length, total, loss);
      }
    }
  } finally {
    opt.dispose();
    p.model.eval();
  }
  return losses;
}

/** A SetFit batch: the encoder's inputs. */
export interface SetFitBatch {
  inputs: ModelInputs;
}

/** Phase 2 and prediction: label logits = head(normalised mean-pooled embedding); the head is the recipe's own. */
export function setfitRecipe(
  hidden: number,
  labels: readonly string[],
  opts: { template?: string; head?: Map<string, Tensor> } = {},
): Recipe<SetFitBatch> & { head: Linear } {
  const head = new Linear(hidden, labels.length);
  if (opts.head) {
    noGrad(() => {
      head.weight.copy_(opts.head?.get('weight') as Tensor);
      head.bias?.copy_(opts.head?.get('bias') as Tensor);
    });
  }
  return {
    name: 'setfit',
    head,
    batch(p, examples, cfg: TrainConfig) {
      return {
        inputs: encodeTexts(
          p,
          examples.map((e) => setfitText(e.inputs, opts.template)),
          cfg.maxLength,
        ),
      };
    },
    logits(p, batch) {
      return head.forward(p.model.embed(batch.inputs, { normalize: true }));
    },
    disposeBatch(batch) {
      disposeInputs(batch.inputs);
    },
    parameters() {
      return new Map([
        ['head.weight', head.weight],
        ['head.bias', head.bias as Tensor],
      ]);
    },
  };
}

/** Writes the head next to a saved model. */
export function saveSetFitHead(dir: string, head: Linear): void {
  saveSafetensors(`${dir}/${SETFIT_HEAD_FILE}`, { weight: head.weight, bias: head.bias as Tensor });
}

/** Reads a saved head (weight, bias). */
export function loadSetFitHead(dir: string): Map<string, Tensor> {
  return loadSafetensors(`${dir}/${SETFIT_HEAD_FILE}`).tensors;
}
