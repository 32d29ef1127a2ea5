// promptune pretrain: continued masked-LM pre-training of a model on unlabelled text (domain adaptation), or
// with --head-only, training just the masked-LM head on a frozen encoder — how a sentence encoder saved without
// its head (such as the default model) becomes usable for prompt-based fine-tuning. Same loop, checkpoints,
// resume and monitoring as promptune train; reports masked-token accuracy on held-out text.
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readCorpus } from '../../core/data/index.js';
import {
  JsonlLog,
  type Recipe,
  type TrainExample,
  cacheMaskedFeatures,
  cachedHeadRecipe,
  featureRows,
  freezeAllButMlmHead,
  maskedLmRecipe,
  trainConfigSchema,
  trainModel,
} from '../../core/train/index.js';
import { cat, dispose, manualSeed } from '../../engine/index.js';
import { seededRandom, shuffled } from '../../shared/index.js';
import { loadPretrained, savePretrained } from '../../transformers/index.js';
import { type Command, UsageError } from '../command.js';
import { ProgressBar } from '../progress.js';

const HELP = `Usage: promptune pretrain --model <ref> --text <file|dir>... --out <dir> [options]

Continues masked-LM pre-training of a model on your own unlabelled text (domain adaptation), or with
--head-only trains only the masked-LM head with the encoder frozen (for encoders saved without one, such as
sentence-transformers checkpoints). 5 % of the passages are held out to report masked-token accuracy.
The result is saved to --out with its tokenizer; use it as a task's model or with --model.

Options:
  --model <ref>            the model to start from (hf:org/name, a directory, or "default")
  --text <path>            .txt/.md files (paragraphs become passages), CSV/JSONL/Parquet files (--column), or
                           directories of them; repeat for several
  --column <name>          text column of table files (default text)
  --out <dir>              where the model, checkpoints and metrics.jsonl go
  --head-only              train only the masked-LM head (the encoder stays as it is)
  --resume                 continue from the newest checkpoint in --out
  --epochs <n>             default 1            --max-steps <n>    stop after n steps
  --batch-size <n>         default 16           --lr <x>           default 1e-4 (5e-5 without --head-only)
  --max-length <n>         default 128          --mask <p>         masking probability (default 0.15)
  --max-passages <n>       use at most n passages (seeded sample)
  --checkpoint-every <n>   default 200 steps    --seed <n>         default 42`;

export const pretrainCommand: Command = {
  name: 'pretrain',
  summary: 'continue masked-LM pre-training on your text, or train only the MLM head (--head-only)',
  help: HELP,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        model: { type: 'string' },
        text: { type: 'string', multiple: true },
        column: { type: 'string' },
        out: { type: 'string' },
        'head-only': { type: 'boolean', default: false },
        resume: { type: 'boolean', default: false },
        epochs: { type: 'string' },
        'max-steps': { type: 'string' },
        'batch-size': { type: 'string' },
        lr: { type: 'string' },
        'max-length': { type: 'string' },
        mask: { type: 'string', default: '0.15' },
        'max-passages': { type: 'string' },
        'checkpoint-every': { type: 'string', default: '200' },
        seed: { type: 'string' },
      },
    });
    if (!values.model) throw new UsageError('--model <ref> is required (e.g. --model default)');
    if (!values.text?.length) throw new UsageError('--text <file|dir> is required: the unlabelled text to train on');
    if (!values.out) throw new UsageError('--out <dir> is required: where the pre-trained model goes');
    const num = (flag: string, v: string | undefined): number | undefined => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (v.trim() === '' || Number.isNaN(n)) throw new UsageError(`--${flag} ${v}: expected a number`);
      return n;
    };
    const headOnly = values['head-only'];
    const parsed = trainConfigSchema.safeParse(
      JSON.parse(
        JSON.stringify({
          epochs: num('epochs', values.epochs) ?? 1,
          maxSteps: num('max-steps', values['max-steps']),
          batchSize: num('batch-size', values['batch-size']),
          learningRate: num('lr', values.lr) ?? (headOnly ? 1e-4 : 5e-5),
          maxLength: num('max-length', values['max-length']),
          seed: num('seed', values.seed),
          warmupRatio: 0.06,
        }),
      ),
    );
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UsageError(`${issue?.path.join('.')}: ${issue?.message}`);
    }
    const cfg = parsed.data;
    const probability = num('mask', values.mask) as number;
    if (!(probability > 0 && probability < 1))
      throw new UsageError(`--mask ${values.mask}: expected a probability between 0 and 1`);
    const out = resolve(io.cwd, values.out);
    const ckptDir = join(out, 'checkpoints');
    if (values.resume && !existsSync(ckptDir))
      throw new UsageError(`--resume: ${relative(io.cwd, ckptDir)} has no checkpoints to continue from`);

    let passages = await readCorpus(
      values.text.map((t) => resolve(io.cwd, t)),
      values.column ? { column: values.column } : {},
    );
    const cap = num('max-passages', values['max-passages']);
    if (cap !== undefined && passages.length > cap) passages = sample(passages, cap, cfg.seed);
    const examples: TrainExample[] = passages.map((text) => ({ inputs: { text }, label: 0 }));
    const shuffled = sample(examples, examples.length, cfg.seed + 1);
    const nDev = Math.min(2000, Math.max(1, Math.round(0.05 * shuffled.length)));
    const dev = shuffled.slice(0, nDev);
    const train = shuffled.slice(nDev);

    manualSeed(cfg.seed);
    const p = await loadPretrained(values.model, {
      cwd: io.cwd,
      head: 'masked-lm',
      onWarning: (m) => io.stderr.write(`warning: ${m}\n`),
    });
    const jsonl = new JsonlLog(join(out, 'metrics.jsonl'), { append: values.resume });
    try {
      const params = headOnly ? freezeAllButMlmHead(p) : undefined;
      let recipe: Recipe<unknown> = maskedLmRecipe({ probability, seed: cfg.seed }) as Recipe<unknown>;
      let [trainRows, devRows, loopCfg] = [train, dev, cfg];
      if (headOnly) {
        // The encoder is frozen, so its outputs at the masked positions are computed once and the head is
        // trained on those rows: many epochs of head training for the price of one encoder pass.
        io.stderr.write(`encoding ${examples.length} passages once (the encoder is frozen)\n`);
        const enc = new ProgressBar(io.stderr, examples.length, 'passages');
        const t = cacheMaskedFeatures(p, train, cfg, { probability, seed: cfg.seed }, (d) => enc.update(d));
        const d = cacheMaskedFeatures(p, dev, cfg, { probability, seed: cfg.seed }, (k) => enc.update(train.length + k));
        enc.finish();
        const cache = { features: cat([t.features, d.features], 0), targets: [...t.targets, ...d.targets] };
        dispose(t.features, d.features);
        const nTrainRows = t.targets.length;
        const rows = featureRows(cache.targets.length);
        [trainRows, devRows] = [rows.slice(0, nTrainRows), rows.slice(nTrainRows)];
        recipe = cachedHeadRecipe(cache) as Recipe<unknown>;
        loopCfg = { ...cfg, batchSize: Math.max(cfg.batchSize, 256), epochs: num('epochs', values.epochs) ?? 4 };
      }
      const before = values.resume ? undefined : recipe.score?.(p, devRows, loopCfg);
      io.stderr.write(
        `pretrain${headOnly ? ' (head only)' : ''}: ${train.length} passages (${dev.length} held out), ${loopCfg.epochs} epoch(s)${before ? `; masked-token accuracy before: ${before.accuracy.toFixed(3)}` : ''}\n`,
      );
      let bar: ProgressBar | undefined;
      let lastDev = '';
      const result = await trainModel(p, recipe, trainRows, devRows, [], loopCfg, {
        parameters: params,
        checkpoint: { dir: ckptDir, every: num('checkpoint-every', values['checkpoint-every']) ?? 200, resume: values.resume },
        hooks: {
          onStep(log, total) {
            jsonl.log(log.step, {
              loss: log.loss,
              lr: log.lr,
              'grad-norm': log.gradNorm,
              'examples-per-second': log.examplesPerSecond,
            });
            bar ??= new ProgressBar(io.stderr, total, 'steps');
            bar.update(log.step, {
              loss: log.loss.toFixed(4),
              lr: log.lr.toExponential(1),
              ...(lastDev ? { 'dev acc': lastDev } : {}),
            });
          },
          onEval(log) {
            jsonl.log(log.step, { 'dev/masked-accuracy': log.accuracy, 'dev/loss': -log.macroF1 });
            lastDev = log.accuracy.toFixed(3);
          },
        },
      });
      bar?.finish();
      for (const t of p.model.parameters()) t.requiresGrad_(true);
      savePretrained(p, out);
      const acc = result.best?.accuracy ?? Number.NaN;
      io.stdout.write(
        `masked-token accuracy on ${dev.length} held-out passages: ${before ? `${before.accuracy.toFixed(3)} → ` : ''}${acc.toFixed(3)} (${result.steps} steps, ${result.stoppedBy})\nmodel saved to ${relative(io.cwd, out) || out}\n`,
      );
      return 0;
    } finally {
      jsonl.close();
      p.model.dispose();
    }
  },
};

/** A seeded sample of n items (a shuffle when n is the length). */
function sample<T>(xs: readonly T[], n: number, seed: number): T[] {
  return shuffled(xs, seededRandom(seed)).slice(0, n);
}
