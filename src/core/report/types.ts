// What an evaluation report shows, as plain JSON-serialisable data. The zod schemas are the single source: the
// TypeScript types are inferred from them, and the same schemas read a saved summary back.
import { z } from 'zod';

const unit = z.number().min(0).max(1);
const count = z.number().int().min(0);

/** Scores of one class. */
export const classRowSchema = z.object({
  label: z.string(),
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
  /** Gold examples of this class. */
  support: count,
});

/** The headline metrics; optional ones are left out when not computed. */
export const reportMetricsSchema = z.object({
  accuracy: z.number(),
  macroF1: z.number(),
  microF1: z.number(),
  weightedF1: z.number(),
  /** One-vs-rest ROC AUC, macro-averaged. */
  rocAuc: z.number().optional(),
  /** Expected calibration error. */
  ece: z.number().optional(),
  /** Temperature found by calibration (1 = none). */
  temperature: z.number().optional(),
  /** Selective prediction: answer only when confidence ≥ threshold. */
  abstain: z.object({ threshold: z.number(), coverage: unit, precision: z.number() }).optional(),
});

/** One confidence bin of a reliability diagram. */
export const reliabilityBinSchema = z.object({
  lower: unit,
  upper: unit,
  count,
  meanConfidence: z.number(),
  accuracy: z.number(),
});

/** Metrics of one slice of the data, e.g. one language. */
export const groupRowSchema = z.object({ group: z.string(), n: count, accuracy: z.number(), macroF1: z.number() });

// null stands for a value that was not finite (a diverged loss): JSON has no NaN, and a chart skips the point.
const curveValue = z.number().nullable().optional();

/** One logged training step. */
export const curvePointSchema = z.object({ step: z.number(), loss: curveValue, lr: curveValue, devMetric: curveValue });

/** One example the error analysis lists. */
export const errorExampleSchema = z.object({ text: z.string(), gold: z.string(), predicted: z.string(), confidence: z.number() });

/**
 * Metric → [low, high] bootstrap interval, e.g. { macroF1: [0.81, 0.86] }. Keys are the metrics' field names
 * (accuracy, macroF1, …, abstain.coverage; task names such as macro-f1 are read as macroF1) or any other name,
 * e.g. f1:<label>, which the report lists under that name.
 */
export const intervalsSchema = z.record(z.string(), z.tuple([z.number(), z.number()]));

/** Everything `promptune eval` reports about one run. */
export const runReportSchema = z
  .object({
    title: z.string(),
    runId: z.string().optional(),
    /** The model: a name, hf:org/name@revision or a directory. */
    model: z.string(),
    prompt: z.object({ name: z.string().optional(), hash: z.string().optional(), text: z.string().optional() }).optional(),
    recipe: z.string().optional(),
    /** ISO 8601 time of the evaluation (given, never read from the clock, so output is deterministic). */
    createdAt: z.string(),
    dataset: z.object({ name: z.string(), n: count }),
    labels: z.array(z.string()).min(1, 'list the labels in confusion-matrix order'),
    metrics: reportMetricsSchema,
    intervals: intervalsSchema.optional(),
    /** Confidence level of `intervals`; 0.95 when left out. */
    intervalLevel: z.number().gt(0).lt(1).optional(),
    perClass: z.array(classRowSchema),
    /** confusion[gold][predicted], in `labels` order. */
    confusion: z.array(z.array(count)),
    reliability: z.array(reliabilityBinSchema).optional(),
    byGroup: z.array(groupRowSchema).optional(),
    learningCurve: z
      .object({
        /** Name of the dev metric, e.g. macro-f1. */
        metric: z.string(),
        points: z.array(curvePointSchema),
      })
      .optional(),
    errors: z.object({ confidentMistakes: z.array(errorExampleSchema), unsureCorrect: z.array(errorExampleSchema) }).optional(),
  })
  .superRefine((r, ctx) => {
    for (const p of shapeProblems(r)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
  });

export type ClassRow = z.infer<typeof classRowSchema>;
export type ReportMetrics = z.infer<typeof reportMetricsSchema>;
export type ReliabilityBin = z.infer<typeof reliabilityBinSchema>;
export type GroupRow = z.infer<typeof groupRowSchema>;
export type CurvePoint = z.infer<typeof curvePointSchema>;
export type ErrorExample = z.infer<typeof errorExampleSchema>;
export type Intervals = z.infer<typeof intervalsSchema>;
/** Everything `promptune eval` reports about one run. */
export type RunReport = z.infer<typeof runReportSchema>;

/** A field of a report that disagrees with another: the confusion matrix must be labels × labels. */
export interface ShapeProblem {
  path: (string | number)[];
  message: string;
}

/** The cross-field checks a schema cannot express per field: matrix size and per-class labels. */
export function shapeProblems(r: Pick<RunReport, 'labels' | 'confusion' | 'perClass'>): ShapeProblem[] {
  const k = r.labels.length;
  const out: ShapeProblem[] = [];
  if (r.confusion.length !== k)
    out.push({
      path: ['confusion'],
      message: `has ${r.confusion.length} rows but there are ${k} labels: one row per gold label`,
    });
  r.confusion.forEach((row, i) => {
    if (row.length !== k)
      out.push({
        path: ['confusion', i],
        message: `has ${row.length} columns but there are ${k} labels: one per predicted label`,
      });
  });
  r.perClass.forEach((c, i) => {
    if (!r.labels.includes(c.label))
      out.push({ path: ['perClass', i, 'label'], message: `"${c.label}" is not one of the labels (${r.labels.join(', ')})` });
  });
  return out;
}

// Task metric names (what a task file and the trainer call them) for the report's field names.
const METRIC_ALIASES: Record<string, string> = { 'macro-f1': 'macroF1', 'micro-f1': 'microF1', 'weighted-f1': 'weightedF1' };

/** Intervals keyed by the report's field names: "macro-f1" and the like become "macroF1" (a field name wins). */
export function intervalsOf(r: Pick<RunReport, 'intervals'>): Intervals {
  // A Map, not an object: a key such as "__proto__" from a hostile file must stay an ordinary key.
  const out = new Map<string, [number, number]>();
  for (const [k, v] of Object.entries(r.intervals ?? {})) {
    const key = Object.hasOwn(METRIC_ALIASES, k) ? (METRIC_ALIASES[k] as string) : k;
    if (!out.has(key) || key === k) out.set(key, v);
  }
  return Object.fromEntries(out);
}
