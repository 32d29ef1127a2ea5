// The training loop, readable top to bottom: shuffle, batch, forward, loss, backward (accumulated), clip, step,
// schedule; evaluate on dev under no-grad every so often; keep the best weights; stop early or on divergence.
import { createHash } from 'node:crypto';
import {
  AdamW,
  F,
  LrScheduler,
  type Tensor,
  autocast,
  clipGradNorm,
  constantWithWarmup,
  cosineWithWarmup,
  getRngState,
  linearWithWarmup,
  manualSeed,
  maybeTrimNativeHeap,
  memoryStats,
  noGrad,
  setRngState,
  tensor,
  tidy,
} from '../../engine/index.js';
import { CodedError, seededRandom } from '../../shared/index.js';
import type { Pretrained } from '../../transformers/index.js';
import { classificationMetrics, metricValue, multiLabelMetrics } from '../eval/index.js';
import { CheckpointError, type LoopState, disposeCheckpoint, readLatestCheckpoint, writeCheckpoint } from './checkpoint.js';
import type { TrainConfig } from './config.js';
import type { Recipe, TrainExample } from './recipe.js';

/** One optimiser step's numbers. */
export interface StepLog {
  step: number;
  epoch: number;
  loss: number;
  lr: number;
  gradNorm: number;
  examplesPerSecond: number;
}

/** One evaluation on dev data. */
export interface EvalLog {
  step: number;
  metric: number;
  accuracy: number;
  macroF1: number;
}

/** What a run produced. */
export interface TrainResult {
  steps: number;
  history: StepLog[];
  evals: EvalLog[];
  /** The best dev evaluation (its weights are the ones left in the model). */
  best?: EvalLog;
  stoppedBy: 'completed' | 'max-steps' | 'early-stopping' | 'diverged';
  liveTensorsGrowth: number;
}

/** Callbacks for monitoring (progress bar, store, JSONL log). */
export interface TrainHooks {
  onStep?(log: StepLog, totalSteps: number): void;
  onEval?(log: EvalLog): void;
  /** A checkpoint was written (its directory). */
  onCheckpoint?(dir: string, step: number): void;
}

/** Where and how often a run saves checkpoints, and whether it continues from the newest one. */
export interface CheckpointOptions {
  dir: string;
  /** Every this many optimiser steps (0: at the end of each epoch); always at the end of the run. */
  every?: number;
  /** How many checkpoints to keep (newest). */
  keep?: number;
  /** Continue from the newest checkpoint in `dir` when there is one. */
  resume?: boolean;
}

/** Why training stopped with an error: the loss became NaN or infinite. */
export class DivergedError extends CodedError<'TRAIN_DIVERGED'> {}

/** Training stopped on request (a graceful shutdown, a cancelled job) after checkpointing where it was. */
export class TrainStoppedError extends CodedError<'TRAIN_STOPPED'> {}

/** Lets timers and I/O run between steps: a worker's lease renewals, a server's requests, a stop signal. */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Label probabilities for examples, in batches, under no-grad and eval mode (one sigmoid per label when multi-label). */
export function predictProbs<B>(
  p: Pretrained,
  recipe: Recipe<B>,
  examples: readonly TrainExample[],
  cfg: TrainConfig,
  multiLabel = false,
): number[][] {
  return scoreBatches(p, recipe, examples, cfg, (t) => (multiLabel ? t.sigmoid() : t.softmax(-1)));
}

/** Raw label logits for examples (what temperature scaling is fitted on), in batches, under no-grad. */
export function predictLogits<B>(
  p: Pretrained,
  recipe: Recipe<B>,
  examples: readonly TrainExample[],
  cfg: TrainConfig,
): number[][] {
  return scoreBatches(p, recipe, examples, cfg, (t) => t);
}

function scoreBatches<B>(
  p: Pretrained,
  recipe: Recipe<B>,
  examples: readonly TrainExample[],
  cfg: TrainConfig,
  finish: (logits: Tensor) => Tensor,
): number[][] {
  const was = p.model.training;
  p.model.eval();
  const out: number[][] = [];
  try {
    for (let i = 0; i < examples.length; i += cfg.batchSize) {
      const batch = recipe.batch(p, examples.slice(i, i + cfg.batchSize), cfg);
      try {
        out.push(
          ...tidy(() =>
            noGrad(() => finish(autocast(cfg.precision, () => recipe.logits(p, batch)).to('float32')).tolist() as number[][]),
          ),
        );
      } finally {
        recipe.disposeBatch(batch);
      }
    }
  } finally {
    p.model.train(was);
  }
  return out;
}

/**
 * Trains `p.model` with `recipe` on `train`, evaluating on `dev` with the task's metric. Yields to the event loop
 * after every step; when `signal` aborts it checkpoints (if checkpointing) and throws TrainStoppedError.
 */
export async function trainModel<B>(
  p: Pretrained,
  recipe: Recipe<B>,
  train: readonly TrainExample[],
  dev: readonly TrainExample[],
  labels: readonly string[],
  cfg: TrainConfig,
  opts: {
    metric?: string;
    hooks?: TrainHooks;
    parameters?: Tensor[];
    checkpoint?: CheckpointOptions;
    /** One sigmoid per label and binary cross-entropy on TrainExample.targets. */
    multiLabel?: boolean;
    /** Stop after the current step (resumably, with checkpoints). */
    signal?: AbortSignal;
  } = {},
): Promise<TrainResult> {
  manualSeed(cfg.seed);
  const metric = opts.metric ?? 'macro-f1';
  const batchesPerEpoch = Math.ceil(train.length / cfg.batchSize);
  const stepsPerEpoch = Math.ceil(batchesPerEpoch / cfg.gradAccumulation);
  const totalSteps = cfg.maxSteps ? Math.min(cfg.maxSteps, stepsPerEpoch * cfg.epochs) : stepsPerEpoch * cfg.epochs;
  const warmup = Math.round(cfg.warmupRatio * totalSteps);
  const schedule =
    cfg.schedule === 'linear'
      ? linearWithWarmup(warmup, totalSteps)
      : cfg.schedule === 'cosine'
        ? cosineWithWarmup(warmup, totalSteps)
        : constantWithWarmup(warmup);
  const own = recipe.parameters?.() ?? new Map<string, Tensor>();
  const params = [...(opts.parameters ?? p.model.parameters().filter((t) => t.requiresGrad)), ...own.values()];
  const named = trainableNames(p, params, own);
  const multi = opts.multiLabel === true;
  if (multi && train.some((e) => e.targets?.length !== labels.length))
    throw new Error(`multi-label training needs targets with ${labels.length} entries (one per label) on every example`);
  const opt = new AdamW(params, { lr: cfg.learningRate, weightDecay: cfg.weightDecay });
  const scheduler = new LrScheduler(opt, cfg.learningRate, schedule);
  const weights =
    cfg.classWeights !== 'balanced'
      ? undefined
      : opts.multiLabel
        ? positiveWeights(train, labels.length)
        : balancedWeights(train, labels.length);
  const state: LoopState = {
    fingerprint: fingerprint(recipe.name, cfg, train, dev, labels, named),
    steps: 0,
    epoch: 0,
    batch: 0,
    history: [],
    evals: [],
    sinceBest: 0,
  };
  let bestState: Map<string, Tensor> | undefined;
  let liveAtStart = -1;
  const ck = opts.checkpoint;
  if (ck?.resume) bestState = restore(ck.dir, state, named, opt, scheduler);

  const checkpoint = (): void => {
    if (!ck) return;
    const rng = getRngState();
    const optimizer = opt.state();
    try {
      const dir = writeCheckpoint(
        ck.dir,
        { state, weights: named, optimizer, rng, ...(bestState ? { best: bestState } : {}) },
        ck.keep,
      );
      opts.hooks?.onCheckpoint?.(dir, state.steps);
    } finally {
      rng.dispose();
      for (const e of optimizer) for (const t of e?.tensors ?? []) t.dispose();
    }
  };

  const evaluate = (): boolean => {
    const log = { step: state.steps, ...devScores(p, recipe, dev, labels, cfg, metric, multi) };
    state.evals.push(log);
    opts.hooks?.onEval?.(log);
    if (!state.best || log.metric > state.best.metric) {
      state.best = log;
      state.sinceBest = 0;
      for (const t of bestState?.values() ?? []) t.dispose();
      bestState = new Map([...named].map(([k, t]) => [k, tidy(() => noGrad(() => t.detach().clone()))]));
      return false;
    }
    state.sinceBest++;
    return cfg.earlyStoppingPatience > 0 && state.sinceBest >= cfg.earlyStoppingPatience;
  };

  p.model.train();
  try {
    outer: while (!state.stoppedBy && state.epoch < cfg.epochs) {
      const order = shuffle(train.length, seededRandom(cfg.seed * 1_000_003 + state.epoch));
      for (; state.batch < batchesPerEpoch; state.batch += cfg.gradAccumulation) {
        const b = state.batch;
        const started = performance.now();
        let loss = 0;
        let seen = 0;
        for (let k = b; k < Math.min(b + cfg.gradAccumulation, batchesPerEpoch); k++) {
          const examples = order.slice(k * cfg.batchSize, (k + 1) * cfg.batchSize).map((i) => train[i] as TrainExample);
          const batch = recipe.batch(p, examples, cfg, { epoch: state.epoch });
          loss += tidy(() => {
            // Forward and loss under autocast (bf16: PyTorch's cast policy), backward outside it, as torch.autocast.
            const l = autocast(cfg.precision, () => {
              if (recipe.loss) return recipe.loss(p, batch);
              const logits = recipe.logits(p, batch);
              return multi
                ? F.binaryCrossEntropyWithLogits(
                    logits,
                    tensor(examples.map((e) => [...(e.targets ?? [])])),
                    weights ? { posWeight: weights } : {},
                  )
                : F.crossEntropy(
                    logits,
                    tensor(
                      examples.map((e) => e.label),
                      { dtype: 'int64' },
                    ),
                    weights ? { weight: weights } : {},
                  );
            });
            l.div(cfg.gradAccumulation).backward();
            return l.item();
          });
          recipe.disposeBatch(batch);
          seen += examples.length;
        }
        loss /= Math.min(cfg.gradAccumulation, batchesPerEpoch - b);
        if (!Number.isFinite(loss)) {
          const kept = ck ? ` The last good checkpoint is in ${ck.dir}.` : '';
          throw new DivergedError(
            'TRAIN_DIVERGED',
            `the loss became ${loss} at step ${state.steps + 1}: lower the learning rate (now ${scheduler.lr.toExponential(1)}) or raise warm-up; the best weights so far are kept.${kept}`,
          );
        }
        const gradNorm = clipGradNorm(params, cfg.maxGradNorm);
        opt.step();
        opt.zeroGrad();
        // Batches of different lengths leave free space inside the C heap that glibc keeps; returning it every
        // few seconds keeps a long run's resident memory flat (BENCHMARKS.md, bench:memory).
        maybeTrimNativeHeap();
        const lr = scheduler.step();
        state.steps++;
        const log = {
          step: state.steps,
          epoch: state.epoch + Math.min(b + cfg.gradAccumulation, batchesPerEpoch) / batchesPerEpoch,
          loss,
          lr,
          gradNorm,
          examplesPerSecond: seen / ((performance.now() - started) / 1000),
        };
        state.history.push(log);
        opts.hooks?.onStep?.(log, totalSteps);
        if (liveAtStart < 0) liveAtStart = memoryStats().liveTensors;
        if (cfg.evalEvery && state.steps % cfg.evalEvery === 0 && dev.length && evaluate()) {
          state.stoppedBy = 'early-stopping';
          break outer;
        }
        if (state.steps >= totalSteps) {
          state.stoppedBy = cfg.maxSteps && state.steps >= cfg.maxSteps ? 'max-steps' : 'completed';
          break outer;
        }
        await yieldToEventLoop();
        const stopping = opts.signal?.aborted === true;
        if (stopping || (ck?.every && state.steps % ck.every === 0)) {
          state.batch += cfg.gradAccumulation;
          checkpoint();
          state.batch -= cfg.gradAccumulation;
        }
        if (stopping)
          throw new TrainStoppedError(
            'TRAIN_STOPPED',
            `training stopped on request after step ${state.steps}${ck ? `; resume from the checkpoint in ${ck.dir}` : ''}.`,
          );
      }
      if (!cfg.evalEvery && dev.length && evaluate()) state.stoppedBy = 'early-stopping';
      state.epoch++;
      state.batch = 0;
      if (ck && !ck.every && !state.stoppedBy && state.epoch < cfg.epochs) checkpoint();
    }
    state.stoppedBy ??= 'completed';
    if (dev.length && state.evals.at(-1)?.step !== state.steps) evaluate();
    checkpoint();
  } finally {
    // Leave the best dev weights in the model (the last ones when there is no dev data).
    if (bestState) {
      noGrad(() => {
        for (const [k, t] of bestState as Map<string, Tensor>) named.get(k)?.copy_(t);
      });
      for (const t of bestState.values()) t.dispose();
    }
    weights?.dispose();
    opt.dispose();
    p.model.eval();
  }
  return {
    steps: state.steps,
    history: state.history,
    evals: state.evals,
    ...(state.best ? { best: state.best } : {}),
    stoppedBy: state.stoppedBy ?? 'completed',
    liveTensorsGrowth: liveAtStart < 0 ? 0 : memoryStats().liveTensors - liveAtStart,
  };
}

/** The trainable parameters by name (what checkpoints and best-weight copies hold), the recipe's under "recipe.". */
function trainableNames(p: Pretrained, params: readonly Tensor[], own: Map<string, Tensor>): Map<string, Tensor> {
  const wanted = new Set(params.map((t) => t.handle));
  const named = new Map(p.model.namedParameters().filter(([, t]) => wanted.has(t.handle)));
  for (const [k, t] of own) named.set(`recipe.${k}`, t);
  return named;
}

/** The dev metrics: argmax for single-label tasks; a 0.5 threshold per label for multi-label ones. */
function devScores<B>(
  p: Pretrained,
  recipe: Recipe<B>,
  dev: readonly TrainExample[],
  labels: readonly string[],
  cfg: TrainConfig,
  metric: string,
  multi: boolean,
): Omit<EvalLog, 'step'> {
  if (recipe.score) {
    const was = p.model.training;
    p.model.eval();
    try {
      return noGrad(() => autocast(cfg.precision, () => recipe.score?.(p, dev, cfg) as Omit<EvalLog, 'step'>));
    } finally {
      p.model.train(was);
    }
  }
  const probs = predictProbs(p, recipe, dev, cfg, multi);
  if (multi) {
    const m = multiLabelMetrics(
      dev.map((e) => (e.targets ?? []).map((t) => t > 0.5)),
      probs.map((row) => row.map((v) => v >= 0.5)),
      labels,
    );
    const value = metric === 'micro-f1' ? m.microF1 : metric === 'accuracy' ? m.subsetAccuracy : m.macroF1;
    return { metric: value, accuracy: m.subsetAccuracy, macroF1: m.macroF1 };
  }
  const m = classificationMetrics(
    dev.map((e) => labels[e.label] as string),
    probs.map((row) => labels[row.indexOf(Math.max(...row))] as string),
    labels,
  );
  return { metric: metricValue(m, metric), accuracy: m.accuracy, macroF1: m.macroF1 };
}

/** A digest of what makes two runs the same run: recipe, settings, data, labels and trainable parameters. */
function fingerprint(
  recipe: string,
  cfg: TrainConfig,
  train: readonly TrainExample[],
  dev: readonly TrainExample[],
  labels: readonly string[],
  named: Map<string, Tensor>,
): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ recipe, cfg, labels, params: [...named].map(([k, t]) => [k, t.shape]) }));
  for (const e of [...train, ...dev]) h.update(JSON.stringify(e));
  return h.digest('hex').slice(0, 16);
}

/** Loads the newest checkpoint into the model, optimiser, scheduler, generator and `state`; returns best weights. */
function restore(
  dir: string,
  state: LoopState,
  named: Map<string, Tensor>,
  opt: AdamW,
  scheduler: LrScheduler,
): Map<string, Tensor> | undefined {
  const ckpt = readLatestCheckpoint(dir);
  if (!ckpt) return undefined;
  try {
    if (ckpt.state.fingerprint !== state.fingerprint)
      throw new CheckpointError(
        'CHECKPOINT_MISMATCH',
        `the checkpoint in ${dir} was made with other settings, data or model: resume with the options the run started with, or start a new run`,
      );
    noGrad(() => {
      for (const [k, t] of named) {
        const saved = ckpt.weights.get(k);
        if (!saved) throw new CheckpointError('CHECKPOINT_MISMATCH', `the checkpoint in ${dir} has no weights for ${k}`);
        t.copy_(saved);
      }
    });
    opt.loadState(ckpt.optimizer);
    scheduler.seek(ckpt.state.steps);
    setRngState(ckpt.rng);
    Object.assign(state, ckpt.state);
    const best = ckpt.best;
    ckpt.best = undefined;
    return best;
  } finally {
    disposeCheckpoint(ckpt);
  }
}

/** A seeded permutation of 0..n-1. */
function shuffle(n: number, rand: () => number): number[] {
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as number, out[i] as number];
  }
  return out;
}

/** negatives / positives per label: BCE's pos_weight, so rare labels are not simply never predicted. */
function positiveWeights(train: readonly TrainExample[], k: number): Tensor {
  const pos = new Array<number>(k).fill(0);
  for (const e of train) {
    for (const [i, t] of (e.targets ?? []).entries()) pos[i] = (pos[i] as number) + t;
  }
  return tensor(pos.map((c) => (c ? (train.length - c) / c : 1)));
}

/** n / (k · n_c) per class: rare classes weigh more. */
function balancedWeights(train: readonly TrainExample[], k: number): Tensor {
  const counts = new Array<number>(k).fill(0);
  for (const e of train) counts[e.label] = (counts[e.label] as number) + 1;
  return tensor(counts.map((c) => (c ? train.length / (k * c) : 0)));
}
