// A prompt: one template plus its verbalizer. Its content hash identifies a version, so every result can say
// exactly which prompt produced it.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { PromptError } from './errors.js';
import { type TemplatePart, parseTemplate } from './template.js';
import { type Verbalizer, checkVerbalizer, verbalizerSchema } from './verbalizer.js';

/** What a prompt version holds. */
export const promptSpecSchema = z
  .object({
    /** The template string, e.g. "{text} All in all, it was {mask}." */
    template: z.string().min(1),
    verbalizer: verbalizerSchema,
  })
  .strict();

/** A prompt's content. */
export type PromptSpec = z.infer<typeof promptSpecSchema>;

/** A prompt checked against a task: parsed template parts plus the verbalizer. */
export interface CheckedPrompt {
  spec: PromptSpec;
  parts: TemplatePart[];
  verbalizer: Verbalizer;
  hash: string;
}

/** Validates a prompt against the task's input fields and labels. */
export function checkPrompt(
  value: unknown,
  task: { inputs: readonly { name: string }[]; labels: readonly { name: string }[] },
): CheckedPrompt {
  const r = promptSpecSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0] as z.core.$ZodIssue;
    throw new PromptError(
      'PROMPT_INVALID',
      `prompt: ${issue.path.join('.') || '(top level)'}: ${issue.message}. A prompt is { template, verbalizer }.`,
    );
  }
  const parts = parseTemplate(
    r.data.template,
    task.inputs.map((i) => i.name),
  );
  checkVerbalizer(
    r.data.verbalizer,
    task.labels.map((l) => l.name),
  );
  return { spec: r.data, parts, verbalizer: r.data.verbalizer, hash: promptHash(r.data) };
}

/** JSON with object keys sorted, so equal content always serialises (and hashes) the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/** The content hash of a prompt (sha256 hex of its canonical JSON). */
export function promptHash(spec: PromptSpec): string {
  return createHash('sha256').update(canonicalJson(spec)).digest('hex');
}
