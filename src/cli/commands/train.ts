// promptune train: fine-tunes the task's model on the task's data with a recipe (prompt-based or a
// classification head, full or LoRA), showing progress, recording the run and its metrics in the store, and
// saving the fine-tuned model where Python transformers opens it.
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type Dataset, kShot, stratifiedSplit } from '../../core/data/index.js';
import { classificationMetrics, metricValue } from '../../core/eval/index.js';
import { checkPrompt } from '../../core/prompts/index.js';
import {
  type Recipe,
  type TrainConfig,
  type TrainExample,
  classificationRecipe,
  predictProbs,
  promptMlmRecipe,
  trainConfigSchema,
  trainModel,
} from '../../core/train/index.js';
import { applyLora, mergeLora, savePretrained, trainableParameters } from '../../transformers/index.js';
import { type CliIO, type Command, UsageError } from '../command.js';
import { PROJECT_HELP, PROJECT_OPTIONS, type Project, importTaskSplit, openProject, saveDataset } from '../context.js';

const HELP = `Usage: promptune train [options]

Fine-tunes the task's model on data.train, evaluating on data.dev (else a stratified 10 % of train) with the
task's metric, then on data.test. The run, its settings and every step's metrics go to the store; the model
with the best dev score is saved to --out (config.json, model.safetensors, tokenizer: Python opens it).

Options:
  --recipe <r>             prompt-mlm (default when --prompt is given): PET/LM-BFF loss on the verbalizer;
                           classification: a standard classification head (the baseline)
  --prompt <name|hash>     the prompt version for prompt-mlm
  --k <n>                  few-shot: n examples per label for train and n for dev (LM-BFF), seeded by --seed
  --lora <r>               train LoRA adapters of rank r (attention query/value) instead of all weights
  --epochs <n>             default 3           --batch-size <n>   default 16
  --lr <x>                 default 2e-5        --max-length <n>   default 128
  --eval-every <steps>     default: each epoch --patience <n>     early stopping after n evaluations without gain
  --class-weights          weigh classes by inverse frequency (imbalanced data)
  --seed <n>               default 42
  --model <ref>            train this model instead of the task's
  --out <dir>              where to save (default .promptune/runs/<run id>)
${PROJECT_HELP}`;

/** Examples as training sees them, in the task's label order (multi-label rows keep their first label). */
function asTrainExamples(ds: Dataset, labels: readonly string[]): TrainExample[] {
  return ds.examples.map((e) => ({ inputs: e.inputs, label: labels.indexOf(e.labels[0] as string) })).filter((e) => e.label >= 0);
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'fine-tune the model on the task data (prompt-based or classification head, full or LoRA)',
  help: HELP,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        ...PROJECT_OPTIONS,
        recipe: { type: 'string' },
        prompt: { type: 'string' },
        k: { type: 'string' },
        lora: { type: 'string' },
        epochs: { type: 'string' },
        'batch-size': { type: 'string' },
        lr: { type: 'string' },
        'max-length': { type: 'string' },
        'eval-every': { type: 'string' },
        patience: { type: 'string' },
        'class-weights': { type: 'boolean', default: false },
        seed: { type: 'string' },
        model: { type: 'string' },
        out: { type: 'string' },
      },
    });
    const recipeName = values.recipe ?? (values.prompt ? 'prompt-mlm' : 'classification');
    const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));
    const parsed = trainConfigSchema.safeParse({
      recipe: recipeName,
      ...(values.epochs && { epochs: num(values.epochs) }),
      ...(values['batch-size'] && { batchSize: num(values['batch-size']) }),
      ...(values.lr && { learningRate: num(values.lr) }),
      ...(values['max-length'] && { maxLength: num(values['max-length']) }),
      ...(values['eval-every'] && { evalEvery: num(values['eval-every']) }),
      ...(values.patience && { earlyStoppingPatience: num(values.patience) }),
      ...(values.seed && { seed: num(values.seed) }),
      classWeights: values['class-weights'] ? 'balanced' : 'none',
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UsageError(`${issue?.path.join('.')}: ${issue?.message}`);
    }
    const cfg: TrainConfig = parsed.data;
    if (cfg.recipe === 'prompt-mlm' && !values.prompt)
      throw new UsageError('the prompt-mlm recipe needs --prompt <name|hash> (or use --recipe classification)');
    const project = await openProject(values, io);
    try {
      return await runTraining(project, cfg, values, io);
    } finally {
      await project.close();
    }
  },
};

async function runTraining(
  project: Project,
  cfg: TrainConfig,
  values: { prompt?: string; k?: string; lora?: string; model?: string; out?: string },
  io: CliIO,
): Promise<number> {
  const task = project.loaded.task;
  const labels = task.labels.map((l) => l.name);
  const imported = await importTaskSplit(project, 'train');
  if (!imported) throw new UsageError('the task file names no data.train file');
  let train = imported.dataset;
  await saveDataset(project, train, 'train', null);
  let dev = (await importTaskSplit(project, 'dev'))?.dataset;
  if (values.k) {
    const k = Number(values.k);
    const sample = kShot(train, k, cfg.seed);
    await saveDataset(project, sample.train, `k${k}-seed${cfg.seed}-train`, train.hash);
    await saveDataset(project, sample.dev, `k${k}-seed${cfg.seed}-dev`, train.hash);
    [train, dev] = [sample.train, sample.dev];
  } else if (!dev) {
    const parts = stratifiedSplit(train, { train: 0.9, dev: 0.1 }, cfg.seed);
    await saveDataset(project, parts.train as Dataset, `train-seed-${cfg.seed}`, train.hash);
    await saveDataset(project, parts.dev as Dataset, `dev-seed-${cfg.seed}`, train.hash);
    [train, dev] = [parts.train as Dataset, parts.dev as Dataset];
  } else {
    await saveDataset(project, dev, 'dev', null);
  }
  const version = values.prompt
    ? ((await project.store.prompts.list(task.name, { name: values.prompt }))[0] ??
      (await project.store.prompts.get(values.prompt)))
    : undefined;
  const p = await project.model({
    override: values.model,
    head: cfg.recipe === 'prompt-mlm' ? 'masked-lm' : 'sequence-classification',
  });
  const recipe: Recipe<unknown> = (
    cfg.recipe === 'prompt-mlm' ? promptMlmRecipe(checkPrompt(version?.spec, task), labels) : classificationRecipe
  ) as Recipe<unknown>;
  const lora = values.lora ? Number(values.lora) : 0;
  if (lora) {
    const targets = p.model.family === 'distilbert' ? ['q_lin', 'v_lin'] : ['query', 'value'];
    applyLora(p.model, { r: lora, alpha: 2 * lora, dropout: 0.1, targetModules: targets });
  }
  const run = await project.store.runs.create({
    taskId: task.name,
    recipe: cfg.recipe,
    config: { ...cfg, lora: lora || undefined, k: values.k ? Number(values.k) : undefined },
    baseModel: values.model ?? task.model,
    datasetHash: train.hash,
    promptHash: version?.hash ?? null,
  });
  await project.store.runs.start(run.id, `cli-${process.pid}`);
  const out = resolve(io.cwd, values.out ?? join('.promptune', 'runs', run.id));
  const trainEx = asTrainExamples(train, labels);
  const devEx = asTrainExamples(dev as Dataset, labels);
  io.stderr.write(
    `run ${run.id}: ${cfg.recipe}${lora ? ` + LoRA r=${lora}` : ''} on ${trainEx.length} examples (dev ${devEx.length}), ${cfg.epochs} epochs\n`,
  );
  const points: { step: number; name: string; value: number }[] = [];
  let lastDev = '';
  try {
    const result = trainModel(p, recipe, trainEx, devEx, labels, cfg, {
      metric: task.metric,
      parameters: lora ? trainableParameters(p.model) : undefined,
      hooks: {
        onStep(log, total) {
          points.push({ step: log.step, name: 'loss', value: log.loss }, { step: log.step, name: 'lr', value: log.lr });
          const line = `step ${log.step}/${total}  loss ${log.loss.toFixed(4)}  lr ${log.lr.toExponential(1)}  ${log.examplesPerSecond.toFixed(0)} ex/s${lastDev}`;
          io.stderr.write(isTty(io) ? `\r${line}   ` : `${line}\n`);
        },
        onEval(log) {
          points.push(
            { step: log.step, name: `dev/${task.metric}`, value: log.metric },
            { step: log.step, name: 'dev/accuracy', value: log.accuracy },
          );
          lastDev = `  dev ${task.metric} ${log.metric.toFixed(3)}`;
        },
      },
    });
    if (isTty(io)) io.stderr.write('\n');
    await project.store.runs.logMetrics(run.id, points);
    if (lora) mergeLora(p.model);
    savePretrained(p, out);
    const best = result.best ? { name: task.metric, value: result.best.metric } : undefined;
    await project.store.runs.finish(run.id, { status: 'completed', checkpointPath: out, ...(best ? { bestMetric: best } : {}) });
    io.stdout.write(
      `run ${run.id} ${result.stoppedBy} after ${result.steps} steps; best dev ${task.metric} ${result.best?.metric.toFixed(3) ?? 'n/a'} (step ${result.best?.step ?? '-'})\n`,
    );
    const test = await importTaskSplit(project, 'test');
    if (test) {
      const testEx = asTrainExamples(test.dataset, labels);
      const probs = predictProbs(p, recipe, testEx, cfg);
      const m = classificationMetrics(
        testEx.map((e) => labels[e.label] as string),
        probs.map((r) => labels[r.indexOf(Math.max(...r))] as string),
        labels,
      );
      await saveDataset(project, test.dataset, 'test', null);
      await project.store.evaluations.record({
        taskId: task.name,
        kind: 'fine-tune',
        promptHashes: version ? [version.hash] : [],
        datasetHash: test.dataset.hash,
        modelRef: out,
        runId: run.id,
        metrics: { [task.metric]: metricValue(m, task.metric), accuracy: m.accuracy, 'macro-f1': m.macroF1 },
        details: { perClass: m.perClass, confusion: m.confusion },
      });
      io.stdout.write(
        `test: ${task.metric} ${metricValue(m, task.metric).toFixed(3)}, accuracy ${m.accuracy.toFixed(3)} on ${m.n} examples\n`,
      );
    }
    io.stdout.write(`model saved to ${relative(io.cwd, out) || out}\n`);
    return 0;
  } catch (e) {
    await project.store.runs.logMetrics(run.id, points);
    await project.store.runs.finish(run.id, { status: 'failed', error: (e as Error).message });
    throw e;
  }
}

function isTty(io: CliIO): boolean {
  return (io.stderr as { isTTY?: boolean }).isTTY === true;
}
