// What one training run is: the hyper-parameters plus the choices around them (prompt, few-shot sample, LoRA,
// base model, checkpointing). Stored as the run's config, so a resumed run and search trials rebuild the same run.
import { z } from 'zod';
import { trainConfigSchema } from '../../core/train/index.js';
import { problemsFromZod } from '../../shared/index.js';
import { AppError } from '../errors.js';

/** LoRA settings (PEFT's names in the adapter config). */
export const loraSchema = z
  .object({
    r: z.number().int().positive(),
    /** Scale alpha / r; 2·r is a common start. */
    alpha: z.number().positive().optional(),
    dropout: z.number().min(0).max(0.9).default(0.1),
    /** Linear layers to adapt (default: attention query and value). */
    targets: z.array(z.string().min(1)).optional(),
  })
  .strict();

/** A run's full recipe. */
export const runSpecSchema = trainConfigSchema
  .extend({
    /** Prompt version hash (prompt-mlm). */
    prompt: z.string().optional(),
    /** More prompt versions: train and predict with all of them as a template ensemble. */
    ensemble: z.array(z.string()).optional(),
    /** LM-BFF: one labelled example per label appended to each input. */
    demonstrations: z.boolean().default(false),
    /** SetFit: the encoder's input template ("Review: {text}"), pair rounds, and the head's training. */
    template: z.string().optional(),
    setfitIterations: z.number().int().positive().default(20),
    headLearningRate: z.number().positive().default(1e-2),
    headEpochs: z.number().int().positive().default(20),
    /** Few-shot: this many examples per label for train and for dev, sampled with the seed. */
    k: z.number().int().positive().optional(),
    lora: loraSchema.optional(),
    /** Base model instead of the task's. */
    model: z.string().optional(),
    /** Checkpoint every this many steps (0: at each epoch's end). */
    checkpointEvery: z.number().int().min(0).default(0),
    tensorboard: z.boolean().default(false),
    /** Where the model goes (default .promptune/runs/<run id>/model). */
    out: z.string().optional(),
    /** Training data instead of the task's data.train (retrain: the task's data plus reviewed feedback). */
    trainFile: z.string().optional(),
  })
  .strict();

/** A validated run spec. */
export type RunSpec = z.infer<typeof runSpecSchema>;

/** Validates a spec (from flags, a stored run, a search space or a request) with every problem named. */
export function parseSpec(value: unknown): RunSpec {
  const parsed = runSpecSchema.safeParse(value);
  if (!parsed.success) throw new AppError('INVALID_INPUT', problemsFromZod(parsed.error, value));
  if (parsed.data.recipe === 'prompt-mlm' && !parsed.data.prompt)
    throw new AppError('INVALID_INPUT', [
      {
        code: 'PROMPT_REQUIRED',
        path: 'prompt',
        message: 'the prompt-mlm recipe needs a prompt version',
        fix: 'give its name or hash, or choose the classification recipe',
      },
    ]);
  return parsed.data;
}
