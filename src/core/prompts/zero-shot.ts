// Trying a prompt before any training. Masked-LM prompting (PET style) scores each label's words at the mask;
// for sentence encoders, the input is compared with each label's description. Contextual calibration (Zhao et
// al. 2021) divides out the bias the prompt shows on content-free inputs.
import { noGrad, tensor, tidy } from '../../engine/index.js';
import { type Pretrained, maxInputLength, toModelInputs } from '../../transformers/index.js';
import { type EncodedPrompt, encodePrompt } from './encode.js';
import { labelLogScores } from './label-scores.js';
import { labelWordIds } from './label-words.js';
import type { CheckedPrompt } from './spec.js';

/** Label probabilities and the top label for each example. */
export interface ZeroShotResult {
  labels: string[];
  probs: number[][];
  predictions: string[];
  /** The content-free label distribution divided out, when calibrated. */
  calibration?: number[];
}

/** Options shared by the zero-shot methods. */
export interface ZeroShotOptions {
  batchSize?: number;
  maxLength?: number;
  /** Which verbalizer language to use (per-language verbalizers). */
  language?: string;
  /** Apply contextual calibration with content-free inputs ("N/A", "", the mask token). */
  calibrate?: boolean;
  onProgress?: (done: number, total: number) => void;
}

/** Pads encodings to the batch's longest and returns model inputs plus flat mask positions. */
function batchInputs(enc: EncodedPrompt[], padId: number): { inputs: ReturnType<typeof toModelInputs>; at: number[] } {
  const width = Math.max(...enc.map((e) => e.ids.length));
  const pad = (xs: number[], v: number): number[] => [...xs, ...new Array<number>(width - xs.length).fill(v)];
  const rows = enc.map((e) => ({ ids: pad(e.ids, padId), attentionMask: pad(e.attentionMask, 0), typeIds: pad(e.typeIds, 0) }));
  return { inputs: toModelInputs(rows), at: enc.flatMap((e, b) => e.maskPositions.map((p) => b * width + p)) };
}

/** Label probabilities from a masked-LM prompt for examples given as field → text. */
export function zeroShotMlm(
  p: Pretrained,
  prompt: CheckedPrompt,
  examples: readonly Readonly<Record<string, string>>[],
  labels: readonly string[],
  opts: ZeroShotOptions = {},
): ZeroShotResult {
  const words = labelWordIds(prompt, labels, p.tokenizer, opts.language);
  const padId = p.tokenizer.tokenToId(p.tokenizer.specialTokens.pad ?? '') ?? 0;
  const batchSize = opts.batchSize ?? 16;
  const score = (batch: readonly Readonly<Record<string, string>>[]): number[][] => {
    const enc = batch.map((inputs) =>
      encodePrompt(prompt, inputs, p.tokenizer, { maxLength: opts.maxLength ?? maxInputLength(p), maskCount: words.maskCount }),
    );
    return tidy(() =>
      noGrad(() => {
        const { inputs, at } = batchInputs(enc, padId);
        const logits = p.model.forward(inputs, { logitsAt: tensor(at, { dtype: 'int64' }) }).logits;
        if (!logits) throw new Error('zero-shot masked-LM prompting needs a model loaded with the masked-LM head');
        const logProbs = logits.logSoftmax(-1).reshape(batch.length, words.maskCount, -1);
        return labelLogScores(logProbs, words.words).softmax(1).tolist() as number[][];
      }),
    );
  };
  const was = p.model.training;
  p.model.eval();
  try {
    const probs: number[][] = [];
    for (let i = 0; i < examples.length; i += batchSize) {
      probs.push(...score(examples.slice(i, i + batchSize)));
      opts.onProgress?.(Math.min(i + batchSize, examples.length), examples.length);
    }
    if (!opts.calibrate) return result(labels, probs);
    const fields = Object.keys(examples[0] ?? {});
    const contentFree = ['N/A', '', p.tokenizer.specialTokens.mask ?? ''].map((v) =>
      Object.fromEntries(fields.map((f) => [f, v])),
    );
    const cf = score(contentFree);
    const calibration = labels.map((_, l) => cf.reduce((s, row) => s + (row[l] as number), 0) / cf.length);
    return result(
      labels,
      probs.map((row) => normalise(row.map((x, l) => x / (calibration[l] as number)))),
      calibration,
    );
  } finally {
    p.model.train(was);
  }
}

/** Options of zeroShotSimilarity. */
export interface SimilarityOptions extends Omit<ZeroShotOptions, 'language'> {
  /** How a label is written for the encoder; {label} and {description} are filled in. Default: the description, else the name. */
  labelTemplate?: string;
  /** Softmax temperature over cosine similarities (lower is sharper). Default 0.05. */
  temperature?: number;
}

/** Label probabilities from a sentence encoder: cosine similarity between each input and each label's text. */
export function zeroShotSimilarity(
  p: Pretrained,
  examples: readonly Readonly<Record<string, string>>[],
  labels: readonly { name: string; description?: string }[],
  opts: SimilarityOptions = {},
): ZeroShotResult {
  const labelTexts = labels.map((l) =>
    opts.labelTemplate
      ? opts.labelTemplate.replaceAll('{label}', l.name).replaceAll('{description}', l.description ?? '')
      : l.description || l.name,
  );
  const embed = (texts: string[]): number[][] => {
    const enc = p.tokenizer.encodeBatch(texts, {
      padding: { strategy: 'longest' },
      truncation: { maxLength: opts.maxLength ?? maxInputLength(p) },
    });
    return tidy(() => noGrad(() => p.model.embed(toModelInputs(enc), { normalize: true }).tolist() as number[][]));
  };
  const labelVectors = embed(labelTexts);
  const batchSize = opts.batchSize ?? 32;
  const temperature = opts.temperature ?? 0.05;
  const probs: number[][] = [];
  for (let i = 0; i < examples.length; i += batchSize) {
    const texts = examples.slice(i, i + batchSize).map((e) => Object.values(e).join('\n'));
    for (const v of embed(texts)) {
      const sims = labelVectors.map((l) => l.reduce((s, x, k) => s + x * (v[k] as number), 0));
      probs.push(softmax(sims.map((s) => s / temperature)));
    }
    opts.onProgress?.(Math.min(i + batchSize, examples.length), examples.length);
  }
  return result(
    labels.map((l) => l.name),
    probs,
  );
}

function result(labels: readonly string[], probs: number[][], calibration?: number[]): ZeroShotResult {
  const predictions = probs.map((row) => labels[row.indexOf(Math.max(...row))] as string);
  return calibration ? { labels: [...labels], probs, predictions, calibration } : { labels: [...labels], probs, predictions };
}

function normalise(xs: number[]): number[] {
  const s = xs.reduce((a, b) => a + b, 0);
  return xs.map((x) => x / s);
}

function softmax(xs: number[]): number[] {
  const m = Math.max(...xs);
  return normalise(xs.map((x) => Math.exp(x - m)));
}
