// A training run in its own process, for the kill -9 test: prints "step N" after each step and, when it
// finishes, writes the result and a digest of the trained weights as JSON. Usage: resume-child <ckpt dir> <out.json> [--resume]
import { createHash } from 'node:crypto';
import { writeFileSync, writeSync } from 'node:fs';
import { promptMlmRecipe, trainConfig, trainModel } from '../index.js';
import { TOY_LABELS, toyModel, toyPrompt, toyReviews } from './toy-task.js';

const [dir, out, flag] = process.argv.slice(2) as [string, string, string | undefined];
const p = toyModel('masked-lm');
const result = await trainModel(
  p,
  promptMlmRecipe(toyPrompt(), TOY_LABELS),
  toyReviews(48, 1),
  toyReviews(16, 2),
  TOY_LABELS,
  trainConfig({ epochs: 3, batchSize: 8, learningRate: 3e-3, evalEvery: 4, maxLength: 32 }),
  {
    checkpoint: { dir, every: 3, resume: flag === '--resume' },
    hooks: {
      onStep(log) {
        // A synchronous write, then a pause: the parent's kill lands while this run is still mid-way.
        writeSync(1, `step ${log.step}\n`);
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 150);
      },
    },
  },
);
const h = createHash('sha256');
for (const [name, t] of p.model.namedParameters()) h.update(name).update(JSON.stringify(t.tolist()));
// Throughput differs between runs; everything else must not.
const history = result.history.map(({ examplesPerSecond: _, ...rest }) => rest);
writeFileSync(out, JSON.stringify({ ...result, history, liveTensorsGrowth: undefined, digest: h.digest('hex') }));
