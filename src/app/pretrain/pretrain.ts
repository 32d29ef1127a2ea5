// Pre-training on unlabelled text: continued masked-LM training of a model on a corpus (domain adaptation), or
// with headOnly, training just the masked-LM head on a frozen encoder — how a sentence encoder saved without its
// head (such as the default model) becomes usable for prompt-based fine-tuning. Same loop, checkpoints, resume
// and monitoring as a training run; reports masked-token accuracy on held-out passages.
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { readCorpus } from '../../core/data/index.js';
import {
  JsonlLog,
  type Recipe,
  type TrainExample,
  cacheMaskedFeatures,
  cachedHeadRecipe,
  featureRows,
  freezeAllButMlmHead,
  maskedLmRecipe,
  trainConfigSchema,
  trainModel,
} from '../../core/train/index.js';
import { type Tensor, cat, dispose, manualSeed } from '../../engine/index.js';
import { problemsFromZod, seededRandom, shuffled } from '../../shared/index.js';
import { loadPretrained, savePretrained } from '../../transformers/index.js';
import { AppError } from '../errors.js';
import { type OnProgress, etaClock } from '../progress.js';

/** What a pre-training run is given. */
export const pretrainInputSchema = z
  .object({
    model: z.string().min(1).describe('The model to start from: hf:org/name, a model directory, or "default"'),
    text: z
      .array(z.string().min(1))
      .min(1)
      .describe(
        'The unlabelled text: .txt/.md files (paragraphs become passages), CSV/JSONL/Parquet files, or directories of them (absolute or relative to cwd)',
      ),
    column: z.string().min(1).optional().describe('The text column of table files (default text)'),
    out: z.string().min(1).describe('Where the model, its checkpoints (out/checkpoints) and metrics.jsonl go'),
    headOnly: z.boolean().default(false).describe('Train only the masked-LM head on cached outputs of the frozen encoder'),
    resume: z.boolean().default(false).describe('Continue from the newest checkpoint in out/checkpoints'),
    epochs: z.number().int().positive().optional().describe('Passes over the passages (default 1; 4 with headOnly)'),
    maxSteps: z.number().int().min(0).optional().describe('Stop after this many optimiser steps (0: no cap)'),
    batchSize: z.number().int().positive().optional().describe('Passages per step (default 16; at least 256 rows with headOnly)'),
    learningRate: z.number().positive().optional().describe('Peak learning rate (default 1e-4 with headOnly, else 5e-5)'),
    maxLength: z.number().int().min(8).optional().describe('Tokens per passage (default 128)'),
    mask: z
      .number()
      .gt(0, { message: 'expected a probability between 0 and 1' })
      .lt(1, { message: 'expected a probability between 0 and 1' })
      .default(0.15)
      .describe('The probability that a token is masked'),
    maxPassages: z.number().int().positive().optional().describe('Use at most this many passages (a seeded sample)'),
    checkpointEvery: z
      .number()
      .int()
      .min(0)
      .default(200)
      .describe('Checkpoint every this many steps (0: at each epoch end); always at the end'),
    seed: z.number().int().optional().describe('Seed of the sample, the split, the masking and the new weights (default 42)'),
  })
  .strict();

/** A pre-training run's input. */
export type PretrainInput = z.input<typeof pretrainInputSchema>;

/** What a pre-training run did. */
export interface PretrainResult {
  /** The saved model's directory (absolute). */
  out: string;
  /** Passages trained on. */
  passages: number;
  /** Passages held out for masked-token accuracy. */
  heldOut: number;
  steps: number;
  stoppedBy: string;
  /** Masked-token accuracy before training (not measured when resuming). */
  accuracyBefore?: number;
  /** Masked-token accuracy of the saved model (the best evaluation). */
  accuracy: number;
}

/** Options of a pre-training run beside its input. */
export interface PretrainOptions {
  /** What relative paths are relative to (default the process's working directory). */
  cwd?: string;
  onProgress?: OnProgress;
  /** Stop after the current step, checkpointed, so the run can be resumed (a worker shutting down). */
  signal?: AbortSignal;
  /** Warnings while loading the model (weights not used, weights newly initialised). */
  warn?: (message: string) => void;
}

/** Validates a pre-training input with every problem named. */
export function parsePretrainInput(input: unknown): z.infer<typeof pretrainInputSchema> {
  const parsed = pretrainInputSchema.safeParse(input);
  if (!parsed.success) throw new AppError('INVALID_INPUT', problemsFromZod(parsed.error, input));
  return parsed.data;
}

/** Pre-trains (or trains the masked-LM head of) a model on unlabelled text and saves it to `out`. */
export async function pretrain(input: PretrainInput, opts: PretrainOptions = {}): Promise<PretrainResult> {
  const spec = parsePretrainInput(input);
  const cwd = opts.cwd ?? process.cwd();
  const emit: OnProgress = opts.onProgress ?? (() => undefined);
  const note = (message: string): void => emit({ type: 'note', level: 'info', message });
  const { headOnly } = spec;
  const given = {
    epochs: spec.epochs ?? 1,
    maxSteps: spec.maxSteps,
    batchSize: spec.batchSize,
    learningRate: spec.learningRate ?? (headOnly ? 1e-4 : 5e-5),
    maxLength: spec.maxLength,
    seed: spec.seed,
    warmupRatio: 0.06,
  };
  const parsedCfg = trainConfigSchema.safeParse(Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)));
  if (!parsedCfg.success) throw new AppError('INVALID_INPUT', problemsFromZod(parsedCfg.error, given));
  const cfg = parsedCfg.data;
  const probability = spec.mask;
  const out = resolve(cwd, spec.out);
  const ckptDir = join(out, 'checkpoints');
  if (spec.resume && !existsSync(ckptDir))
    throw new AppError('PRECONDITION', [
      {
        code: 'NO_CHECKPOINTS',
        path: 'resume',
        message: `${relative(cwd, ckptDir) || ckptDir} has no checkpoints to continue from`,
        fix: 'start without resuming (a run checkpoints as it goes), or give the out directory of the run to continue',
      },
    ]);

  let passages = await readCorpus(
    spec.text.map((t) => resolve(cwd, t)),
    spec.column ? { column: spec.column } : {},
  );
  if (spec.maxPassages !== undefined && passages.length > spec.maxPassages)
    passages = sample(passages, spec.maxPassages, cfg.seed);
  const examples: TrainExample[] = passages.map((text) => ({ inputs: { text }, label: 0 }));
  const mixed = sample(examples, examples.length, cfg.seed + 1);
  const nDev = Math.min(2000, Math.max(1, Math.round(0.05 * mixed.length)));
  const dev = mixed.slice(0, nDev);
  const train = mixed.slice(nDev);

  manualSeed(cfg.seed);
  const p = await loadPretrained(spec.model, {
    cwd,
    head: 'masked-lm',
    onWarning: (m) => (opts.warn ? opts.warn(m) : emit({ type: 'note', level: 'warning', message: m })),
  });
  let cached: Tensor | undefined;
  let jsonl: JsonlLog | undefined;
  try {
    jsonl = new JsonlLog(join(out, 'metrics.jsonl'), { append: spec.resume });
    const log = jsonl;
    const params = headOnly ? freezeAllButMlmHead(p) : undefined;
    let recipe: Recipe<unknown> = maskedLmRecipe({ probability, seed: cfg.seed }) as Recipe<unknown>;
    let [trainRows, devRows, loopCfg] = [train, dev, cfg];
    if (headOnly) {
      // The encoder is frozen, so its outputs at the masked positions are computed once and the head is trained
      // on those rows: many epochs of head training for the price of one encoder pass.
      note(`encoding ${examples.length} passages once (the encoder is frozen)`);
      const total = examples.length;
      const t = cacheMaskedFeatures(p, train, cfg, { probability, seed: cfg.seed }, (done) =>
        emit({ type: 'examples', done, total }),
      );
      const d = cacheMaskedFeatures(p, dev, cfg, { probability, seed: cfg.seed }, (k) =>
        emit({ type: 'examples', done: train.length + k, total }),
      );
      cached = cat([t.features, d.features], 0);
      const cache = { features: cached, targets: [...t.targets, ...d.targets] };
      dispose(t.features, d.features);
      const nTrainRows = t.targets.length;
      const rows = featureRows(cache.targets.length);
      [trainRows, devRows] = [rows.slice(0, nTrainRows), rows.slice(nTrainRows)];
      recipe = cachedHeadRecipe(cache) as Recipe<unknown>;
      loopCfg = { ...cfg, batchSize: Math.max(cfg.batchSize, 256), epochs: spec.epochs ?? 4 };
    }
    const before = spec.resume ? undefined : recipe.score?.(p, devRows, loopCfg);
    note(
      `pretrain${headOnly ? ' (head only)' : ''}: ${train.length} passages (${dev.length} held out), ${loopCfg.epochs} epoch(s)${before ? `; masked-token accuracy before: ${before.accuracy.toFixed(3)}` : ''}`,
    );
    const eta = etaClock();
    const result = await trainModel(p, recipe, trainRows, devRows, [], loopCfg, {
      ...(params ? { parameters: params } : {}),
      checkpoint: { dir: ckptDir, every: spec.checkpointEvery, resume: spec.resume },
      ...(opts.signal ? { signal: opts.signal } : {}),
      hooks: {
        onStep(s, total) {
          log.log(s.step, {
            loss: s.loss,
            lr: s.lr,
            'grad-norm': s.gradNorm,
            'examples-per-second': s.examplesPerSecond,
          });
          emit({
            type: 'step',
            phase: 'train',
            step: s.step,
            total,
            loss: s.loss,
            lr: s.lr,
            gradNorm: s.gradNorm,
            examplesPerSecond: s.examplesPerSecond,
            etaSeconds: eta(s.step, total),
          });
        },
        onEval(e) {
          log.log(e.step, { 'dev/masked-accuracy': e.accuracy, 'dev/loss': -e.macroF1 });
          emit({
            type: 'eval',
            step: e.step,
            metric: 'masked-accuracy',
            value: e.accuracy,
            accuracy: e.accuracy,
            macroF1: e.macroF1,
          });
        },
      },
    });
    emit({ type: 'phase-end', phase: 'train' });
    for (const t of p.model.parameters()) t.requiresGrad_(true);
    savePretrained(p, out);
    return {
      out,
      passages: train.length,
      heldOut: dev.length,
      steps: result.steps,
      stoppedBy: result.stoppedBy,
      ...(before ? { accuracyBefore: before.accuracy } : {}),
      accuracy: result.best?.accuracy ?? Number.NaN,
    };
  } finally {
    jsonl?.close();
    cached?.dispose();
    p.model.dispose();
  }
}

/** A seeded sample of n items (a shuffle when n is the length). */
function sample<T>(xs: readonly T[], n: number, seed: number): T[] {
  return shuffled(xs, seededRandom(seed)).slice(0, n);
}
