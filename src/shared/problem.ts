// Errors as data: one problem is { code, path, message, fix } — what a CLI prints as one line and an HTTP API
// returns as one entry of `error.problems`. Every validation issue is kept, not just the first.
import type { z } from 'zod';

/** One thing wrong with an input, and how to put it right. */
export interface Problem {
  /** Machine-readable kind (zod's issue code for validation problems). */
  code: string;
  /** Where: a dotted field path ("lora.r"), or "" for the input as a whole. */
  path: string;
  /** What is wrong. */
  message: string;
  /** The value found there, as JSON (clipped), when there was one. */
  received?: string;
  /** What to do about it. */
  fix?: string;
}

/** The value at `path` inside `value`, or undefined. */
function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let found = value;
  for (const p of path) found = found && typeof found === 'object' ? (found as Record<PropertyKey, unknown>)[p] : undefined;
  return found;
}

/** Every issue of a zod error as a problem naming the field and the value found; `prefix` goes before each path. */
export function problemsFromZod(error: z.ZodError, value: unknown, opts: { prefix?: string; fix?: string } = {}): Problem[] {
  return error.issues.map((issue) => {
    const path = [opts.prefix, ...issue.path.map(String)].filter((p) => p !== undefined && p !== '').join('.');
    const found = valueAt(value, issue.path);
    const keys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
    const received = found === undefined || issue.code === 'unrecognized_keys' ? undefined : JSON.stringify(found)?.slice(0, 80);
    return {
      code: issue.code,
      path,
      message: `${issue.message}${keys}`,
      ...(received !== undefined ? { received } : {}),
      ...(opts.fix ? { fix: opts.fix } : {}),
    };
  });
}

/** One problem as text: "path: message (got value): fix". */
export function formatProblem(p: Problem): string {
  return `${p.path ? `${p.path}: ` : ''}${p.message}${p.received !== undefined ? ` (got ${p.received})` : ''}${p.fix ? `: ${p.fix}` : ''}`;
}

/** The problems as one text, separated by "; ". */
export function formatProblems(problems: readonly Problem[]): string {
  return problems.map(formatProblem).join('; ');
}
