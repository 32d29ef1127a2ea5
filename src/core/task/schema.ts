// The task file: what goes in, what comes out, which labels mean what, which languages, what counts as success,
// and where the data lives. Validated with zod; every failure names the field, the value and the fix.
import { z } from 'zod';

/** Metrics a task can optimise; per-class F1 is written `f1:<label>`. */
export const METRICS = ['macro-f1', 'micro-f1', 'weighted-f1', 'accuracy'] as const;

const slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'use 1-64 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit');
const fieldName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'use letters, digits and "_" (it becomes a template slot such as {text})');
// ISO 639-1 codes (what fastText's language ID reports), e.g. en, fr, de, ja.
const language = z.string().regex(/^[a-z]{2,3}$/, 'use ISO 639 codes such as "en", "fr", "de"');

/** One input text field, e.g. the review body, or title + body, or the two sides of a pair. */
export const inputSchema = z.object({
  name: fieldName.describe('The field name, used as a template slot such as {text}'),
  description: z.string().default('').describe('What the field holds, for people and for prompts'),
  /** The column in the data files; defaults to the field name. */
  column: z.string().min(1).optional().describe('The column in the data files (default: the field name)'),
});

/** A label with the description annotators and zero-shot similarity use. */
export const labelSchema = z.object({
  name: z.string().trim().min(1, 'a label needs a name').max(100).describe('The label as the data and the model name it'),
  description: z.string().default('').describe('When the label applies: for annotators, and zero-shot similarity'),
});

/** Where the labelled data lives, relative to the task file. */
export const dataSchema = z.object({
  train: z.string().min(1).describe('The training file, relative to the task file'),
  dev: z.string().min(1).optional().describe('The development file (model selection, calibration)'),
  test: z.string().min(1).optional().describe('The test file (final scores only)'),
  /** csv | jsonl | parquet | xlsx; inferred from the file extension when absent (.tsv is csv with tabs). */
  format: z
    .enum(['csv', 'jsonl', 'parquet', 'xlsx'])
    .optional()
    .describe('File format (default: from the file extension; .tsv is csv with tabs)'),
  /** CSV field delimiter; detected among , ; tab | when absent (.tsv: tab). */
  delimiter: z
    .enum([',', ';', '|', 'tab', '\t'])
    .optional()
    .describe('CSV field delimiter: ",", ";", "|" or tab (default: detected; .tsv files: tab)'),
  /** Character encoding of CSV/JSONL files; detected when absent (BOM, else UTF-8 if valid, else Windows-1252). */
  encoding: z
    .enum(['utf-8', 'utf-16le', 'utf-16be', 'windows-1252', 'latin1'])
    .optional()
    .describe('Encoding of CSV/JSONL files (default: detected: BOM, else UTF-8 if valid, else windows-1252)'),
  /** The worksheet of .xlsx files (default: the first). */
  sheet: z.string().min(1).optional().describe('The worksheet of .xlsx files (default: the first)'),
  /** Column holding the label(s). */
  labelColumn: z.string().min(1).default('label').describe('The column holding the label(s)'),
  /** Separator between labels in one cell, for multi-label tasks. */
  labelSeparator: z.string().min(1).optional().describe('Separator between labels in one cell (multi-label tasks)'),
  /** Raw label values mapped to label names (e.g. "5 stars" → positive). */
  labelSynonyms: z
    .record(z.string(), z.string())
    .default({})
    .describe('Raw label values mapped to label names, e.g. "5 stars": positive'),
});

/** The whole task file. */
export const taskSchema = z
  .object({
    name: slug.describe('The task id: lower-case letters, digits, ".", "_" or "-"'),
    objective: z
      .string()
      .trim()
      .min(1, 'say in plain words what the classifier is for')
      .describe('What the classifier is for, in plain words'),
    type: z.enum(['single-label', 'multi-label']).default('single-label').describe('One label per example, or any number'),
    inputs: z
      .array(inputSchema)
      .min(1, 'declare at least one input field')
      .max(4, 'at most 4 input fields')
      .describe('The text fields that go in (1-4)'),
    labels: z
      .array(labelSchema)
      .min(2, 'a classifier needs at least two labels')
      .describe('The labels that come out (2 or more)'),
    languages: z
      .array(language)
      .min(1, 'declare at least one language')
      .default(['en'])
      .describe('ISO 639 codes of the languages the texts are in'),
    metric: z
      .string()
      .regex(/^(macro-f1|micro-f1|weighted-f1|accuracy|f1:.+)$/, `use one of ${METRICS.join(', ')} or f1:<label>`)
      .default('macro-f1')
      .describe('What counts as success: macro-f1, micro-f1, weighted-f1, accuracy or f1:<label>'),
    /** The base model: "default", hf:org/name@revision, or a local directory. */
    model: z.string().min(1).default('default').describe('"default", hf:org/name@revision, or a local model directory'),
    data: dataSchema.optional().describe('Where the labelled data lives'),
  })
  .strict()
  .superRefine((t, ctx) => {
    const dup = <T>(xs: T[]): T | undefined => xs.find((x, i) => xs.indexOf(x) !== i);
    const label = dup(t.labels.map((l) => l.name));
    if (label !== undefined) ctx.addIssue({ code: 'custom', path: ['labels'], message: `label "${label}" is declared twice` });
    const input = dup(t.inputs.map((i) => i.name));
    if (input !== undefined) ctx.addIssue({ code: 'custom', path: ['inputs'], message: `input "${input}" is declared twice` });
    if (t.metric.startsWith('f1:') && !t.labels.some((l) => l.name === t.metric.slice(3))) {
      ctx.addIssue({ code: 'custom', path: ['metric'], message: `"${t.metric.slice(3)}" is not one of the labels` });
    }
    for (const [raw, name] of Object.entries(t.data?.labelSynonyms ?? {})) {
      if (!t.labels.some((l) => l.name === name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['data', 'labelSynonyms', raw],
          message: `maps to "${name}", which is not a label`,
        });
      }
    }
  });

/** The task file's JSON Schema (draft 2020-12), generated from taskSchema, for editors to validate and complete. */
export function taskJsonSchema(): Record<string, unknown> {
  return {
    title: 'Promptune task file (promptune.yaml)',
    ...z.toJSONSchema(taskSchema, { io: 'input', unrepresentable: 'any' }),
  };
}

/** A validated task, with defaults filled in. */
export type Task = z.infer<typeof taskSchema>;
/** The task as written in a file (defaults optional). */
export type TaskInput = z.input<typeof taskSchema>;
