// The training options of the command line (train, search, retrain, jobs add): their help text and errors that
// name the flag. The options, the run spec they make and its validation live in the app layer (app/train/).
import { AppError, type RunSpec, TRAIN_OPTIONS, type TrainOptionValues, specFromOptions } from '../../app/index.js';
import type { Problem } from '../../shared/index.js';
import { UsageError } from '../command.js';

export { type RunSpec, parseSpec } from '../../app/index.js';

/** Command-line options that set hyper-parameters (shared by train, search, retrain and jobs add). */
export const HYPER_OPTIONS = TRAIN_OPTIONS;

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
  --precision <p>          fp32 (default), bf16 (mixed precision: autocast, fp32 weights), or auto (bf16 where the
                           CPU has AVX-512 BF16 or AMX, else fp32)
  --seed <n>               default 42
  --model <ref>            train this model instead of the task's
  --checkpoint-every <n>   checkpoint every n steps (default: each epoch); always at the end
  --tensorboard            also write TensorBoard event files (run dir/tensorboard)
  --out <dir>              where to save the model (default .promptune/runs/<run id>/model)`;

/** A problem with a training option as the command line says it: "--lr 0: Too small: expected number to be >0". */
export function flagProblemText(p: Problem): string {
  const head =
    p.path in TRAIN_OPTIONS
      ? `--${p.path}${p.received === undefined ? '' : ` ${p.received}`}`
      : `${p.path}${p.received === undefined ? '' : ` = ${p.received}`}`;
  return `${head}: ${p.message}${p.fix ? `: ${p.fix}` : ''}`;
}

/** Turns command-line flags into a validated run spec (prompt still a name or hash); problems name the flag. */
export function specFromFlags(values: TrainOptionValues, overrides: Record<string, unknown> = {}): RunSpec {
  try {
    return specFromOptions(values, overrides);
  } catch (e) {
    if (!AppError.isInstance(e)) throw e;
    throw new UsageError(e.problems.map(flagProblemText).join('; '));
  }
}
