// One training run from start (or resume) to a saved classifier: the run recorded in the store, data rebuilt
// from the spec, model + LoRA + recipe, monitoring (progress events, JSONL, TensorBoard, store), checkpoints, the
// best model saved with its promptune.json, temperature fitted on dev data, and the test evaluation recorded.
import { join, resolve } from 'node:path';
import { classificationMetrics, fitTemperature, metricValue, multiLabelMetrics, tuneThresholds } from '../../core/eval/index.js';
import {
  type ClassifierMeta,
  JsonlLog,
  TensorBoardWriter,
  type TrainExample,
  type TrainResult,
  predictLogits,
  toPrediction,
  trainModel,
  writeClassifierMeta,
} from '../../core/train/index.js';
import { manualSeed } from '../../engine/index.js';
import type { MetricPoint, Run } from '../../store/index.js';
import { applyLora, mergeLora, saveLoraAdapter, savePretrained, trainableParameters } from '../../transformers/index.js';
import { AppError } from '../errors.js';
import { type OnProgress, etaClock } from '../progress.js';
import type { Project } from '../project.js';
import { asTrainExamples, metaForRun, recipeForRun } from './recipe-for-run.js';
import { RECIPE_POLICIES } from './recipes/index.js';
import { type RunSpec, parseSpec } from './spec.js';
import { type RunSplits, runSplits } from './splits.js';

/** What a finished run produced. */
export interface RunOutcome {
  run: Run;
  result: TrainResult;
  modelDir: string;
  runDir: string;
  temperature: number;
  test?: { metric: number; accuracy: number; macroF1: number; n: number };
}

/** The directory of a run's checkpoints, logs and (by default) model. */
export function runDirOf(project: Project, runId: string): string {
  return join(project.projectDir, '.promptune', 'runs', runId);
}

/** Resolves a prompt name or hash to the stored version's hash. */
export async function resolvePromptHash(project: Project, ref: string): Promise<string> {
  const task = project.loaded.task;
  const version = (await project.store.prompts.list(task.name, { name: ref }))[0] ?? (await project.store.prompts.get(ref));
  return version.hash;
}

/** A run ready to execute: its record, its spec and its data. */
export interface OpenedRun {
  run: Run;
  spec: RunSpec;
  splits: RunSplits;
}

/** Creates a queued run for `spec` that a worker claims later; `extra` (e.g. a search trial's record) is stored beside the spec in its config. */
export async function enqueueRun(
  project: Project,
  spec: RunSpec,
  extra: Record<string, unknown> = {},
  /** The run's id, when the caller names it (STORE_CONFLICT if taken). */
  id?: string,
): Promise<OpenedRun> {
  const task = project.loaded.task;
  const resolved = {
    ...spec,
    ...(spec.prompt ? { prompt: await resolvePromptHash(project, spec.prompt) } : {}),
    ...(spec.ensemble ? { ensemble: await Promise.all(spec.ensemble.map((r) => resolvePromptHash(project, r))) } : {}),
  };
  const splits = await runSplits(project, resolved);
  const run = await project.store.runs.create({
    ...(id === undefined ? {} : { id }),
    taskId: task.name,
    recipe: resolved.recipe,
    config: { ...resolved, ...extra },
    baseModel: resolved.model ?? task.model,
    datasetHash: splits.train.hash,
    promptHash: resolved.prompt ?? null,
  });
  return { run, spec: resolved, splits };
}

/** Creates a run for `spec` and marks it running. */
export async function openRun(project: Project, spec: RunSpec): Promise<OpenedRun> {
  const { run, spec: resolved, splits } = await enqueueRun(project, spec);
  return { run: await project.store.runs.start(run.id, `cli-${process.pid}`), spec: resolved, splits };
}

/** The spec a stored run was created with (a search trial's `search` record set aside). */
export function specOfRun(run: Run): RunSpec {
  const { search: _search, ...config } = (run.config ?? {}) as Record<string, unknown>;
  return parseSpec(config);
}

/** Marks a stored run as resumed and returns it with its spec. */
export async function reopenRun(project: Project, runId: string, workerId = `cli-${process.pid}`): Promise<OpenedRun> {
  const stored = await project.store.runs.get(runId);
  if (stored.taskId !== project.loaded.task.name)
    throw new AppError('INVALID_INPUT', [
      {
        code: 'RUN_OF_OTHER_TASK',
        path: 'resume',
        message: `run ${runId} belongs to task "${stored.taskId}", not "${project.loaded.task.name}"`,
        fix: 'resume it with its own task file (--task)',
      },
    ]);
  const spec = specOfRun(stored);
  const splits = await runSplits(project, spec);
  const run = await project.store.runs.resume(runId, workerId);
  return { run, spec, splits };
}

/** How often a training run's new metric points are written to the store while it trains. */
const LIVE_METRICS_MS = 1000;

/** Trains, saves and evaluates one run; on failure the run is marked failed and its checkpoints stay. */
export async function executeRun(
  project: Project,
  opened: OpenedRun,
  opts: {
    resume?: boolean;
    onProgress?: OnProgress;
    /** Stop after the current step, checkpointed, so the run can be resumed (a worker shutting down). */
    signal?: AbortSignal;
  } = {},
): Promise<RunOutcome> {
  const emit: OnProgress = opts.onProgress ?? (() => undefined);
  const { run, spec, splits } = opened;
  const task = project.loaded.task;
  const labels = task.labels.map((l) => l.name);
  const runDir = runDirOf(project, run.id);
  const modelDir = resolve(project.projectDir, spec.out ?? join(runDir, 'model'));
  const points: MetricPoint[] = [];
  const jsonl = new JsonlLog(join(runDir, 'metrics.jsonl'), { append: opts.resume === true });
  const tb = spec.tensorboard ? new TensorBoardWriter(join(runDir, 'tensorboard')) : undefined;
  // Points reach the store while the run trains (about once a second), so a live view reads them as they come;
  // the full set is written again at the end (one value per step and name, so nothing doubles).
  let written = 0;
  let lastWrite = performance.now();
  let writing: Promise<void> = Promise.resolve();
  const writeNew = (): void => {
    const fresh = points.slice(written);
    written = points.length;
    if (fresh.length)
      writing = writing
        .then(() => project.store.runs.logMetrics(run.id, fresh))
        .catch((e: Error) => project.warn(`live metrics not stored (they are at the end): ${e.message}`));
  };
  const record = (step: number, metrics: Record<string, number>): void => {
    jsonl.log(step, metrics);
    for (const [name, value] of Object.entries(metrics)) {
      points.push({ step, name, value });
      tb?.scalar(name, value, step);
    }
    if (performance.now() - lastWrite >= LIVE_METRICS_MS) {
      lastWrite = performance.now();
      writeNew();
    }
  };
  try {
    // New heads and LoRA matrices start from random values: seed them so the same spec gives the same run.
    manualSeed(spec.seed);
    const policy = RECIPE_POLICIES[spec.recipe];
    const p = await project.model({
      override: spec.model,
      head: policy.head,
      fresh: true,
    });
    try {
      const multi = task.type === 'multi-label';
      const trainEx = asTrainExamples(splits.train, labels, multi);
      const devEx = asTrainExamples(splits.dev, labels, multi);
      const rr = await recipeForRun(project, spec, trainEx, labels, p.model.config.hiddenSize);
      const recipe = rr.recipe;
      const lora = spec.lora && {
        r: spec.lora.r,
        alpha: spec.lora.alpha ?? 2 * spec.lora.r,
        dropout: spec.lora.dropout,
        targetModules: spec.lora.targets ?? (p.model.family === 'distilbert' ? ['q_lin', 'v_lin'] : ['query', 'value']),
      };
      if (lora) applyLora(p.model, lora);
      emit({
        type: 'start',
        runId: run.id,
        resumed: opts.resume === true,
        recipe: spec.recipe,
        ...(spec.lora ? { loraRank: spec.lora.r } : {}),
        trainExamples: trainEx.length,
        devExamples: devEx.length,
        epochs: spec.epochs,
        precision: spec.precision,
      });
      if (spec.precision === 'bf16')
        emit({
          type: 'note',
          level: 'info',
          message:
            'training in bf16 mixed precision (autocast around forward and loss; fp32 weights, optimiser state and saved model)',
        });
      const loopParameters = policy.beforeLoop?.(p, trainEx, spec, emit);
      const loopCfg = policy.loopConfig(spec);
      const eta = etaClock();
      const result = await trainModel(p, recipe, trainEx, devEx, labels, loopCfg, {
        metric: task.metric,
        multiLabel: multi,
        parameters: loopParameters ?? (spec.lora ? trainableParameters(p.model) : undefined),
        checkpoint: { dir: join(runDir, 'checkpoints'), every: spec.checkpointEvery, resume: opts.resume === true },
        ...(opts.signal ? { signal: opts.signal } : {}),
        hooks: {
          onStep(log, total) {
            record(log.step, {
              loss: log.loss,
              lr: log.lr,
              'grad-norm': log.gradNorm,
              'examples-per-second': log.examplesPerSecond,
            });
            emit({
              type: 'step',
              phase: 'train',
              step: log.step,
              total,
              loss: log.loss,
              lr: log.lr,
              gradNorm: log.gradNorm,
              examplesPerSecond: log.examplesPerSecond,
              etaSeconds: eta(log.step, total),
            });
          },
          onEval(log) {
            record(log.step, { [`dev/${task.metric}`]: log.metric, 'dev/accuracy': log.accuracy, 'dev/macro-f1': log.macroF1 });
            emit({
              type: 'eval',
              step: log.step,
              metric: task.metric,
              value: log.metric,
              accuracy: log.accuracy,
              macroF1: log.macroF1,
            });
          },
        },
      });
      emit({ type: 'phase-end', phase: 'train' });
      // Steps replayed after a resume were logged before the kill too; the store keeps one value per step.
      if (opts.resume)
        for (const h of result.history)
          points.push({ step: h.step, name: 'loss', value: h.loss }, { step: h.step, name: 'lr', value: h.lr });
      // The adapters alone, in PEFT's format (Python: PeftModel.from_pretrained(base, dir)), then merged for predict.
      if (lora) {
        saveLoraAdapter(p.model, join(runDir, 'adapter'), lora, spec.model ?? task.model);
        mergeLora(p.model);
      }
      const devLogits = predictLogits(p, recipe, devEx, spec);
      // Single-label: a temperature fitted on dev data. Multi-label: one decision threshold per label instead.
      const temperature =
        !multi && devEx.length >= 10
          ? fitTemperature(
              devEx.map((e) => e.label),
              devLogits,
            )
          : 1;
      const thresholds = multi
        ? tuneThresholds(
            devEx.map((e) => (e.targets ?? []).map((t) => t === 1)),
            devLogits.map((row) => row.map((v) => 1 / (1 + Math.exp(-v)))),
          )
        : undefined;
      savePretrained(p, modelDir);
      policy.save?.(modelDir, rr);
      const meta = metaForRun(task, spec, rr, { runId: run.id, temperature, ...(thresholds ? { thresholds } : {}) });
      writeClassifierMeta(modelDir, meta);
      const outcome: RunOutcome = { run, result, modelDir, runDir, temperature };
      if (splits.test) {
        const testEx = asTrainExamples(splits.test, labels, multi);
        const scored = testScores(predictLogits(p, recipe, testEx, spec), testEx, meta, task.metric);
        outcome.test = scored.test;
        await project.store.evaluations.record({
          taskId: task.name,
          kind: 'fine-tune',
          promptHashes: rr.prompts.map((x) => x.hash),
          datasetHash: splits.test.hash,
          modelRef: modelDir,
          runId: run.id,
          metrics: scored.metrics,
          details: scored.details,
        });
      }
      await writing;
      await project.store.runs.logMetrics(run.id, points);
      const best = result.best ? { name: task.metric, value: result.best.metric } : undefined;
      outcome.run = await project.store.runs.finish(run.id, {
        status: 'completed',
        checkpointPath: modelDir,
        ...(best ? { bestMetric: best } : {}),
      });
      return outcome;
    } finally {
      p.model.dispose();
    }
  } catch (e) {
    await writing;
    await project.store.runs.logMetrics(run.id, points);
    await project.store.runs.finish(run.id, { status: 'failed', error: (e as Error).message });
    throw e;
  } finally {
    jsonl.close();
    tb?.close();
  }
}

/** Test-set scores of a trained model: label metrics, or multi-label metrics at the saved thresholds. */
function testScores(
  logits: number[][],
  testEx: TrainExample[],
  meta: ClassifierMeta,
  metric: string,
): { test: NonNullable<RunOutcome['test']>; metrics: Record<string, number>; details: Record<string, unknown> } {
  const labels = meta.labels;
  if (meta.multiLabel) {
    const m = multiLabelMetrics(
      testEx.map((e) => (e.targets ?? []).map((t) => t === 1)),
      logits.map((row) => toPrediction(row, meta)).map((x) => labels.map((l) => x.labels?.includes(l) === true)),
      labels,
    );
    const value = metric === 'micro-f1' ? m.microF1 : metric === 'accuracy' ? m.subsetAccuracy : m.macroF1;
    return {
      test: { metric: value, accuracy: m.subsetAccuracy, macroF1: m.macroF1, n: m.n },
      metrics: { [metric]: value, 'subset-accuracy': m.subsetAccuracy, 'macro-f1': m.macroF1, 'micro-f1': m.microF1 },
      details: { perLabel: m.perLabel, hammingLoss: m.hammingLoss },
    };
  }
  const m = classificationMetrics(
    testEx.map((e) => labels[e.label] as string),
    logits.map((r) => labels[r.indexOf(Math.max(...r))] as string),
    labels,
  );
  const value = metricValue(m, metric);
  return {
    test: { metric: value, accuracy: m.accuracy, macroF1: m.macroF1, n: m.n },
    metrics: { [metric]: value, accuracy: m.accuracy, 'macro-f1': m.macroF1 },
    details: { perClass: m.perClass, confusion: m.confusion },
  };
}
