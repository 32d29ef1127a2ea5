// The training options by their user-facing names (what `promptune train` takes as flags, what a search space
// varies, what a form would offer): each one's kind, and the run spec a set of them makes. One table, so the CLI,
// a search and any other surface spell an option the same way and validate it once.
import { resolvePrecision } from '../../engine/index.js';
import { AppError } from '../errors.js';
import { type RunSpec, parseSpec } from './spec.js';

/** Every training option: a value (text, converted where the spec wants a number) or an on/off switch. */
export const TRAIN_OPTIONS = {
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
  precision: { type: 'string' },
  seed: { type: 'string' },
  model: { type: 'string' },
  'checkpoint-every': { type: 'string' },
  tensorboard: { type: 'boolean', default: false },
  out: { type: 'string' },
} as const;

/** A training option's name. */
export type TrainOptionName = keyof typeof TRAIN_OPTIONS;

/** Values for training options, as a command line or a form gives them. */
export type TrainOptionValues = {
  [K in TrainOptionName]?: (typeof TRAIN_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string;
};

/** Whether an option is an on/off switch. */
export function isSwitchOption(name: TrainOptionName): boolean {
  return TRAIN_OPTIONS[name].type === 'boolean';
}

/** The option that sets each field of a run spec, so problems name what the user gave. */
const OPTION_OF: Record<string, TrainOptionName> = {
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
  precision: 'precision',
  prompt: 'prompt',
  ensemble: 'prompt',
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

/** `--precision` resolved for this machine (auto: bf16 where the CPU runs it natively); the spec keeps the result. */
function precisionOf(
  value: string | undefined,
  problems: { code: string; path: string; message: string; received?: string }[],
): string | undefined {
  if (value === undefined || value === 'fp32' || value === 'bf16') return value;
  if (value === 'auto') return resolvePrecision('auto').precision;
  const message =
    value === 'fp16'
      ? 'fp16 needs a CUDA device with loss scaling, and training runs on the CPU: use bf16 or fp32'
      : 'expected auto, fp32 or bf16';
  problems.push({ code: 'invalid_value', path: 'precision', message, received: value });
  return undefined;
}

/**
 * The validated run spec these options make (prompt still a name or hash); otherwise an AppError whose problems'
 * paths are option names and whose `received` is the value given.
 */
export function specFromOptions(values: TrainOptionValues, overrides: Record<string, unknown> = {}): RunSpec {
  const problems: { code: string; path: string; message: string; received?: string }[] = [];
  const num = (name: TrainOptionName): number | undefined => {
    const v = values[name];
    if (v === undefined || typeof v === 'boolean') return undefined;
    const n = Number(v);
    if (v.trim() === '' || Number.isNaN(n)) {
      problems.push({ code: 'invalid_type', path: name, message: 'expected a number', received: v });
      return undefined;
    }
    return n;
  };
  const list = (v: string | undefined): string[] | undefined => v?.split(',').map((x) => x.trim());
  const prompts = list(values.prompt);
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
    precision: precisionOf(values.precision, problems),
    prompt: prompts?.[0],
    ensemble: prompts && prompts.length > 1 ? prompts.slice(1) : undefined,
    demonstrations: values.demonstrations,
    template: values.template,
    setfitIterations: num('pair-rounds'),
    headLearningRate: num('head-lr'),
    headEpochs: num('head-epochs'),
    k: num('k'),
    lora:
      lora === undefined
        ? undefined
        : { r: lora, alpha: num('lora-alpha'), dropout: num('lora-dropout'), targets: list(values['lora-targets']) },
    model: values.model,
    checkpointEvery: num('checkpoint-every'),
    tensorboard: values.tensorboard,
    out: values.out,
    ...overrides,
  };
  if (problems.length) throw new AppError('INVALID_INPUT', problems);
  try {
    return parseSpec(JSON.parse(JSON.stringify(raw)));
  } catch (e) {
    if (!AppError.isInstance(e)) throw e;
    throw new AppError(
      'INVALID_INPUT',
      e.problems.map((p) => {
        const name = OPTION_OF[p.path] ?? OPTION_OF[p.path.replace(/\.\d+$/, '')];
        const given = name === undefined ? undefined : values[name];
        if (name === undefined) return p;
        const { received: _r, ...rest } = p;
        return { ...rest, path: name, ...(typeof given === 'string' ? { received: given } : {}) };
      }),
    );
  }
}
