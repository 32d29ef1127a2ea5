// The training options of the command line (train, search, retrain): flags, their help, and the run spec they
// make. What a run spec is and how it is validated lives in the application layer (app/train/spec.ts).
import { AppError, type RunSpec, parseSpec } from '../../app/index.js';
import { UsageError } from '../command.js';

export { type RunSpec, parseSpec } from '../../app/index.js';

/** Command-line options that set hyper-parameters (shared by train and search). */
export const HYPER_OPTIONS = {
  recipe: { type: 'string' },
  prompt: { type: 'string' },
  demonstrations: { type: 'boolean', default: false },
  template: { type: 'string' },
  'pair-rounds': { type: 'string' },
  'head-lr': { type: 'string' },
  'head-epochs': { type: 'string' },
  k: { type: 'string' },
  lora: { type: 'string' },
  'lora-alpha': { type: 'string' },
  'lora-dropout': { type: 'string' },
  'lora-targets': { type: 'string' },
  epochs: { type: 'string' },
  'max-steps': { type: 'string' },
  'batch-size': { type: 'string' },
  'grad-accum': { type: 'string' },
  lr: { type: 'string' },
  schedule: { type: 'string' },
  warmup: { type: 'string' },
  'weight-decay': { type: 'string' },
  'max-grad-norm': { type: 'string' },
  'max-length': { type: 'string' },
  'eval-every': { type: 'string' },
  patience: { type: 'string' },
  'class-weights': { type: 'boolean', default: false },
  seed: { type: 'string' },
  model: { type: 'string' },
  'checkpoint-every': { type: 'string' },
  tensorboard: { type: 'boolean', default: false },
  out: { type: 'string' },
} as const;

/** Help lines for HYPER_OPTIONS. */
export const HYPER_HELP = `  --recipe <r>             prompt-mlm (default when --prompt is given): PET/LM-BFF loss on the verbalizer;
                           classification: a standard classification head (the baseline);
                           setfit: contrastive pairs for a sentence encoder, then a linear head
  --template <t>           setfit: the encoder's input, e.g. "Review: {text}"; --pair-rounds <n> (20),
                           --head-lr <x> (1e-2), --head-epochs <n> (20) for the head on frozen embeddings
  --prompt <name|hash>     the prompt version for prompt-mlm; several, comma-separated, train a template
                           ensemble (label scores averaged over the prompts)
  --demonstrations         LM-BFF: append one training example per label to each input (with its label word)
  --k <n>                  few-shot: n examples per label for train and n for dev (LM-BFF), seeded by --seed
  --lora <r>               train LoRA adapters of rank r instead of all weights; --lora-alpha <a> (default 2r),
                           --lora-dropout <p> (0.1), --lora-targets <names> (default: attention query,value)
  --epochs <n>             default 3           --max-steps <n>     stop after n steps (default: no cap)
  --batch-size <n>         default 16          --grad-accum <n>    batches per step (default 1)
  --lr <x>                 default 2e-5        --schedule <s>      linear (default), cosine, constant
  --warmup <ratio>         default 0.1         --weight-decay <x>  default 0.01
  --max-grad-norm <x>      default 1           --max-length <n>    tokens per input (default 128)
  --eval-every <steps>     default: each epoch --patience <n>      early stopping after n evaluations without gain
  --class-weights          weigh classes by inverse frequency (imbalanced data)
  --seed <n>               default 42
  --model <ref>            train this model instead of the task's
  --checkpoint-every <n>   checkpoint every n steps (default: each epoch); always at the end
  --tensorboard            also write TensorBoard event files (run dir/tensorboard)
  --out <dir>              where to save the model (default .promptune/runs/<run id>/model)`;

type Flags = { [K in keyof typeof HYPER_OPTIONS]?: (typeof HYPER_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

/** The flag that sets each field of a run spec (for messages that name what the user typed). */
const FLAG_OF: Record<string, keyof Flags> = {
  recipe: 'recipe',
  epochs: 'epochs',
  maxSteps: 'max-steps',
  batchSize: 'batch-size',
  gradAccumulation: 'grad-accum',
  learningRate: 'lr',
  schedule: 'schedule',
  warmupRatio: 'warmup',
  weightDecay: 'weight-decay',
  maxGradNorm: 'max-grad-norm',
  maxLength: 'max-length',
  evalEvery: 'eval-every',
  earlyStoppingPatience: 'patience',
  seed: 'seed',
  classWeights: 'class-weights',
  prompt: 'prompt',
  demonstrations: 'demonstrations',
  template: 'template',
  setfitIterations: 'pair-rounds',
  headLearningRate: 'head-lr',
  headEpochs: 'head-epochs',
  k: 'k',
  'lora.r': 'lora',
  'lora.alpha': 'lora-alpha',
  'lora.dropout': 'lora-dropout',
  'lora.targets': 'lora-targets',
  model: 'model',
  checkpointEvery: 'checkpoint-every',
  tensorboard: 'tensorboard',
  out: 'out',
};

/** Turns command-line flags into a validated run spec (prompt still a name or hash). */
export function specFromFlags(values: Flags, overrides: Record<string, unknown> = {}): RunSpec {
  const num = (flag: keyof Flags): number | undefined => {
    const v = values[flag];
    if (v === undefined || typeof v === 'boolean') return undefined;
    const n = Number(v);
    if (v.trim() === '' || Number.isNaN(n)) throw new UsageError(`--${flag} ${v}: expected a number`);
    return n;
  };
  const lora = num('lora');
  const raw = {
    recipe: values.recipe ?? (values.prompt ? 'prompt-mlm' : 'classification'),
    epochs: num('epochs'),
    maxSteps: num('max-steps'),
    batchSize: num('batch-size'),
    gradAccumulation: num('grad-accum'),
    learningRate: num('lr'),
    schedule: values.schedule,
    warmupRatio: num('warmup'),
    weightDecay: num('weight-decay'),
    maxGradNorm: num('max-grad-norm'),
    maxLength: num('max-length'),
    evalEvery: num('eval-every'),
    earlyStoppingPatience: num('patience'),
    seed: num('seed'),
    classWeights: values['class-weights'] ? 'balanced' : 'none',
    prompt: values.prompt?.split(',')[0]?.trim(),
    ensemble: values.prompt?.includes(',')
      ? values.prompt
          .split(',')
          .slice(1)
          .map((x) => x.trim())
      : undefined,
    demonstrations: values.demonstrations,
    template: values.template,
    setfitIterations: num('pair-rounds'),
    headLearningRate: num('head-lr'),
    headEpochs: num('head-epochs'),
    k: num('k'),
    lora:
      lora === undefined
        ? undefined
        : {
            r: lora,
            alpha: num('lora-alpha'),
            dropout: num('lora-dropout'),
            targets: values['lora-targets']?.split(',').map((t) => t.trim()),
          },
    model: values.model,
    checkpointEvery: num('checkpoint-every'),
    tensorboard: values.tensorboard,
    out: values.out,
    ...overrides,
  };
  let spec: RunSpec;
  try {
    spec = parseSpec(JSON.parse(JSON.stringify(raw)));
  } catch (e) {
    if (!AppError.isInstance(e)) throw e;
    // Name the flag the user typed, not the spec's field: "--lr 0: Too small: expected number to be >0".
    throw new UsageError(
      e.problems
        .map((p) => {
          const flag = FLAG_OF[p.path];
          const given = flag === undefined ? undefined : values[flag];
          return flag === undefined
            ? `${p.path}${p.received === undefined ? '' : ` = ${p.received}`}: ${p.message}`
            : `--${flag}${typeof given === 'string' ? ` ${given}` : ''}: ${p.message}`;
        })
        .join('; '),
    );
  }
  if (spec.recipe === 'prompt-mlm' && !spec.prompt)
    throw new UsageError('the prompt-mlm recipe needs --prompt <name|hash> (or use --recipe classification)');
  return spec;
}
