// promptune pretrain: continued masked-LM pre-training of a model on unlabelled text (domain adaptation), or
// with --head-only, training just the masked-LM head on a frozen encoder — how a sentence encoder saved without
// its head (such as the default model) becomes usable for prompt-based fine-tuning. Same loop, checkpoints,
// resume and monitoring as promptune train; reports masked-token accuracy on held-out text.
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { AppError } from '../../app/errors.js';
import { type PretrainInput, type PretrainResult, pretrain } from '../../app/index.js';
import type { OnProgress } from '../../app/progress.js';
import type { Problem } from '../../shared/index.js';
import { type CliIO, type Command, UsageError } from '../command.js';
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
    const input: PretrainInput = {
      model: values.model,
      text: values.text,
      out: values.out,
      headOnly: values['head-only'],
      resume: values.resume,
      ...(values.column !== undefined ? { column: values.column } : {}),
      ...defined({
        epochs: num('epochs', values.epochs),
        maxSteps: num('max-steps', values['max-steps']),
        batchSize: num('batch-size', values['batch-size']),
        learningRate: num('lr', values.lr),
        maxLength: num('max-length', values['max-length']),
        mask: num('mask', values.mask),
        maxPassages: num('max-passages', values['max-passages']),
        checkpointEvery: num('checkpoint-every', values['checkpoint-every']),
        seed: num('seed', values.seed),
      }),
    };
    let result: PretrainResult;
    try {
      result = await pretrain(input, {
        cwd: io.cwd,
        onProgress: renderPretrainProgress(io),
        warn: (m) => io.stderr.write(`warning: ${m}\n`),
      });
    } catch (e) {
      if (AppError.isInstance(e) && e.code !== 'NOT_FOUND') throw new UsageError(e.problems.map(flagProblemText).join('; '));
      throw e;
    }
    const before = result.accuracyBefore;
    io.stdout.write(
      `masked-token accuracy on ${result.heldOut} held-out passages: ${before !== undefined ? `${before.toFixed(3)} → ` : ''}${result.accuracy.toFixed(3)} (${result.steps} steps, ${result.stoppedBy})\nmodel saved to ${relative(io.cwd, result.out) || result.out}\n`,
    );
    return 0;
  },
};

/** The flag of each input field (the rest are the field's name in kebab case). */
const FLAGS: Record<string, string> = {
  headOnly: 'head-only',
  maxSteps: 'max-steps',
  batchSize: 'batch-size',
  learningRate: 'lr',
  maxLength: 'max-length',
  maxPassages: 'max-passages',
  checkpointEvery: 'checkpoint-every',
};

/** A problem as the command line says it: "--lr 0: Too small: expected number to be >0". */
function flagProblemText(p: Problem): string {
  const field = p.path.split('.')[0] ?? '';
  const head = field ? `--${FLAGS[field] ?? field}${p.received === undefined ? '' : ` ${p.received}`}` : '';
  return `${head ? `${head}: ` : ''}${p.message}${p.fix ? `: ${p.fix}` : ''}`;
}

/** Draws a pre-training run's progress on stderr: its notes as lines, encoding and training as progress bars. */
function renderPretrainProgress(io: CliIO): OnProgress {
  let enc: ProgressBar | undefined;
  let bar: ProgressBar | undefined;
  let lastDev = '';
  return (e) => {
    if (e.type !== 'examples' && enc) {
      enc.finish();
      enc = undefined;
    }
    if (e.type === 'note') io.stderr.write(`${e.level === 'warning' ? 'warning: ' : ''}${e.message}\n`);
    else if (e.type === 'examples') {
      enc ??= new ProgressBar(io.stderr, e.total, 'passages');
      enc.update(e.done);
    } else if (e.type === 'step') {
      bar ??= new ProgressBar(io.stderr, e.total, 'steps');
      bar.update(e.step, {
        loss: e.loss.toFixed(4),
        lr: (e.lr ?? 0).toExponential(1),
        ...(lastDev ? { 'dev acc': lastDev } : {}),
      });
    } else if (e.type === 'eval') lastDev = e.accuracy.toFixed(3);
    else if (e.type === 'phase-end') {
      bar?.finish();
      bar = undefined;
    }
  };
}

/** The entries of `o` whose value is defined. */
function defined<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
