// The training loop, readable top to bottom: shuffle, batch, forward, loss, backward (accumulated), clip, step,
// schedule; evaluate on dev under no-grad every so often; keep the best weights; stop early or on divergence.
import {
  AdamW,
  F,
  LrScheduler,
  type Tensor,
  clipGradNorm,
  constantWithWarmup,
  cosineWithWarmup,
  linearWithWarmup,
  manualSeed,
  memoryStats,
  noGrad,
  tensor,
  tidy,
} from '../../engine/index.js';
import { seededRandom } from '../../shared/index.js';
import type { Pretrained } from '../../transformers/index.js';
import { classificationMetrics, metricValue } from '../eval/index.js';
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
}

/** Why training stopped with an error: the loss became NaN or infinite. */
export class DivergedError extends Error {
  override readonly name = 'DivergedError';
}

/** Label probabilities for examples, in batches, under no-grad and eval mode. */
export function predictProbs<B>(
  p: Pretrained,
  recipe: Recipe<B>,
  examples: readonly TrainExample[],
  cfg: TrainConfig,
): number[][] {
  const was = p.model.training;
  p.model.eval();
  const out: number[][] = [];
  for (let i = 0; i < examples.length; i += cfg.batchSize) {
    const batch = recipe.batch(p, examples.slice(i, i + cfg.batchSize), cfg);
    out.push(...tidy(() => noGrad(() => recipe.logits(p, batch).softmax(-1).tolist() as number[][])));
    recipe.disposeBatch(batch);
  }
  p.model.train(was);
  return out;
}

/** Trains `p.model` with `recipe` on `train`, evaluating on `dev` with the task's metric. */
export function trainModel<B>(
  p: Pretrained,
  recipe: Recipe<B>,
  train: readonly TrainExample[],
  dev: readonly TrainExample[],
  labels: readonly string[],
  cfg: TrainConfig,
  opts: { metric?: string; hooks?: TrainHooks; parameters?: Tensor[] } = {},
): TrainResult {
  manualSeed(cfg.seed);
  const rand = seededRandom(cfg.seed);
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
  const params = opts.parameters ?? p.model.parameters().filter((t) => t.requiresGrad);
  const opt = new AdamW(params, { lr: cfg.learningRate, weightDecay: cfg.weightDecay });
  const scheduler = new LrScheduler(opt, cfg.learningRate, schedule);
  const weights = cfg.classWeights === 'balanced' ? balancedWeights(train, labels.length) : undefined;
  const result: TrainResult = { steps: 0, history: [], evals: [], stoppedBy: 'completed', liveTensorsGrowth: 0 };
  let bestState: Map<string, Tensor> | undefined;
  let sinceBest = 0;
  let liveAtStart = -1;

  const evaluate = (): boolean => {
    const probs = predictProbs(p, recipe, dev, cfg);
    const predicted = probs.map((row) => labels[row.indexOf(Math.max(...row))] as string);
    const m = classificationMetrics(
      dev.map((e) => labels[e.label] as string),
      predicted,
      labels,
    );
    const log = { step: result.steps, metric: metricValue(m, metric), accuracy: m.accuracy, macroF1: m.macroF1 };
    result.evals.push(log);
    opts.hooks?.onEval?.(log);
    if (!result.best || log.metric > result.best.metric) {
      result.best = log;
      sinceBest = 0;
      for (const t of bestState?.values() ?? []) t.dispose();
      bestState = new Map(p.model.namedParameters().map(([k, t]) => [k, tidy(() => noGrad(() => t.detach().clone()))]));
      return false;
    }
    sinceBest++;
    return cfg.earlyStoppingPatience > 0 && sinceBest >= cfg.earlyStoppingPatience;
  };

  p.model.train();
  try {
    outer: for (let epoch = 0; epoch < cfg.epochs; epoch++) {
      const order = shuffle(train.length, rand);
      for (let b = 0; b < batchesPerEpoch; b += cfg.gradAccumulation) {
        const started = performance.now();
        let loss = 0;
        let seen = 0;
        for (let k = b; k < Math.min(b + cfg.gradAccumulation, batchesPerEpoch); k++) {
          const examples = order.slice(k * cfg.batchSize, (k + 1) * cfg.batchSize).map((i) => train[i] as TrainExample);
          const batch = recipe.batch(p, examples, cfg);
          loss += tidy(() => {
            const gold = tensor(
              examples.map((e) => e.label),
              { dtype: 'int64' },
            );
            const l = F.crossEntropy(recipe.logits(p, batch), gold, weights ? { weight: weights } : {});
            l.div(cfg.gradAccumulation).backward();
            return l.item();
          });
          recipe.disposeBatch(batch);
          seen += examples.length;
        }
        loss /= Math.min(cfg.gradAccumulation, batchesPerEpoch - b);
        if (!Number.isFinite(loss)) {
          result.stoppedBy = 'diverged';
          throw new DivergedError(
            `the loss became ${loss} at step ${result.steps + 1}: lower the learning rate (now ${scheduler.lr.toExponential(1)}) or raise warm-up; the best weights so far are kept.`,
          );
        }
        const gradNorm = clipGradNorm(params, cfg.maxGradNorm);
        opt.step();
        opt.zeroGrad();
        const lr = scheduler.step();
        result.steps++;
        const log = {
          step: result.steps,
          epoch: epoch + (b + 1) / batchesPerEpoch,
          loss,
          lr,
          gradNorm,
          examplesPerSecond: seen / ((performance.now() - started) / 1000),
        };
        result.history.push(log);
        opts.hooks?.onStep?.(log, totalSteps);
        if (liveAtStart < 0) liveAtStart = memoryStats().liveTensors;
        if (cfg.evalEvery && result.steps % cfg.evalEvery === 0 && dev.length && evaluate()) {
          result.stoppedBy = 'early-stopping';
          break outer;
        }
        if (result.steps >= totalSteps) {
          if (cfg.maxSteps && result.steps >= cfg.maxSteps) result.stoppedBy = 'max-steps';
          break outer;
        }
      }
      if (!cfg.evalEvery && dev.length && evaluate()) {
        result.stoppedBy = 'early-stopping';
        break;
      }
    }
    if (dev.length && result.evals.at(-1)?.step !== result.steps) evaluate();
    result.liveTensorsGrowth = memoryStats().liveTensors - liveAtStart - (bestState?.size ?? 0);
  } finally {
    // Leave the best dev weights in the model (the last ones when there is no dev data).
    if (bestState) {
      const own = p.model.stateDict();
      noGrad(() => {
        for (const [k, t] of bestState as Map<string, Tensor>) own.get(k)?.copy_(t);
      });
      for (const t of bestState.values()) t.dispose();
    }
    weights?.dispose();
    opt.dispose();
    p.model.eval();
  }
  return result;
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

/** n / (k · n_c) per class: rare classes weigh more. */
function balancedWeights(train: readonly TrainExample[], k: number): Tensor {
  const counts = new Array<number>(k).fill(0);
  for (const e of train) counts[e.label] = (counts[e.label] as number) + 1;
  return tensor(counts.map((c) => (c ? train.length / (k * c) : 0)));
}
