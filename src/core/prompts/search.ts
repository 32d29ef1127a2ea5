// Automatic prompt search in the LM-BFF manner: candidate label words come from what the masked LM itself
// predicts at the mask for each class's training examples; combinations are ranked on the training data and
// the best few re-ranked on dev data. Templates are searched by scoring each candidate on dev data.
import { noGrad, tensor, tidy } from '../../engine/index.js';
import { type Pretrained, maxInputLength } from '../../transformers/index.js';
import { classificationMetrics, metricValue } from '../eval/index.js';
import { encodePrompt } from './encode.js';
import { type CheckedPrompt, checkPrompt } from './spec.js';
import type { Verbalizer } from './verbalizer.js';
import { zeroShotMlm } from './zero-shot.js';

/** A labelled example as the search sees it. */
export interface SearchExample {
  inputs: Readonly<Record<string, string>>;
  label: string;
}

/** One evaluated candidate. */
export interface SearchCandidate<T> {
  value: T;
  trainScore?: number;
  devScore: number;
}

/** Options of searchLabelWords. */
export interface LabelWordSearchOptions {
  /** Candidate words kept per label (LM-BFF's k). Default 8. */
  perLabel?: number;
  /** Combinations re-ranked on dev data (LM-BFF's n). Default 20. */
  keep?: number;
  metric?: string;
  batchSize?: number;
  maxLength?: number;
}

/** Log-probabilities over the vocabulary at the (single) mask of every example: [N][vocab]. */
function maskLogProbs(
  p: Pretrained,
  prompt: CheckedPrompt,
  examples: readonly SearchExample[],
  o: LabelWordSearchOptions,
): Float32Array[] {
  const out: Float32Array[] = [];
  const padId = p.tokenizer.tokenToId(p.tokenizer.specialTokens.pad ?? '') ?? 0;
  const batchSize = o.batchSize ?? 16;
  p.model.eval();
  for (let i = 0; i < examples.length; i += batchSize) {
    const enc = examples
      .slice(i, i + batchSize)
      .map((e) => encodePrompt(prompt, e.inputs, p.tokenizer, { maxLength: o.maxLength ?? maxInputLength(p) }));
    const width = Math.max(...enc.map((e) => e.ids.length));
    const pad = (xs: number[], v: number): bigint[] => [...xs, ...new Array<number>(width - xs.length).fill(v)].map(BigInt);
    tidy(() =>
      noGrad(() => {
        const ids = tensor(new BigInt64Array(enc.flatMap((e) => pad(e.ids, padId))), { shape: [enc.length, width] });
        const mask = tensor(new BigInt64Array(enc.flatMap((e) => pad(e.attentionMask, 0))), { shape: [enc.length, width] });
        const at = tensor(
          enc.map((e, b) => b * width + (e.maskPositions[0] as number)),
          { dtype: 'int64' },
        );
        const logits = p.model.forward({ inputIds: ids, attentionMask: mask }, { logitsAt: at }).logits;
        if (!logits) throw new Error('label-word search needs a model loaded with the masked-LM head');
        const lp = logits.logSoftmax(-1).contiguous();
        const flat = lp.toTypedArray() as Float32Array;
        const v = lp.size(1);
        for (let r = 0; r < enc.length; r++) out.push(flat.slice(r * v, (r + 1) * v));
      }),
    );
  }
  return out;
}

/** Whole-word vocabulary entries a person would accept as a label word (no sub-word pieces, specials or digits). */
function wordLike(p: Pretrained, id: number): string | undefined {
  const token = p.tokenizer.idToToken(id);
  if (!token) return undefined;
  // BPE marks a leading space with Ġ and SentencePiece with ▁; WordPiece marks continuations with ##.
  const word = token.replace(/^[Ġ▁]/, '');
  if (token.startsWith('##') || word.length < 2 || !/^\p{L}+$/u.test(word)) return undefined;
  if (p.tokenizer.modelType !== 'WordPiece' && word === token) return undefined;
  return p.tokenizer.decode([id]).trim();
}

/** Searches single-token label words for a template; returns candidates best first, each a full verbalizer. */
export function searchLabelWords(
  p: Pretrained,
  prompt: CheckedPrompt,
  train: readonly SearchExample[],
  dev: readonly SearchExample[],
  labels: readonly string[],
  opts: LabelWordSearchOptions = {},
): SearchCandidate<Verbalizer>[] {
  const k = opts.perLabel ?? 8;
  const metric = opts.metric ?? 'macro-f1';
  const trainLp = maskLogProbs(p, prompt, train, opts);
  const vocab = trainLp[0]?.length ?? 0;
  // Per label: the k word-like tokens with the highest total log-probability over that label's examples.
  const candidates = labels.map((label) => {
    const sum = new Float64Array(vocab);
    train.forEach((e, i) => {
      if (e.label !== label) return;
      const lp = trainLp[i] as Float32Array;
      for (let t = 0; t < vocab; t++) sum[t] = (sum[t] as number) + (lp[t] as number);
    });
    const order = [...sum.keys()].sort((a, b) => (sum[b] as number) - (sum[a] as number));
    const picked: number[] = [];
    for (const id of order) {
      if (picked.length === k) break;
      if (wordLike(p, id) !== undefined) picked.push(id);
    }
    return picked;
  });
  // Every combination of one candidate per label (distinct tokens), scored on train from the cached log-probs.
  const score = (lps: Float32Array[], examples: readonly SearchExample[], combo: number[]): number => {
    const predicted = lps.map(
      (lp) =>
        labels[
          combo.reduce((best, id, l) => ((lp[id] as number) > (lp[combo[best] as number] as number) ? l : best), 0)
        ] as string,
    );
    return metricValue(
      classificationMetrics(
        examples.map((e) => e.label),
        predicted,
        labels,
      ),
      metric,
    );
  };
  let combos: number[][] = [[]];
  for (const c of candidates)
    combos = combos.flatMap((prefix) => c.filter((id) => !prefix.includes(id)).map((id) => [...prefix, id]));
  const ranked = combos
    .map((combo) => ({ combo, trainScore: score(trainLp, train, combo) }))
    .sort((a, b) => b.trainScore - a.trainScore);
  const devLp = maskLogProbs(p, prompt, dev, opts);
  return ranked
    .slice(0, opts.keep ?? 20)
    .map(({ combo, trainScore }) => ({
      value: Object.fromEntries(labels.map((l, i) => [l, [wordLike(p, combo[i] as number) as string]])) as Verbalizer,
      trainScore,
      devScore: score(devLp, dev, combo),
    }))
    .sort((a, b) => b.devScore - a.devScore || (b.trainScore ?? 0) - (a.trainScore ?? 0));
}

/** Scores candidate templates (with one verbalizer) zero-shot on dev data; best first. */
export function searchTemplates(
  p: Pretrained,
  templates: readonly string[],
  verbalizer: Verbalizer,
  dev: readonly SearchExample[],
  task: { inputs: readonly { name: string }[]; labels: readonly { name: string }[] },
  opts: { metric?: string; batchSize?: number; maxLength?: number } = {},
): SearchCandidate<string>[] {
  const labels = task.labels.map((l) => l.name);
  return templates
    .map((template) => {
      const prompt = checkPrompt({ template, verbalizer }, task);
      const r = zeroShotMlm(
        p,
        prompt,
        dev.map((e) => e.inputs),
        labels,
        opts,
      );
      const m = classificationMetrics(
        dev.map((e) => e.label),
        r.predictions,
        labels,
      );
      return { value: template, devScore: metricValue(m, opts.metric ?? 'macro-f1') };
    })
    .sort((a, b) => b.devScore - a.devScore);
}
