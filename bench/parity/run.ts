// `npm run bench:parity`: standard fine-tuning (classification head) of the default model by Promptune's
// trainModel and by PyTorch + transformers (scripts/bench/parity_train.py) with the same recipe, data, seeds and
// hyper-parameters; few-shot (K per label, several seeds) on the shared datasets. Reports macro-F1 and accuracy
// per side (mean ± sd over seeds), their difference with its standard error (Welch, and paired by seed), a
// verdict, and training throughput on the few-shot steps and on full-length batches, sides alternating.
// Needs the reference set-up (bash scripts/setup-python-ref.sh) for the Python side.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type Dataset, importFile, kShot, stratifiedSplit } from '../../src/core/data/index.js';
import { classificationMetrics } from '../../src/core/eval/index.js';
import {
  type TrainConfig,
  type TrainExample,
  classificationRecipe,
  predictProbs,
  trainConfig,
  trainModel,
} from '../../src/core/index.js';
import { engineInfo, manualSeed, setNumThreads } from '../../src/engine/index.js';
import { seededRandom } from '../../src/shared/index.js';
import { type Pretrained, loadPretrained } from '../../src/transformers/index.js';
import { type JobExample, type ParityJob, type PythonResult, type Scores, runPython } from './job.js';
import { type TTest, mean, paired, sd, welch } from './stats.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const started = performance.now();

const { values } = parseArgs({
  options: {
    datasets: { type: 'string', default: 'reviews-fine-foods,spam' },
    /** Where the datasets are; default: the repo's data/<name>, else the team's ../shared/data/<name>. */
    data: { type: 'string' },
    k: { type: 'string', default: '16' },
    seeds: { type: 'string', default: '5' },
    epochs: { type: 'string', default: '10' },
    /** Above the usual 1e-5–5e-5: with 40 steps on 32 examples, 4e-5 left both sides below the majority class. */
    lr: { type: 'string', default: '1e-4' },
    batch: { type: 'string', default: '8' },
    'max-length': { type: 'string', default: '128' },
    'test-limit': { type: 'string', default: '500' },
    'tp-batch': { type: 'string', default: '16' },
    'tp-steps': { type: 'string', default: '10' },
    'tp-warmup': { type: 'string', default: '2' },
    'tp-rounds': { type: 'string', default: '2' },
    'skip-throughput': { type: 'boolean', default: false },
    /** Let Python initialise its own classifier instead of starting from Promptune's. */
    'own-init': { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    threads: { type: 'string', default: String(availableParallelism()) },
    python: { type: 'string', default: join(root, '.venv-ref', 'bin', 'python') },
  },
});
const num = (k: keyof typeof values): number => Number(values[k]);
const quick = values.quick === true;
const datasets = quick ? ['reviews-fine-foods'] : (values.datasets as string).split(',');
const seeds = quick ? 2 : num('seeds');
const testLimit = quick ? Math.min(200, num('test-limit')) : num('test-limit');
const tpRounds = quick ? 1 : num('tp-rounds');
const threads = num('threads');
const python = values.python as string;
const script = join(root, 'scripts', 'bench', 'parity_train.py');
if (!existsSync(python)) {
  console.error(`bench:parity needs the Python reference at ${python}: run bash scripts/setup-python-ref.sh first.`);
  process.exit(2);
}

/** Label order per dataset (as bench:quality uses them); other datasets take their sorted labels. */
const LABELS: Record<string, string[]> = { 'reviews-fine-foods': ['great', 'other'], spam: ['spam', 'ham'] };

function datasetDir(name: string): string {
  const tried = values.data ? [join(values.data, name)] : [join(root, 'data', name), join(root, '..', 'shared', 'data', name)];
  const dir = tried.find((d) => existsSync(join(d, 'train.csv')) && existsSync(join(d, 'test.csv')));
  if (!dir) throw new Error(`dataset ${name}: no train.csv and test.csv in ${tried.join(' or ')}; pass --data <dir>`);
  return dir;
}

const textOf = (e: { inputs: Record<string, string> }): string => {
  const keys = Object.keys(e.inputs);
  if (keys.length !== 1) throw new Error(`bench:parity handles one text field per example, got ${keys.join(', ')}`);
  return e.inputs[keys[0] as string] as string;
};
const asExamples = (ds: Dataset, labels: readonly string[]): TrainExample[] =>
  ds.examples.map((e) => ({ inputs: e.inputs, label: labels.indexOf(e.labels[0] as string) }));
const asJob = (xs: readonly TrainExample[], labels: readonly string[]): JobExample[] =>
  xs.map((e) => ({ text: textOf(e), label: labels[e.label] as string }));

/** The training settings both sides use (one validated TrainConfig; the job's hp is read from it). */
function settings(seed: number, epochs: number, batchSize: number): TrainConfig {
  return trainConfig({
    recipe: 'classification',
    epochs,
    batchSize,
    learningRate: num('lr'),
    maxLength: num('max-length'),
    seed,
  });
}

function job(
  cfg: TrainConfig,
  p: Pretrained,
  labels: string[],
  parts: Record<'train' | 'dev' | 'test', JobExample[]>,
): ParityJob {
  const named = new Map(p.model.namedParameters());
  const w = named.get('classifier.weight');
  const b = named.get('classifier.bias');
  if (!w || !b) throw new Error('bench:parity: the model has no classifier.weight / classifier.bias to share');
  return {
    model: p.dir,
    labels,
    ...parts,
    hp: {
      epochs: cfg.epochs,
      batchSize: cfg.batchSize,
      learningRate: cfg.learningRate,
      warmupRatio: cfg.warmupRatio,
      weightDecay: cfg.weightDecay,
      maxGradNorm: cfg.maxGradNorm,
      maxLength: cfg.maxLength,
      evalBatchSize: 32,
    },
    seed: cfg.seed,
    threads,
    classifierInit: values['own-init'] ? null : { weight: w.tolist() as number[][], bias: b.tolist() as number[] },
  };
}

/** One side's run: test scores, per-step times and losses. */
interface SideRun {
  test: Scores | null;
  stepMs: number[];
  losses: number[];
  bestStep: number | null;
}

/** Promptune's side: trainModel with the classification recipe, then the test set under no-grad. */
async function runPromptune(
  p: Pretrained,
  cfg: TrainConfig,
  labels: string[],
  train: TrainExample[],
  dev: TrainExample[],
  test: TrainExample[],
): Promise<SideRun> {
  const r = await trainModel(p, classificationRecipe, train, dev, labels, cfg);
  const perEpoch = Math.ceil(train.length / cfg.batchSize);
  // The loop logs examples/s over each step's span (batch encoding to scheduler update); turn it back into ms.
  const stepMs = r.history.map((h, i) => {
    const b = i % perEpoch;
    return (Math.min(cfg.batchSize, train.length - b * cfg.batchSize) / h.examplesPerSecond) * 1000;
  });
  let scores: Scores | null = null;
  if (test.length) {
    const probs = predictProbs(p, classificationRecipe, test, trainConfig({ batchSize: 32, maxLength: cfg.maxLength }));
    const m = classificationMetrics(
      test.map((e) => labels[e.label] as string),
      probs.map((row) => labels[row.indexOf(Math.max(...row))] as string),
      labels,
    );
    scores = { macroF1: m.macroF1, accuracy: m.accuracy };
  }
  return { test: scores, stepMs, losses: r.history.map((h) => h.loss), bestStep: r.best?.step ?? null };
}

const fromPython = (r: PythonResult): SideRun => ({
  test: r.test,
  stepMs: r.stepMs,
  losses: r.losses,
  bestStep: r.best?.step ?? null,
});

/** Steps per second over the steps after the first `skip`. */
const stepsPerSecond = (ms: readonly number[], skip: number): number => {
  const timed = ms.slice(skip);
  return timed.length / (timed.reduce((a, b) => a + b, 0) / 1000);
};

/** The loop's per-epoch permutation, recomputed here to check the Python side's copy of the generator. */
function loopOrder(n: number, seed: number): number[] {
  const rand = seededRandom(seed * 1_000_003);
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as number, out[i] as number];
  }
  return out;
}

const loadDefault = (labels: string[]): Promise<Pretrained> =>
  loadPretrained('default', { head: 'sequence-classification', labels });

interface Pair {
  dataset: string;
  seed: number;
  promptune: SideRun;
  pytorch: SideRun;
  checks: { sameOrder: boolean; trainTokens: [number, number] };
}
const pairs: Pair[] = [];
const problems: string[] = [];
let versions = { torch: '', transformers: '' };

setNumThreads(threads);
const K = num('k');
console.error(
  `bench:parity — K=${K}, ${seeds} seeds, epochs ${num('epochs')}, batch ${num('batch')}, lr ${num('lr')}, max length ${num('max-length')}, ${threads} threads, test ≤ ${testLimit}`,
);
for (const name of datasets) {
  const dir = datasetDir(name);
  const trainDs = (await importFile(join(dir, 'train.csv'))).dataset;
  const labels = LABELS[name] ?? trainDs.labels;
  const testAll = (await importFile(join(dir, 'test.csv'), { allowedLabels: labels })).dataset;
  // A fixed, stratified subset of the test set (the same one bench:quality uses) bounds prediction time.
  const limit = Math.min(testLimit, testAll.examples.length);
  const testDs =
    limit < testAll.examples.length
      ? (stratifiedSplit(testAll, { a: limit / testAll.examples.length, b: 1 - limit / testAll.examples.length }, 0).a as Dataset)
      : testAll;
  const test = asExamples(testDs, labels);
  console.error(`${name} (${dir}): ${trainDs.examples.length} train rows, ${test.length} test rows, labels ${labels.join('/')}`);
  for (let seed = 1; seed <= seeds; seed++) {
    const sample = kShot(trainDs, K, seed);
    const train = asExamples(sample.train, labels);
    const dev = asExamples(sample.dev, labels);
    const cfg = settings(seed, num('epochs'), num('batch'));
    manualSeed(seed);
    const p = await loadDefault(labels);
    const j = job(cfg, p, labels, { train: asJob(train, labels), dev: asJob(dev, labels), test: asJob(test, labels) });
    const runs: Partial<Record<'promptune' | 'pytorch', SideRun>> = {};
    let py: PythonResult | undefined;
    // Alternate which side goes first, so slow stretches of a shared machine do not always hit the same side.
    const order = seed % 2 ? (['promptune', 'pytorch'] as const) : (['pytorch', 'promptune'] as const);
    for (const side of order) {
      const t0 = performance.now();
      if (side === 'promptune') runs.promptune = await runPromptune(p, cfg, labels, train, dev, test);
      else {
        py = runPython(python, script, j);
        runs.pytorch = fromPython(py);
        versions = { torch: py.torch, transformers: py.transformers };
      }
      const r = runs[side] as SideRun;
      console.error(
        `  ${name} seed ${seed} ${side}: macro-F1 ${r.test?.macroF1.toFixed(3)} acc ${r.test?.accuracy.toFixed(3)}, ${r.stepMs.length} steps at ${stepsPerSecond(r.stepMs, 1).toFixed(2)}/s, first loss ${r.losses[0]?.toFixed(4)}, best dev at step ${r.bestStep} (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
      );
    }
    const tokens = p.tokenizer
      .encodeBatch(
        j.train.map((e) => e.text),
        { truncation: { maxLength: cfg.maxLength }, padding: false },
      )
      .reduce((a, e) => a + e.ids.length, 0);
    p.model.dispose();
    const pyRun = py as PythonResult;
    const checks = {
      sameOrder: JSON.stringify(pyRun.firstEpochOrder) === JSON.stringify(loopOrder(train.length, seed)),
      trainTokens: [tokens, pyRun.trainTokens] as [number, number],
    };
    if (!checks.sameOrder) problems.push(`${name} seed ${seed}: the Python side shuffled differently from the loop`);
    if (tokens !== pyRun.trainTokens)
      problems.push(
        `${name} seed ${seed}: train texts are ${tokens} tokens for Promptune, ${pyRun.trainTokens} for transformers`,
      );
    pairs.push({ dataset: name, seed, promptune: runs.promptune as SideRun, pytorch: runs.pytorch as SideRun, checks });
  }
}

// Full-length batches: the few-shot steps are small and partly padding, so throughput is measured again on
// batches of texts that fill max length, with the same loop on each side (no dev set, so no evaluation).
const throughput: { promptune: number[][]; pytorch: number[][] } = { promptune: [], pytorch: [] };
if (!values['skip-throughput']) {
  const name = datasets[0] as string;
  const dir = datasetDir(name);
  const trainDs = (await importFile(join(dir, 'train.csv'))).dataset;
  const labels = LABELS[name] ?? trainDs.labels;
  const cfg = settings(1, num('tp-warmup') + num('tp-steps'), num('tp-batch'));
  manualSeed(1);
  const probe = await loadDefault(labels);
  // The first rows whose text alone fills max length, so every batch is batch × max-length tokens.
  const long = asExamples(trainDs, labels)
    .filter((e) => probe.tokenizer.encode(textOf(e), null, { truncation: false }).ids.length >= cfg.maxLength)
    .slice(0, cfg.batchSize);
  if (long.length < cfg.batchSize) throw new Error(`${name} has only ${long.length} texts of ${cfg.maxLength}+ tokens`);
  const tpJob = job(cfg, probe, labels, { train: asJob(long, labels), dev: [], test: [] });
  probe.model.dispose();
  console.error(
    `throughput: ${cfg.batchSize} × ${cfg.maxLength} tokens, ${num('tp-warmup')} warm-up + ${num('tp-steps')} timed steps, ${tpRounds} round(s)`,
  );
  for (let round = 0; round < tpRounds; round++) {
    for (const side of round % 2 ? (['pytorch', 'promptune'] as const) : (['promptune', 'pytorch'] as const)) {
      let ms: number[];
      if (side === 'promptune') {
        manualSeed(1);
        const p = await loadDefault(labels);
        ms = (await runPromptune(p, cfg, labels, long, [], [])).stepMs;
        p.model.dispose();
      } else ms = runPython(python, script, tpJob).stepMs;
      const timed = ms.slice(num('tp-warmup'));
      throughput[side].push(timed);
      console.error(`  round ${round + 1} ${side}: ${timed.map((x) => x.toFixed(0)).join(' ')} ms`);
    }
  }
}

// Tables.
const f3 = (x: number): string => x.toFixed(3);
const pm = (xs: number[]): string => `${f3(mean(xs))} ± ${f3(sd(xs))}`;
const signed = (x: number): string => `${x >= 0 ? '+' : '−'}${f3(Math.abs(x))}`;
const verdict = (t: TTest): string => (Math.abs(t.diff) < 2 * t.se || t.diff === 0 ? 'within noise' : 'differs');
const fmtTest = (t: TTest): string => `${signed(t.diff)} ± ${f3(t.se)} (p ${t.p.toFixed(2)})`;
const lines: string[] = [];
lines.push(
  `K=${K} per label, ${seeds} seeds, epochs ${num('epochs')}, batch ${num('batch')}, lr ${num('lr')}, warm-up 0.1 linear, wd 0.01, clip 1, max length ${num('max-length')}, ${threads} threads; test = ${testLimit}-row stratified subset`,
  '',
  '| dataset | side | macro-F1 | accuracy | train steps/s | seeds |',
  '|---|---|---:|---:|---:|---:|',
);
const summary: Record<string, unknown>[] = [];
for (const name of datasets) {
  const ps = pairs.filter((p) => p.dataset === name);
  const pick = (side: 'promptune' | 'pytorch', k: keyof Scores): number[] => ps.map((p) => p[side].test?.[k] ?? Number.NaN);
  const speed = (side: 'promptune' | 'pytorch'): number[] => ps.map((p) => stepsPerSecond(p[side].stepMs, 1));
  for (const side of ['promptune', 'pytorch'] as const)
    lines.push(
      `| ${name} | ${side === 'promptune' ? 'Promptune' : `transformers ${versions.transformers}`} | ${pm(pick(side, 'macroF1'))} | ${pm(pick(side, 'accuracy'))} | ${mean(speed(side)).toFixed(2)} | ${ps.length} |`,
    );
  summary.push({
    dataset: name,
    macroF1: {
      welch: welch(pick('promptune', 'macroF1'), pick('pytorch', 'macroF1')),
      paired: paired(pick('promptune', 'macroF1'), pick('pytorch', 'macroF1')),
    },
    accuracy: {
      welch: welch(pick('promptune', 'accuracy'), pick('pytorch', 'accuracy')),
      paired: paired(pick('promptune', 'accuracy'), pick('pytorch', 'accuracy')),
    },
    stepsPerSecond: { promptune: mean(speed('promptune')), pytorch: mean(speed('pytorch')) },
  });
}
lines.push(
  '',
  'Difference Promptune − transformers: mean ± standard error (two-sided p); verdict "within noise" when |diff| < 2·SE (Welch).',
  '',
  '| dataset | metric | Welch | paired by seed | verdict | steps/s ratio (Promptune / transformers) |',
  '|---|---|---:|---:|---|---:|',
);
for (const s of summary) {
  const sp = s.stepsPerSecond as { promptune: number; pytorch: number };
  for (const metric of ['macroF1', 'accuracy'] as const) {
    const t = s[metric] as { welch: TTest; paired: TTest };
    lines.push(
      `| ${s.dataset} | ${metric === 'macroF1' ? 'macro-F1' : 'accuracy'} | ${fmtTest(t.welch)} | ${fmtTest(t.paired)} | ${verdict(t.welch)} | ${metric === 'macroF1' ? (sp.promptune / sp.pytorch).toFixed(2) : ''} |`,
    );
  }
}
if (throughput.promptune.length) {
  const all = (side: 'promptune' | 'pytorch'): number[] => throughput[side].flat();
  const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
  };
  const sps = (side: 'promptune' | 'pytorch'): number => stepsPerSecond(all(side), 0);
  lines.push(
    '',
    `Full-length batches (${num('tp-batch')} × ${num('max-length')} tokens, ${num('tp-warmup')} warm-up + ${num('tp-steps')} timed steps per round, ${tpRounds} alternating round(s)):`,
    '',
    '| side | median ms / step | steps/s | tokens/s |',
    '|---|---:|---:|---:|',
    ...(['promptune', 'pytorch'] as const).map(
      (side) =>
        `| ${side === 'promptune' ? 'Promptune' : `transformers ${versions.transformers}`} | ${median(all(side)).toFixed(0)} | ${sps(side).toFixed(3)} | ${(sps(side) * num('tp-batch') * num('max-length')).toFixed(0)} |`,
    ),
    '',
    `steps/s ratio Promptune / transformers: ${(sps('promptune') / sps('pytorch')).toFixed(2)}`,
  );
}
const lossGap = (p: Pair): number =>
  Math.max(...p.promptune.losses.map((l, i) => Math.abs(l - (p.pytorch.losses[i] ?? Number.NaN))));
lines.push(
  '',
  `Checks: same batch order on both sides in ${pairs.filter((p) => p.checks.sameOrder).length}/${pairs.length} runs; same train token counts in ${pairs.filter((p) => p.checks.trainTokens[0] === p.checks.trainTokens[1]).length}/${pairs.length}; classifier start ${values['own-init'] ? 'independent' : 'shared'}; largest per-step training-loss difference ${Math.max(...pairs.map(lossGap)).toExponential(1)}.`,
  `torch ${versions.torch}, transformers ${versions.transformers}; wall ${((performance.now() - started) / 60000).toFixed(1)} min.`,
);
for (const p of problems) lines.push(`PROBLEM: ${p}`);
console.log(lines.join('\n'));
mkdirSync(join(root, 'bench', 'out'), { recursive: true });
const file = join(root, 'bench', 'out', `parity-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify({ args: values, engine: engineInfo(), versions, pairs, summary, throughput }, null, 2)}\n`);
console.error(`results: ${file}`);
