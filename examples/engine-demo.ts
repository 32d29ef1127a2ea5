// The engine demo (README's first command until the workflow layers land): trains a small sentiment
// classifier on the embedded review data with the libtorch engine, evaluates it, saves and reloads it as
// safetensors, and scores the test set on a worker thread while the main thread stays responsive.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AdamW,
  EngineWorker,
  F,
  LrScheduler,
  engineInfo,
  linearWithWarmup,
  manualSeed,
  memoryStats,
  noGrad,
  saveSafetensors,
  tensor,
  tidy,
} from '../src/engine/index.js';
import { BagClassifier, type BagConfig, hashTokens } from './bag-classifier.js';
import type * as WorkerApi from './engine-demo-worker.js';

const root = new URL('..', import.meta.url).pathname;
const config: BagConfig = { buckets: 8192, dim: 64, classes: 2 };
const LEN = 160;
const EPOCHS = Number(process.env.DEMO_EPOCHS ?? 6);
const BATCH = 32;

/** Reads a text,label CSV (RFC 4180, one record per line, as the embedded data is). */
function readCsv(path: string): { texts: string[]; labels: string[] } {
  const texts: string[] = [];
  const labels: string[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n').slice(1)) {
    if (!line) continue;
    const cut = line.lastIndexOf(',');
    let text = line.slice(0, cut);
    if (text.startsWith('"')) text = text.slice(1, -1).replaceAll('""', '"');
    texts.push(text);
    labels.push(line.slice(cut + 1).trim());
  }
  return { texts, labels };
}

/** 0..n-1 in a seeded random order (mulberry32), so runs are reproducible. */
function shuffled(n: number, seed: number): number[] {
  let a = seed * 0x9e3779b9;
  const rnd = (): number => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j] as number, out[i] as number];
  }
  return out;
}

function macroF1(pred: number[], gold: number[], classes: number): number {
  let sum = 0;
  for (let c = 0; c < classes; c++) {
    const tp = pred.filter((p, i) => p === c && gold[i] === c).length;
    const fp = pred.filter((p, i) => p === c && gold[i] !== c).length;
    const fn = pred.filter((p, i) => p !== c && gold[i] === c).length;
    sum += tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  }
  return sum / classes;
}

const info = engineInfo();
console.log(
  `engine: libtorch ${info.torchVersion}, ${info.threads} threads, BLAS ${info.blas}, CUDA ${info.cuda ? 'yes' : 'no'}`,
);

const dataDir = join(root, 'data', 'reviews-fine-foods');
const train = readCsv(join(dataDir, 'train.csv'));
const test = readCsv(join(dataDir, 'test.csv'));
const labelNames = [...new Set(train.labels)].sort();
const y = (labels: string[]): number[] => labels.map((l) => labelNames.indexOf(l));
console.log(`data: ${train.texts.length} train / ${test.texts.length} test reviews, labels ${labelNames.join(', ')}`);

manualSeed(13);
const model = new BagClassifier(config);
const trainIds = hashTokens(train.texts, config.buckets, LEN);
const trainY = y(train.labels);
const stepsPerEpoch = Math.ceil(train.texts.length / BATCH);
const total = EPOCHS * stepsPerEpoch;
const opt = new AdamW(model.parameters(), { lr: 3e-3, weightDecay: 0.01 });
const sched = new LrScheduler(opt, 3e-3, linearWithWarmup(Math.round(total * 0.06), total));
console.log(`model: ${model.parameterCount().toLocaleString()} parameters; ${EPOCHS} epochs x ${stepsPerEpoch} steps`);

const memBefore = memoryStats();
const started = performance.now();
for (let epoch = 1; epoch <= EPOCHS; epoch++) {
  model.train();
  const order = shuffled(train.texts.length, epoch);
  let lossSum = 0;
  for (let s = 0; s < stepsPerEpoch; s++) {
    const rows = order.slice(s * BATCH, (s + 1) * BATCH);
    lossSum += tidy(() => {
      const ids = new BigInt64Array(rows.length * LEN);
      rows.forEach((r, i) => ids.set(trainIds.subarray(r * LEN, (r + 1) * LEN), i * LEN));
      const loss = F.crossEntropy(
        model.forward(tensor(ids, { shape: [rows.length, LEN] })),
        tensor(
          rows.map((r) => trainY[r] as number),
          { dtype: 'int64' },
        ),
      );
      loss.backward();
      return loss.item();
    });
    opt.step();
    opt.zeroGrad();
    sched.step();
  }
  const ms = (performance.now() - started) / (epoch * stepsPerEpoch);
  console.log(
    `epoch ${epoch}/${EPOCHS}  loss ${(lossSum / stepsPerEpoch).toFixed(4)}  lr ${sched.lr.toExponential(2)}  ${ms.toFixed(1)} ms/step`,
  );
}
const memAfter = memoryStats();
console.log(
  `memory: ${memAfter.liveTensors - memBefore.liveTensors} tensors left behind by training; native heap ${(memAfter.nativeHeapBytes / 2 ** 20).toFixed(1)} MiB`,
);

const testIds = hashTokens(test.texts, config.buckets, LEN);
const testY = y(test.labels);
model.eval();
const pred = noGrad(() =>
  tidy(() =>
    model
      .forward(tensor(testIds, { shape: [test.texts.length, LEN] }))
      .argmax(-1)
      .toNumbers(),
  ),
);
const acc = pred.filter((p, i) => p === testY[i]).length / pred.length;
const majority = Math.max(...labelNames.map((_, c) => testY.filter((v) => v === c).length)) / testY.length;
console.log(
  `test: accuracy ${(acc * 100).toFixed(1)}% (majority class ${(majority * 100).toFixed(1)}%), macro-F1 ${macroF1(pred, testY, 2).toFixed(3)}`,
);

const outDir = join(root, '.promptune', 'demo');
mkdirSync(outDir, { recursive: true });
const weights = join(outDir, 'model.safetensors');
saveSafetensors(weights, model.stateDict(), { format: 'pt', labels: labelNames.join(',') });
console.log(`saved: ${weights}`);

// Score the test set on a worker thread from the saved file; the main loop keeps ticking meanwhile.
const worker = EngineWorker.start<typeof WorkerApi>(new URL('./engine-demo-worker.ts', import.meta.url));
await worker.call('load', weights, config);
let ticks = 0;
const timer = setInterval(() => ticks++, 10);
const t0 = performance.now();
const probs = await worker.call('predict', testIds, test.texts.length, LEN);
const workerMs = performance.now() - t0;
clearInterval(timer);
const workerPred = Array.from({ length: test.texts.length }, (_, i) =>
  (probs[2 * i + 1] as number) > (probs[2 * i] as number) ? 1 : 0,
);
const same = workerPred.every((p, i) => p === pred[i]);
console.log(
  `worker: reloaded weights scored ${test.texts.length} reviews in ${workerMs.toFixed(0)} ms; main loop ticked ${ticks} times meanwhile; predictions ${same ? 'identical' : 'DIFFERENT'} to the in-process model`,
);
await worker.terminate();
opt.dispose();
model.dispose();
if (!same) process.exit(1);
