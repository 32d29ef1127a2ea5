// `npm run bench:models`: a real checkpoint (all-MiniLM-L6-v2) through Promptune's BERT against Python
// transformers on the same weights, batch and threads: inference batches and classification training steps.
// Rounds alternate the two sides so machine noise lands on both. Needs the reference set-up
// (bash scripts/setup-python-ref.sh), which fetches the checkpoint and the Python side.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  AdamW,
  F,
  type Precision,
  type Tensor,
  autocast,
  dispose,
  engineInfo,
  manualSeed,
  noGrad,
  randint,
  setNumThreads,
  tensor,
  tidy,
} from '../../src/engine/index.js';
import { loadModel } from '../../src/transformers/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: join(root, '.cache', 'reference', 'all-minilm-l6-v2') },
    batch: { type: 'string', default: '32' },
    seq: { type: 'string', default: '128' },
    threads: { type: 'string', default: String(availableParallelism()) },
    steps: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '3' },
    python: { type: 'string', default: join(root, '.venv-ref', 'bin', 'python') },
    // bf16: both sides under autocast (ours: libtorch's, theirs: torch.autocast) around forward and loss.
    precision: { type: 'string', default: 'fp32' },
  },
});
const o = {
  model: values.model as string,
  batch: Number(values.batch),
  seq: Number(values.seq),
  threads: Number(values.threads),
  steps: Number(values.steps),
  warmup: Number(values.warmup),
  rounds: Number(values.rounds),
  python: values.python as string,
  precision: values.precision as Precision,
};
if (o.precision !== 'fp32' && o.precision !== 'bf16') {
  console.error(`--precision ${o.precision}: expected fp32 or bf16`);
  process.exit(2);
}
if (!existsSync(join(o.model, 'model.safetensors')) || !existsSync(o.python)) {
  console.error(`bench:models needs ${o.model} and ${o.python}: run bash scripts/setup-python-ref.sh first.`);
  process.exit(2);
}

/** Median of the samples. */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** One Promptune round: inference batches on the bare encoder, then training steps of a classification head. */
function nodeRound(): { infer: number[]; train: number[] } {
  manualSeed(0);
  const rows = Array.from({ length: o.batch }, (_, i) => {
    const n = o.seq - ((i * 7) % (Math.floor(o.seq / 4) + 1));
    return Array.from({ length: o.seq }, (_, j) => (j < n ? 1 : 0));
  });
  const ids = randint(1000, 20000, [o.batch, o.seq]);
  const mask = tensor(rows, { dtype: 'int64' });
  const labels = randint(0, 3, [o.batch]);
  const out = { infer: [] as number[], train: [] as number[] };
  const { model } = loadModel(o.model);
  noGrad(() => {
    for (let i = 0; i < o.warmup + o.steps; i++) {
      const t0 = performance.now();
      tidy(() => autocast(o.precision, () => model.forward({ inputIds: ids, attentionMask: mask })));
      if (i >= o.warmup) out.infer.push(performance.now() - t0);
    }
  });
  model.dispose();
  const clf = loadModel(o.model, { head: 'sequence-classification', labels: ['a', 'b', 'c'] }).model.train();
  const opt = new AdamW(clf.parameters(), { lr: 2e-5 });
  for (let i = 0; i < o.warmup + o.steps; i++) {
    const t0 = performance.now();
    tidy(() => {
      const loss = autocast(o.precision, () =>
        F.crossEntropy(clf.forward({ inputIds: ids, attentionMask: mask }).logits as Tensor, labels),
      );
      opt.zeroGrad();
      loss.backward();
      opt.step();
    });
    if (i >= o.warmup) out.train.push(performance.now() - t0);
    process.stderr.write(`  [promptune] step ${i}: ${(performance.now() - t0).toFixed(0)} ms\n`);
  }
  opt.dispose();
  clf.dispose();
  dispose(ids, mask, labels);
  return out;
}

/** One transformers round in a fresh Python process. */
function pythonRound(): { infer: number[]; train: number[]; torch: string; transformers: string; attn: string | null } {
  const args = [
    '--model',
    o.model,
    '--batch',
    o.batch,
    '--seq',
    o.seq,
    '--threads',
    o.threads,
    '--steps',
    o.steps,
    '--warmup',
    o.warmup,
    '--precision',
    o.precision,
  ];
  // process.env as the engine left it (OPENBLAS_CORETYPE dropped), so both sides' OpenBLAS use the same kernels.
  const r = spawnSync(o.python, [join(here, 'ref.py'), ...args.map(String)], {
    env: { ...process.env },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`ref.py exited with ${r.status ?? r.signal}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1) as string);
}

setNumThreads(o.threads);
process.stderr.write(
  `bench:models — ${o.model}, batch ${o.batch}×${o.seq}, ${o.threads} threads, ${o.precision}, ${o.rounds} rounds\n`,
);
const ours = { infer: [] as number[], train: [] as number[] };
const theirs = { infer: [] as number[], train: [] as number[] };
let versions = { torch: '', transformers: '', attn: null as string | null };
for (let r = 0; r < o.rounds; r++) {
  const n = nodeRound();
  ours.infer.push(...n.infer);
  ours.train.push(...n.train);
  const p = pythonRound();
  theirs.infer.push(...p.infer);
  theirs.train.push(...p.train);
  versions = { torch: p.torch, transformers: p.transformers, attn: p.attn };
}
const tokens = o.batch * o.seq;
const row = (name: string, a: number[], b: number[]): string => {
  const [x, y] = [median(a), median(b)];
  return `| ${name} | ${x.toFixed(0)} ms (${((tokens / x) * 1000).toFixed(0)} tok/s) | ${y.toFixed(0)} ms (${((tokens / y) * 1000).toFixed(0)} tok/s) | ${(y / x).toFixed(2)} |`;
};
const table = [
  `| all-MiniLM-L6-v2, batch ${o.batch}×${o.seq}, ${o.threads} threads, ${o.precision} | Promptune | transformers ${versions.transformers} (torch ${versions.torch}, attn ${versions.attn}) | speed ratio (theirs/ours) |`,
  '|---|---|---|---|',
  row('inference batch (bare encoder)', ours.infer, theirs.infer),
  row('train step (classification head, AdamW)', ours.train, theirs.train),
].join('\n');
console.log(table);
const info = engineInfo();
mkdirSync(join(root, 'bench', 'out'), { recursive: true });
writeFileSync(
  join(root, 'bench', 'out', 'models.json'),
  `${JSON.stringify({ options: o, engine: info, versions, ours, theirs }, null, 2)}\n`,
);
