// `npm run quickstart`: Promptune's whole loop on the embedded review data with the default model, offline —
// define the task, report on the data, try two prompt versions zero-shot with an A/B verdict, fine-tune with the
// better one, evaluate (HTML report) and predict on new reviews. Every step runs the real `promptune` command
// in a project folder; run again, it reuses what the first run made (task, data versions, prompts, A/B result,
// model, report) and only prints where things are.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { readSummary } from '../src/core/index.js';

const root = resolve(new URL('..', import.meta.url).pathname);
const bin = join(root, 'bin', 'promptune.mjs');

const HELP = `Usage: npm run quickstart [-- options]

Runs the whole loop on data/reviews-fine-foods (Amazon fine-food reviews: great / other) with the default
model, in a project folder. About 8 minutes on 2 cores; --fast stops fine-tuning after 80 steps (1,280 reviews).

Options:
  --dir <path>        the project folder (default: ./quickstart)
  --fast              stop fine-tuning after 80 steps of 16 reviews instead of a full epoch (224 steps)
  --model <ref>       another model with a masked-LM head (default: default)
  --zero-shot <n>     test reviews for the zero-shot scores and the A/B test (default 300)
  --epochs <n>        fine-tuning epochs (default 1)
  --lr <x>            fine-tuning learning rate (default 1e-4: one short epoch needs more than train's 2e-5)
  --help              this text`;

const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: 'quickstart' },
    fast: { type: 'boolean', default: false },
    model: { type: 'string', default: 'default' },
    'zero-shot': { type: 'string', default: '300' },
    epochs: { type: 'string', default: '1' },
    lr: { type: 'string', default: '1e-4' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
for (const k of ['zero-shot', 'epochs'] as const) {
  if (!/^[1-9]\d*$/.test(values[k] as string)) {
    console.error(`--${k} must be a positive whole number, not "${values[k]}"`);
    process.exit(2);
  }
}

const dir = resolve(values.dir as string);
const started = performance.now();
mkdirSync(dir, { recursive: true });
const where = (p: string): string => relative(process.cwd(), join(dir, p)) || '.';
/** What the first run decided (the A/B result and the training sample), so a second run repeats nothing. */
const statePath = join(dir, 'quickstart.json');
type State = { ab?: AbResult; trainFile?: string };
const state: State = existsSync(statePath) ? (JSON.parse(readFileSync(statePath, 'utf8')) as State) : {};
const save = (): void => writeFileSync(statePath, `${JSON.stringify(state, null, 2)}\n`);

interface AbResult {
  metric: string;
  a: { name: string; hash: string } & Record<string, number | string>;
  b: { name: string; hash: string } & Record<string, number | string>;
  diff: number;
  ci: [number, number];
  mcnemarP: number;
  verdict: string;
}

/** Runs `promptune ...args` in the project; output goes to the terminal unless captured. Exits on failure. */
function promptune(args: string[], capture = false): string {
  console.log(`\n$ promptune ${args.map((a) => (/[\s"|{}]/.test(a) ? JSON.stringify(a) : a)).join(' ')}`);
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: dir,
    stdio: capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    console.error(`\nquickstart stopped: "promptune ${args[0]}" failed (exit ${r.status}); see its message above.`);
    process.exit(1);
  }
  return capture ? r.stdout : '';
}

let stepNo = 0;
const step = (title: string): void => {
  stepNo++;
  console.log(`\n━━ ${stepNo}/6 ${title} ${'━'.repeat(Math.max(0, 70 - title.length))}`);
};
const reuse = (what: string): void => console.log(`(reusing ${what}; delete it to redo this step)`);

// 1. The task.
step('Define the task');
const data = join(root, 'data', 'reviews-fine-foods');
for (const f of ['train.csv', 'test.csv']) if (!existsSync(join(dir, f))) copyFileSync(join(data, f), join(dir, f));
if (!existsSync(join(dir, 'README-data.md'))) copyFileSync(join(data, 'README.md'), join(dir, 'README-data.md'));
if (existsSync(join(dir, 'promptune.yaml'))) reuse(where('promptune.yaml'));
else
  promptune([
    'init',
    '--yes',
    '--objective',
    'Spot five-star reviews so the shop can quote them',
    '--label',
    'great:a five-star review, enthusiastic',
    '--label',
    'other:anything less: complaints, mixed or lukewarm',
    '--languages',
    'en',
    '--train',
    'train.csv',
    '--test',
    'test.csv',
    '--model',
    values.model as string,
  ]);
promptune(['task', 'check']);

// 2. The data: the report imports the files first, as content-hashed versions (the same files again store
// nothing new), then shows labels, duplicates, leakage and lengths.
step('Bring the data and look at it');
promptune(['data', 'report', '--no-language']);

// 3. Two prompt versions, scored before any training, and an A/B test on the same reviews.
step('Craft two prompts and compare them zero-shot');
const PROMPTS = [
  {
    name: 'all-in-all',
    template: '{text} All in all, it was {mask}.',
    verbalizer: ['great=great|perfect', 'other=bad|okay'],
    note: 'a closing verdict',
  },
  {
    name: 'stars',
    template: '{text} I give it {mask} stars.',
    verbalizer: ['great=five', 'other=one|two|three|four'],
    note: 'the star rating itself',
  },
];
const known = promptune(['prompt', 'list'], true);
for (const p of PROMPTS) {
  if (new RegExp(`^${p.name}\\s`, 'm').test(known)) continue;
  promptune([
    'prompt',
    'add',
    p.name,
    '--template',
    p.template,
    ...p.verbalizer.flatMap((v) => ['--verbalizer', v]),
    '--note',
    p.note,
  ]);
}
promptune(['prompt', 'preview', 'all-in-all', '--row', '2', '--no-colour']);
const limit = values['zero-shot'] as string;
if (state.ab) reuse(`the A/B result in ${where('quickstart.json')}`);
else {
  for (const p of PROMPTS) promptune(['prompt', 'eval', p.name, '--limit', limit, '--calibrate']);
  state.ab = JSON.parse(
    promptune(['prompt', 'ab', 'all-in-all', 'stars', '--limit', limit, '--calibrate', '--json'], true),
  ) as AbResult;
  save();
}
const ab = state.ab;
const better = (ab.b[ab.metric] as number) > (ab.a[ab.metric] as number) ? ab.b : ab.a;
console.log(
  `A ${ab.a.name}: ${ab.metric} ${(ab.a[ab.metric] as number).toFixed(3)}   B ${ab.b.name}: ${ab.metric} ${(ab.b[ab.metric] as number).toFixed(3)}   (B − A ${ab.diff.toFixed(3)}, 95 % CI [${ab.ci[0].toFixed(3)}, ${ab.ci[1].toFixed(3)}], McNemar p ${ab.mcnemarP.toFixed(3)})`,
);
console.log(`${ab.verdict}\nFine-tuning with "${better.name}" (the higher zero-shot score).`);

// 4. Prompt-based fine-tuning (PET / LM-BFF) with the better prompt.
step('Fine-tune with the better prompt');
const model = join(dir, 'model');
if (existsSync(join(model, 'promptune.json'))) reuse(where('model'));
else {
  const args = [
    'train',
    '--prompt',
    better.name,
    '--epochs',
    values.epochs as string,
    '--max-length',
    '64',
    '--lr',
    values.lr as string,
    '--out',
    'model',
  ];
  if (values.fast) args.push('--max-steps', '80', '--eval-every', '40');
  promptune(args);
}

// 5. Evaluation on the test set: metrics with intervals, plots, the most confident mistakes.
step('Evaluate');
const reports = join(dir, 'report');
if (existsSync(join(reports, 'summary.json'))) reuse(where('report'));
else promptune(['eval', '--model', 'model', '--out', 'report', '--bootstrap', '500']);
const summary = readSummary(readFileSync(join(reports, 'summary.json'), 'utf8'));
const majority = Math.max(...summary.perClass.map((c) => c.support)) / summary.dataset.n;

// 6. Predictions on reviews the model has never seen.
step('Predict on new reviews');
const fresh = join(dir, 'new-reviews.csv');
if (!existsSync(fresh)) {
  writeFileSync(
    fresh,
    [
      'text',
      '"Absolutely the best coffee I have ever had. Rich, smooth, never bitter. Ordering a case!"',
      '"Arrived stale and half the bag was crushed. Not buying again."',
      '"It is fine. Tastes okay, a bit pricey for what you get."',
      '"My dog goes crazy for these treats, and they agree with his stomach. Five stars."',
      '"The flavour is weaker than the old recipe; I liked it better before."',
      '',
    ].join('\n'),
  );
}
promptune(['predict', '--model', 'model', '--data', 'new-reviews.csv', '--out', 'predictions.csv']);
console.log(readFileSync(join(dir, 'predictions.csv'), 'utf8'));

console.log(`━━ done in ${((performance.now() - started) / 60000).toFixed(1)} min ${'━'.repeat(60)}`);
console.log(`task file           ${where('promptune.yaml')}`);
console.log(`store (SQLite)      ${where('.promptune/promptune.db')}`);
console.log(`A/B result          ${where('quickstart.json')}`);
console.log(`fine-tuned model    ${where('model')}  (Hugging Face format + promptune.json)`);
console.log(`evaluation report   ${where('report/report.html')}  and ${where('report/summary.json')}`);
console.log(`predictions         ${where('predictions.csv')}`);
console.log(
  `test (${summary.dataset.n} reviews)  accuracy ${summary.metrics.accuracy.toFixed(3)} (always answering the majority label: ${majority.toFixed(3)}), macro-F1 ${summary.metrics.macroF1.toFixed(3)}`,
);
