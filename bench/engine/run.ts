// `npm run bench:engine`: the engine against PyTorch on a BERT-shaped training step and inference batch.
// Both sides run the same libtorch, so the ratio isolates what Promptune adds (N-API calls, handle table, tidy
// scopes, libtorch's C++ AdamW) against what Python adds. Rounds alternate Node and Python so that noise from
// other work on the machine lands on both.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  AdamW,
  type Tensor,
  dispose,
  engineInfo,
  manualSeed,
  memoryStats,
  noGrad,
  randint,
  randn,
  setNumThreads,
  tensor,
  tidy,
  zeros,
} from '../../src/engine/index.js';
import { Bert, type BertConfig, forwardFlops } from './bert.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

/** Everything one benchmark run is parameterised by (CLI flags override the workload). */
interface Options {
  model: BertConfig;
  batch: number;
  seq: number;
  threads: number;
  trainSteps: number;
  inferSteps: number;
  warmup: number;
  rounds: number;
  seed: number;
  peakN: number;
  python: string;
  out: string;
}

/** Timings (ms) of one side's timed iterations; train has a per-phase breakdown and the losses seen. */
interface SideRound {
  train: { step: number[]; forward: number[]; backward: number[]; optimizer: number[]; loss: number[] };
  infer: { step: number[] };
}

/** What the Node side adds to a round: parameter count and a leak check. */
interface NodeRound extends SideRound {
  params: number;
  leakedTensors: number;
}

/** The JSON line bert_ref.py prints. */
interface PythonRound extends SideRound {
  side: 'pytorch';
  torch: string;
  threads: number;
  params: number;
  openblasCoretype: string | null;
  peakGflops: number | null;
}

/** Parses the command line; --quick is a smoke test that still runs both sides end to end. */
function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      steps: { type: 'string' },
      'train-steps': { type: 'string' },
      'infer-steps': { type: 'string' },
      warmup: { type: 'string', default: '2' },
      rounds: { type: 'string' },
      layers: { type: 'string' },
      hidden: { type: 'string', default: '384' },
      heads: { type: 'string', default: '12' },
      ffn: { type: 'string', default: '1536' },
      vocab: { type: 'string', default: '30522' },
      'max-pos': { type: 'string', default: '512' },
      batch: { type: 'string', default: '16' },
      seq: { type: 'string', default: '128' },
      threads: { type: 'string', default: String(availableParallelism()) },
      seed: { type: 'string', default: '0' },
      'peak-n': { type: 'string', default: '2048' },
      python: { type: 'string', default: join(root, '.venv-ref', 'bin', 'python') },
      out: { type: 'string', default: join(root, 'bench', 'out', 'engine.json') },
    },
  });
  const int = (name: string, v: string | undefined, fallback: number): number => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got '${v}'`);
    return n;
  };
  // Many short alternating rounds: machine noise drifts over minutes, so finer interleaving evens it out.
  const steps = int('steps', values.steps, values.quick ? 2 : 3);
  return {
    model: {
      layers: int('layers', values.layers, values.quick ? 2 : 6),
      hidden: int('hidden', values.hidden, 384),
      heads: int('heads', values.heads, 12),
      ffn: int('ffn', values.ffn, 1536),
      vocab: int('vocab', values.vocab, 30522),
      maxPos: int('max-pos', values['max-pos'], 512),
    },
    batch: int('batch', values.batch, 16),
    seq: int('seq', values.seq, 128),
    threads: int('threads', values.threads, availableParallelism()),
    trainSteps: int('train-steps', values['train-steps'], steps),
    inferSteps: int('infer-steps', values['infer-steps'], steps),
    warmup: int('warmup', values.warmup, 2),
    rounds: int('rounds', values.rounds, values.quick ? 1 : 4),
    seed: int('seed', values.seed, 0),
    peakN: int('peak-n', values['peak-n'], 2048),
    python: values.python ?? '',
    out: values.out ?? '',
  };
}

/** Median of the samples (NaN when there are none, so a missing side shows up instead of reading as 0). */
function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Best-of-reps GFLOP/s of an n³ fp32 matmul through the engine: the ceiling the model's matmuls can reach. */
function matmulPeak(n: number, reps: number): number {
  return tidy(() => {
    const a = randn([n, n]);
    const b = randn([n, n]);
    for (let i = 0; i < 2; i++) tidy(() => a.matmul(b));
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      tidy(() => a.matmul(b));
      best = Math.min(best, performance.now() - t0);
    }
    return (2 * n ** 3) / (best / 1000) / 1e9;
  });
}

/** Padded tails of varying length; bert_ref.py uses the same rule so both sides mask the same positions. */
function maskRows(batch: number, seq: number): number[][] {
  return Array.from({ length: batch }, (_, i) => {
    const n = seq - ((i * 7) % (Math.floor(seq / 4) + 1));
    return Array.from({ length: seq }, (_, j) => (j < n ? 1 : 0));
  });
}

/** One Node round: a fresh model and optimiser, warm-up + timed train steps, then warm-up + timed inference. */
function nodeRound(o: Options, log: (msg: string) => void): NodeRound {
  manualSeed(o.seed);
  const model = new Bert(o.model);
  const opt = new AdamW(model.parameters(), { lr: 1e-4, weightDecay: 0.01 });
  // Built outside any step's scope: the batch lives for the whole round and is disposed explicitly below.
  const { ids, types, mask, targets } = tidy(() => ({
    ids: randint(0, o.model.vocab, [o.batch, o.seq]),
    targets: randint(0, o.model.vocab, [o.batch, o.seq]),
    types: zeros([o.batch, o.seq], { dtype: 'int64' }),
    mask: tensor(maskRows(o.batch, o.seq), { dtype: 'int64' }),
  }));
  const round: NodeRound = {
    train: { step: [], forward: [], backward: [], optimizer: [], loss: [] },
    infer: { step: [] },
    params: model.parameterCount(),
    leakedTensors: 0,
  };
  try {
    model.train();
    let liveBefore = 0;
    for (let i = 0; i < o.warmup + o.trainSteps; i++) {
      if (i === o.warmup) liveBefore = memoryStats().liveTensors;
      const t0 = performance.now();
      let t1 = t0;
      const loss = tidy(() => {
        const l: Tensor = model.loss(ids, types, mask, targets);
        t1 = performance.now();
        l.backward();
        return l.item();
      });
      const t2 = performance.now();
      opt.step();
      opt.zeroGrad();
      const t3 = performance.now();
      if (i >= o.warmup) {
        round.train.step.push(t3 - t0);
        round.train.forward.push(t1 - t0);
        round.train.backward.push(t2 - t1);
        round.train.optimizer.push(t3 - t2);
        round.train.loss.push(loss);
      }
      log(`train ${i < o.warmup ? 'warm-up' : 'step'} ${i}: ${(t3 - t0).toFixed(0)} ms, loss ${loss.toFixed(4)}`);
    }
    round.leakedTensors = memoryStats().liveTensors - liveBefore;

    model.eval();
    noGrad(() => {
      for (let i = 0; i < o.warmup + o.inferSteps; i++) {
        const t0 = performance.now();
        tidy(() => {
          model.forward(ids, types, mask);
        });
        const elapsed = performance.now() - t0;
        if (i >= o.warmup) round.infer.step.push(elapsed);
        log(`infer ${i < o.warmup ? 'warm-up' : 'batch'} ${i}: ${elapsed.toFixed(0)} ms`);
      }
    });
  } finally {
    dispose(ids, types, mask, targets);
    opt.dispose();
    model.dispose();
  }
  return round;
}

/** Narrows bert_ref.py's output line to PythonRound, failing loudly on anything else. */
function parsePythonRound(line: string): PythonRound {
  const v: unknown = JSON.parse(line);
  if (typeof v !== 'object' || v === null || !('side' in v) || v.side !== 'pytorch' || !('train' in v) || !('infer' in v)) {
    throw new Error(`bert_ref.py printed an unexpected line: ${line.slice(0, 200)}`);
  }
  return v as PythonRound;
}

/** One Python round in a fresh process, so its allocator and thread pool start cold just as the Node round's model does. */
function pythonRound(o: Options, measurePeak: boolean): PythonRound {
  const m = o.model;
  const args = [
    join(here, 'bert_ref.py'),
    ...['--layers', m.layers, '--hidden', m.hidden, '--heads', m.heads, '--ffn', m.ffn, '--vocab', m.vocab],
    ...['--max-pos', m.maxPos, '--batch', o.batch, '--seq', o.seq, '--threads', o.threads, '--seed', o.seed],
    ...['--train-steps', o.trainSteps, '--infer-steps', o.inferSteps, '--warmup', o.warmup],
    ...['--peak-n', measurePeak ? o.peakN : 0],
  ].map(String);
  // The engine edited process.env when it loaded (it drops OPENBLAS_CORETYPE); passing the edited copy makes
  // Python's OpenBLAS pick the same kernels, otherwise the comparison would measure the environment.
  const r = spawnSync(o.python, args, {
    env: { ...process.env },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.error) throw new Error(`could not run ${o.python}: ${r.error.message} (create it with scripts/setup-python-ref.sh)`);
  if (r.status !== 0) throw new Error(`bert_ref.py exited with ${r.status ?? r.signal}`);
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  return parsePythonRound(last);
}

/** Concatenates the rounds' samples so the medians are taken over every timed iteration of a side. */
function merge(rounds: SideRound[]): SideRound {
  const cat = (pick: (r: SideRound) => number[]): number[] => rounds.flatMap(pick);
  return {
    train: {
      step: cat((r) => r.train.step),
      forward: cat((r) => r.train.forward),
      backward: cat((r) => r.train.backward),
      optimizer: cat((r) => r.train.optimizer),
      loss: cat((r) => r.train.loss),
    },
    infer: { step: cat((r) => r.infer.step) },
  };
}

/** Formats a number with thousands separators and a fixed number of decimals. */
function fmt(x: number, digits = 1): string {
  return Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';
}

/** Runs the interleaved rounds, prints the table and writes bench/out/engine.json. */
function main(): void {
  const o = parseOptions(process.argv.slice(2));
  setNumThreads(o.threads);
  const info = engineInfo();
  const tokens = o.batch * o.seq;
  const trainFlops = 3 * forwardFlops(o.model, o.batch, o.seq, true);
  const inferFlops = forwardFlops(o.model, o.batch, o.seq, false);
  const m = o.model;
  const log = (side: string) => (msg: string) => process.stderr.write(`  [${side}] ${msg}\n`);
  process.stderr.write(
    `bench:engine — ${m.layers} layers, hidden ${m.hidden}, ${m.heads} heads, FFN ${m.ffn}, vocab ${m.vocab}, ` +
      `batch ${o.batch}×${o.seq}, ${o.threads} threads, ${o.rounds} rounds × (${o.warmup} warm-up + ` +
      `${o.trainSteps} train, ${o.warmup} warm-up + ${o.inferSteps} inference)\n`,
  );

  const peaks: number[] = [];
  const pyPeaks: number[] = [];
  const nodeRounds: NodeRound[] = [];
  const pyRounds: PythonRound[] = [];
  for (let r = 0; r < o.rounds; r++) {
    process.stderr.write(`round ${r + 1}/${o.rounds}\n`);
    if (o.peakN > 0) {
      peaks.push(matmulPeak(o.peakN, 3));
      process.stderr.write(`  [promptune] matmul ${o.peakN}³: ${fmt(peaks.at(-1) ?? Number.NaN)} GFLOP/s\n`);
    }
    nodeRounds.push(nodeRound(o, log('promptune')));
    const py = pythonRound(o, o.peakN > 0);
    if (py.peakGflops !== null) pyPeaks.push(py.peakGflops);
    pyRounds.push(py);
  }

  const ours = merge(nodeRounds);
  const theirs = merge(pyRounds);
  const peakGflops = Math.max(...peaks);
  const py0 = pyRounds[0];
  const summary = (s: SideRound) => {
    const trainMs = median(s.train.step);
    const inferMs = median(s.infer.step);
    return {
      trainMs,
      forwardMs: median(s.train.forward),
      backwardMs: median(s.train.backward),
      optimizerMs: median(s.train.optimizer),
      inferMs,
      trainTokensPerS: tokens / (trainMs / 1000),
      inferTokensPerS: tokens / (inferMs / 1000),
      trainGflops: trainFlops / (trainMs / 1000) / 1e9,
      inferGflops: inferFlops / (inferMs / 1000) / 1e9,
      trainPeakFraction: trainFlops / (trainMs / 1000) / 1e9 / peakGflops,
      inferPeakFraction: inferFlops / (inferMs / 1000) / 1e9 / peakGflops,
      finalLoss: s.train.loss.at(-1) ?? Number.NaN,
    };
  };
  const a = summary(ours);
  const b = summary(theirs);
  const ratio = { train: a.trainMs / b.trainMs, infer: a.inferMs / b.inferMs };

  const rows: [string, string, string, string][] = [
    ['', 'promptune', 'pytorch', 'ratio'],
    ['train step, median ms', fmt(a.trainMs), fmt(b.trainMs), fmt(ratio.train, 3)],
    ['  forward + loss, ms', fmt(a.forwardMs), fmt(b.forwardMs), fmt(a.forwardMs / b.forwardMs, 3)],
    ['  backward, ms', fmt(a.backwardMs), fmt(b.backwardMs), fmt(a.backwardMs / b.backwardMs, 3)],
    ['  AdamW step + zero grad, ms', fmt(a.optimizerMs), fmt(b.optimizerMs), fmt(a.optimizerMs / b.optimizerMs, 3)],
    ['train tokens/s', fmt(a.trainTokensPerS, 0), fmt(b.trainTokensPerS, 0), ''],
    [
      'train GFLOP/s (% of peak)',
      `${fmt(a.trainGflops)} (${fmt(100 * a.trainPeakFraction)}%)`,
      `${fmt(b.trainGflops)} (${fmt(100 * b.trainPeakFraction)}%)`,
      '',
    ],
    ['inference batch, median ms', fmt(a.inferMs), fmt(b.inferMs), fmt(ratio.infer, 3)],
    ['inference tokens/s', fmt(a.inferTokensPerS, 0), fmt(b.inferTokensPerS, 0), ''],
    [
      'inference GFLOP/s (% of peak)',
      `${fmt(a.inferGflops)} (${fmt(100 * a.inferPeakFraction)}%)`,
      `${fmt(b.inferGflops)} (${fmt(100 * b.inferPeakFraction)}%)`,
      '',
    ],
    ['last train loss', fmt(a.finalLoss, 4), fmt(b.finalLoss, 4), ''],
  ];
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]): string =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('   ');

  console.log('');
  console.log(
    `BERT encoder: ${m.layers} layers, hidden ${m.hidden}, ${m.heads} heads, FFN ${m.ffn}, vocab ${m.vocab} ` +
      `(${fmt((nodeRounds[0]?.params ?? 0) / 1e6)}M params), batch ${o.batch}×${o.seq} = ${tokens} tokens, ${o.threads} threads`,
  );
  console.log(
    `libtorch ${info.torchVersion} on both sides (python torch ${py0?.torch ?? '?'}, ${py0?.threads ?? '?'} threads); ` +
      `${o.rounds} interleaved rounds × ${o.trainSteps} train + ${o.inferSteps} inference timed iterations per side`,
  );
  console.log(
    `peak fp32 matmul ${o.peakN}³: ${fmt(peakGflops)} GFLOP/s through the engine (pytorch: ${fmt(Math.max(...pyPeaks))}); ` +
      `model FLOPs: ${fmt(trainFlops / 1e9)} G per train step (3× forward incl. tied decoder), ${fmt(inferFlops / 1e9)} G per inference batch (encoder only)`,
  );
  console.log('');
  console.log(line(rows[0] ?? []));
  for (const r of rows.slice(1)) console.log(line(r));
  console.log('');
  console.log(
    `ratio = promptune / pytorch time (≤ 1.0: Promptune as fast or faster): train ${fmt(ratio.train, 3)}, inference ${fmt(ratio.infer, 3)}`,
  );
  const leaked = nodeRounds.reduce((n, r) => n + r.leakedTensors, 0);
  if (leaked !== 0) console.log(`warning: ${leaked} engine tensors were still live after the timed train steps`);

  mkdirSync(dirname(o.out), { recursive: true });
  writeFileSync(
    o.out,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        workload: { model: o.model, batch: o.batch, seq: o.seq, tokens, threads: o.threads },
        protocol: { rounds: o.rounds, warmup: o.warmup, trainSteps: o.trainSteps, inferSteps: o.inferSteps },
        environment: {
          node: process.version,
          engine: { torchVersion: info.torchVersion, blas: info.blas, threads: info.threads },
          python: { torch: py0?.torch, threads: py0?.threads, openblasCoretype: py0?.openblasCoretype ?? null },
          openblasCoretype: process.env.OPENBLAS_CORETYPE ?? null,
        },
        peak: { n: o.peakN, gflops: peakGflops, perRound: peaks, pytorchPerRound: pyPeaks },
        flops: { trainStep: trainFlops, inferBatch: inferFlops },
        summary: { promptune: a, pytorch: b, ratio },
        leakedTensors: leaked,
        samples: { promptune: nodeRounds, pytorch: pyRounds },
      },
      null,
      2,
    )}\n`,
  );
  console.log(`results: ${o.out}`);
}

main();
