// The JSON summary of an evaluation: what a CI pipeline reads to gate a merge (metrics, intervals, per class,
// per group), versioned by `format`, and read back with validation whose errors name the field.
import { z } from 'zod';
import { ReportError } from './errors.js';
import {
  type RunReport,
  classRowSchema,
  groupRowSchema,
  intervalsOf,
  intervalsSchema,
  reportMetricsSchema,
  runReportSchema,
} from './types.js';

/** The summary format this version writes and reads. */
export const SUMMARY_FORMAT = 'promptune.eval-summary/1';

/** The summary: run facts and every number, without the texts and charts of the HTML report. */
export const summarySchema = z.object({
  format: z.literal(SUMMARY_FORMAT),
  title: z.string(),
  runId: z.string().optional(),
  model: z.string(),
  prompt: z.object({ name: z.string().optional(), hash: z.string().optional() }).optional(),
  recipe: z.string().optional(),
  createdAt: z.string(),
  dataset: z.object({ name: z.string(), n: z.number().int().min(0) }),
  labels: z.array(z.string()),
  metrics: reportMetricsSchema,
  intervals: intervalsSchema.optional(),
  intervalLevel: z.number().gt(0).lt(1).optional(),
  perClass: z.array(classRowSchema),
  byGroup: z.array(groupRowSchema).optional(),
});

/** The JSON summary of one run. */
export type Summary = z.infer<typeof summarySchema>;

const finite = (x: number | undefined): x is number => x !== undefined && Number.isFinite(x);

/** The summary of a report; optional values that are not finite are left out (JSON has no NaN). */
export function reportSummary(r: RunReport): Summary {
  const m = r.metrics;
  const intervals = Object.fromEntries(Object.entries(intervalsOf(r)).filter(([, iv]) => iv.every(Number.isFinite)));
  return {
    format: SUMMARY_FORMAT,
    title: r.title,
    ...(r.runId !== undefined ? { runId: r.runId } : {}),
    model: r.model,
    ...(r.prompt && (r.prompt.name !== undefined || r.prompt.hash !== undefined)
      ? {
          prompt: {
            ...(r.prompt.name !== undefined ? { name: r.prompt.name } : {}),
            ...(r.prompt.hash !== undefined ? { hash: r.prompt.hash } : {}),
          },
        }
      : {}),
    ...(r.recipe !== undefined ? { recipe: r.recipe } : {}),
    createdAt: r.createdAt,
    dataset: { name: r.dataset.name, n: r.dataset.n },
    labels: [...r.labels],
    metrics: {
      accuracy: m.accuracy,
      macroF1: m.macroF1,
      microF1: m.microF1,
      weightedF1: m.weightedF1,
      ...(finite(m.rocAuc) ? { rocAuc: m.rocAuc } : {}),
      ...(finite(m.ece) ? { ece: m.ece } : {}),
      ...(finite(m.temperature) ? { temperature: m.temperature } : {}),
      ...(m.abstain ? { abstain: { ...m.abstain } } : {}),
    },
    ...(Object.keys(intervals).length ? { intervals } : {}),
    ...(r.intervalLevel !== undefined ? { intervalLevel: r.intervalLevel } : {}),
    perClass: r.perClass.map((c) => ({ ...c })),
    ...(r.byGroup?.length ? { byGroup: r.byGroup.map((g) => ({ ...g })) } : {}),
  };
}

function parse<T>(input: unknown, schema: z.ZodType<T>, what: string, hint: string): T {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (e) {
      throw new ReportError('SUMMARY_SYNTAX', `${what} is not valid JSON (${(e as Error).message}). ${hint}`);
    }
  }
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const lines = r.error.issues.map((issue) => {
    const field = issue.path.length ? `${what}.${issue.path.map(String).join('.')}` : what;
    const got = issue.path.reduce<unknown>((o, k) => (o as Record<PropertyKey, unknown> | undefined)?.[k], value);
    const shown = got === undefined ? 'missing' : truncateJson(got);
    return `  ${field} is ${shown}: ${issue.message}`;
  });
  throw new ReportError('SUMMARY_INVALID', `${what} is not valid:\n${lines.join('\n')}\n${hint}`);
}

function truncateJson(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Reads a saved summary (JSON text or parsed value); a ReportError names every bad field. */
export function readSummary(json: unknown): Summary {
  return parse(
    json,
    summarySchema,
    'summary',
    'Write summaries with reportSummary() (promptune eval --json) and do not edit them by hand.',
  );
}

/** Reads a saved full report (JSON text or parsed value), e.g. to render it again. */
export function readReport(json: unknown): RunReport {
  return parse(json, runReportSchema, 'report', 'Save reports with JSON.stringify of the RunReport that promptune eval builds.');
}
