// A fine-tuned classifier on disk: the HF-format model directory plus promptune.json, which says how to use it
// (recipe, label order, the prompt for prompt-based models, calibration). predict, eval and the server load
// it from there alone, so a model directory can move between machines.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { maybeTrimNativeHeap } from '../../engine/index.js';
import { CodedError } from '../../shared/index.js';
import { type Pretrained, Tokenizer, loadPretrainedDir } from '../../transformers/index.js';
import { type CheckedPrompt, checkPrompt, promptSpecSchema } from '../prompts/index.js';
import { type TrainConfig, trainConfig } from './config.js';
import { predictLogits } from './loop.js';
import type { Recipe, TrainExample } from './recipe.js';
import { classificationRecipe } from './recipes/classification.js';
import { ensembleRecipe } from './recipes/ensemble.js';
import { promptMlmRecipe } from './recipes/prompt-mlm.js';
import { loadSetFitHead, setfitRecipe } from './recipes/setfit.js';

/** The file next to config.json that makes a model directory a Promptune classifier. */
export const CLASSIFIER_FILE = 'promptune.json';

/** What promptune.json holds. */
export const classifierMetaSchema = z
  .object({
    format: z.literal('promptune-classifier/1'),
    task: z.string(),
    recipe: z.enum(['prompt-mlm', 'classification', 'setfit']),
    /** SetFit: the template that shaped the encoder's input, if any. */
    template: z.string().optional(),
    inputs: z.array(z.string()).min(1),
    labels: z.array(z.string()).min(2),
    prompt: promptSpecSchema.optional(),
    /** More prompts: the model is a template ensemble (label scores averaged over all prompts). */
    morePrompts: z.array(promptSpecSchema).optional(),
    /** LM-BFF demonstrations: the pool each input draws one example per label from, and the draw's seed. */
    demonstrations: z
      .object({
        seed: z.number().int(),
        pool: z.array(z.object({ inputs: z.record(z.string(), z.string()), label: z.number().int().min(0) })),
      })
      .optional(),
    /** Multi-label: one sigmoid per label, each with its own decision threshold. */
    multiLabel: z.boolean().default(false),
    thresholds: z.array(z.number().min(0).max(1)).optional(),
    /** Multi-label prompt models: the learned per-label offsets of the label-word scores. */
    labelOffsets: z.array(z.number()).optional(),
    maxLength: z.number().int().positive(),
    language: z.string().optional(),
    runId: z.string().optional(),
    baseModel: z.string().optional(),
    /** Fitted on dev data: probabilities are softmax(logits / temperature). */
    temperature: z.number().positive().default(1),
    /** Below this top-class probability the answer is "not sure" (abstain). */
    abstainBelow: z.number().min(0).max(1).optional(),
  })
  .strict();

/** A classifier's metadata. */
export type ClassifierMeta = z.infer<typeof classifierMetaSchema>;

/** Why a directory cannot be used as a classifier. */
export class ClassifierError extends CodedError<'CLASSIFIER_MISSING' | 'CLASSIFIER_INVALID' | 'CLASSIFIER_INPUT'> {}

/** Writes promptune.json into a saved model directory. */
export function writeClassifierMeta(dir: string, meta: z.input<typeof classifierMetaSchema>): void {
  writeFileSync(join(dir, CLASSIFIER_FILE), `${JSON.stringify(classifierMetaSchema.parse(meta), null, 2)}\n`);
}

/** Reads and validates promptune.json from a model directory. */
export function readClassifierMeta(dir: string): ClassifierMeta {
  const path = join(dir, CLASSIFIER_FILE);
  if (!existsSync(path))
    throw new ClassifierError(
      'CLASSIFIER_MISSING',
      `${dir} has no ${CLASSIFIER_FILE}: it is not a model trained by promptune train (give the directory that run saved, e.g. .promptune/runs/<run id>/model)`,
    );
  const r = classifierMetaSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new ClassifierError('CLASSIFIER_INVALID', `${path}: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return r.data;
}

/** One prediction: probabilities per label (after temperature), the top label, or undefined when abstaining. */
export interface Prediction {
  label: string | undefined;
  confidence: number;
  probs: Record<string, number>;
  /** Multi-label models: every label whose probability reaches its threshold. */
  labels?: string[];
}

/** A loaded classifier: the model, its recipe and metadata. */
export interface Classifier {
  meta: ClassifierMeta;
  pretrained: Pretrained;
  recipe: Recipe<unknown>;
  /** Raw label logits (before temperature) for examples, in batches. */
  logits(inputs: readonly Record<string, string>[], batchSize?: number): number[][];
  /** Predictions with the saved temperature and abstain threshold applied. */
  predict(inputs: readonly Record<string, string>[], batchSize?: number): Prediction[];
  dispose(): void;
}

/** The recipe that scores a classifier with `meta` (what training used). */
export function recipeForMeta(meta: ClassifierMeta): Recipe<unknown> {
  if (meta.recipe === 'classification') return classificationRecipe as Recipe<unknown>;
  if (meta.recipe === 'setfit')
    throw new ClassifierError('CLASSIFIER_INVALID', 'a SetFit model needs its head weights: load it with loadClassifier(dir)');
  const task = { inputs: meta.inputs.map((name) => ({ name })), labels: meta.labels.map((name) => ({ name })) };
  const prompts: CheckedPrompt[] = [meta.prompt, ...(meta.morePrompts ?? [])].map((spec) => checkPrompt(spec, task));
  const recipes = prompts.map(
    (prompt) =>
      promptMlmRecipe(prompt, meta.labels, meta.language, {
        ...(meta.demonstrations ? { demonstrations: meta.demonstrations } : {}),
        multiLabel: meta.multiLabel,
        ...(meta.labelOffsets ? { labelOffsets: meta.labelOffsets } : {}),
      }) as Recipe<unknown>,
  );
  return recipes.length === 1 ? (recipes[0] as Recipe<unknown>) : (ensembleRecipe(recipes) as Recipe<unknown>);
}

/** Loads a classifier saved by training (model + tokenizer + promptune.json). */
export function loadClassifier(dir: string): Classifier {
  const meta = readClassifierMeta(dir);
  if (meta.recipe === 'setfit') {
    const pretrained = loadPretrainedDir(dir, { head: 'base' });
    const head = loadSetFitHead(dir);
    const recipe = setfitRecipe(pretrained.model.config.hiddenSize, meta.labels, {
      head,
      ...(meta.template ? { template: meta.template } : {}),
    });
    for (const t of head.values()) t.dispose();
    return classifierFrom(pretrained, meta, recipe as Recipe<unknown>);
  }
  const pretrained = loadPretrainedDir(
    dir,
    meta.recipe === 'classification' ? { head: 'sequence-classification', labels: meta.labels } : { head: 'masked-lm' },
  );
  return classifierFrom(pretrained, meta);
}

/**
 * Counts the tokens each input becomes for the classifier in `dir` (special tokens included, capped at its max
 * length), loading only the tokenizer: cheap enough for a server's main thread (about 50 µs a review), where the
 * batcher groups inputs by length. Fields are joined as the classification recipe joins them; prompt and SetFit
 * templates add about the same tokens to every input, so the count still orders inputs as the model sees them.
 * A field of more than 16 characters per token of the max length counts as filling it without being read (tokens
 * are rarely that long), so a huge text costs nothing to measure.
 */
export function inputTokenCounter(
  dir: string,
  meta: Pick<ClassifierMeta, 'inputs' | 'maxLength'>,
): (input: Record<string, string>) => number {
  const tokenizer = Tokenizer.fromDirectory(dir);
  tokenizer.padding = null;
  tokenizer.truncation = null;
  const cap = meta.maxLength * 16;
  return (input) => {
    // Not a string: the worker refuses the input with its own error; here it is just short.
    const fields = meta.inputs.map((f) => (typeof input[f] === 'string' ? input[f] : ''));
    if (fields.some((f) => f.length > cap)) return meta.maxLength;
    const enc =
      fields.length === 2 ? tokenizer.encode(fields[0] as string, fields[1] as string) : tokenizer.encode(fields.join('\n'));
    return Math.min(meta.maxLength, enc.ids.length);
  };
}

/** Wraps an already loaded model with its metadata (e.g. right after training). */
export function classifierFrom(
  pretrained: Pretrained,
  meta: ClassifierMeta,
  recipe: Recipe<unknown> = recipeForMeta(meta),
): Classifier {
  const cfg = (batchSize: number): TrainConfig => trainConfig({ batchSize, maxLength: meta.maxLength });
  const examples = (inputs: readonly Record<string, string>[]): TrainExample[] =>
    inputs.map((x, i) => {
      const missing = meta.inputs.filter((f) => typeof x[f] !== 'string');
      if (missing.length)
        throw new ClassifierError(
          'CLASSIFIER_INPUT',
          `example ${i + 1} has no ${missing.join(', ')}: this model reads ${meta.inputs.join(', ')}`,
        );
      return { inputs: x, label: 0 };
    });
  const logits = (inputs: readonly Record<string, string>[], batchSize = 32): number[][] => {
    const out = predictLogits(pretrained, recipe, examples(inputs), cfg(batchSize));
    // Serving and scoring run for days on inputs of every length: keep the C heap from keeping freed space.
    maybeTrimNativeHeap();
    return out;
  };
  return {
    meta,
    pretrained,
    recipe,
    logits,
    predict(inputs, batchSize = 32) {
      return logits(inputs, batchSize).map((row) => toPrediction(row, meta));
    },
    dispose() {
      pretrained.model.dispose();
    },
  };
}

/** Logits → calibrated probabilities, top label and abstention. */
export function toPrediction(
  logits: readonly number[],
  meta: Pick<ClassifierMeta, 'labels' | 'temperature' | 'abstainBelow'> &
    Partial<Pick<ClassifierMeta, 'multiLabel' | 'thresholds'>>,
): Prediction {
  if (meta.multiLabel) {
    // One sigmoid per label, each against the threshold tuned on dev data (0.5 without one); the top label is the
    // most probable predicted one.
    const probs = logits.map((v) => 1 / (1 + Math.exp(-v)));
    const labels = meta.labels.filter((_, i) => (probs[i] as number) >= (meta.thresholds?.[i] ?? 0.5));
    const ranked = labels.map((l) => probs[meta.labels.indexOf(l)] as number);
    const top = ranked.length ? labels[ranked.indexOf(Math.max(...ranked))] : undefined;
    return {
      label: top,
      confidence: ranked.length ? Math.max(...ranked) : Math.max(...probs.map((p) => 1 - p)),
      probs: Object.fromEntries(meta.labels.map((l, i) => [l, probs[i] as number])),
      labels,
    };
  }
  const scaled = logits.map((v) => v / meta.temperature);
  const max = Math.max(...scaled);
  const exps = scaled.map((v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  const probs = exps.map((e) => e / sum);
  const top = probs.indexOf(Math.max(...probs));
  const confidence = probs[top] as number;
  const abstain = meta.abstainBelow !== undefined && confidence < meta.abstainBelow;
  return {
    label: abstain ? undefined : meta.labels[top],
    confidence,
    probs: Object.fromEntries(meta.labels.map((l, i) => [l, probs[i] as number])),
  };
}
