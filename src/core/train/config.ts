// Training hyper-parameters with sound defaults, one line on why for each (validated at the boundary).
import { z } from 'zod';

/** Every knob of a training run. */
export const trainConfigSchema = z
  .object({
    /** prompt-mlm: PET/LM-BFF loss on the verbalizer at the mask; classification: a standard head (the baseline);
     * setfit: contrastive pairs for a sentence encoder, then a linear head on its embeddings. */
    recipe: z.enum(['prompt-mlm', 'classification', 'setfit']).default('prompt-mlm'),
    /** Passes over the training data (few-shot sets want more, full data fewer). */
    epochs: z.number().int().positive().default(3),
    /** Stop after this many optimiser steps even if epochs remain (0: no cap). */
    maxSteps: z.number().int().min(0).default(0),
    batchSize: z.number().int().positive().default(16),
    /** Batches whose gradients are summed before a step: a larger effective batch at the same memory. */
    gradAccumulation: z.number().int().positive().default(1),
    /** 1e-5–5e-5 is the fine-tuning range of BERT-sized encoders. */
    learningRate: z.number().positive().default(2e-5),
    schedule: z.enum(['linear', 'cosine', 'constant']).default('linear'),
    /** Fraction of the steps spent warming the learning rate up from 0. */
    warmupRatio: z.number().min(0).max(1).default(0.1),
    weightDecay: z.number().min(0).default(0.01),
    /** Gradient-norm clip; guards against the occasional exploding batch. */
    maxGradNorm: z.number().positive().default(1),
    /** Tokens per input; longer inputs lose their end (prompts are never cut). */
    maxLength: z.number().int().min(8).default(128),
    seed: z.number().int().default(42),
    /** Evaluate on dev data every this many steps (0: once per epoch). */
    evalEvery: z.number().int().min(0).default(0),
    /** Stop when the dev metric has not improved for this many evaluations (0: never). */
    earlyStoppingPatience: z.number().int().min(0).default(0),
    /** balanced: weigh each class's loss by n / (k · n_class), for imbalanced data. */
    classWeights: z.enum(['none', 'balanced']).default('none'),
    /** bf16: forward and loss under autocast (matmuls in bf16, fp32 weights, optimiser state and saved model);
     * several times faster where the CPU has AVX-512 BF16 or AMX. (fp16 needs CUDA and loss scaling: not yet.) */
    precision: z.enum(['fp32', 'bf16']).default('fp32'),
  })
  .strict();

/** A validated training configuration. */
export type TrainConfig = z.infer<typeof trainConfigSchema>;

/** The defaults with `overrides` applied and checked. */
export function trainConfig(overrides: z.input<typeof trainConfigSchema> = {}): TrainConfig {
  return trainConfigSchema.parse(overrides);
}
