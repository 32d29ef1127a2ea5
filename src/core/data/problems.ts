// Problem rows said so a person can act on them: when most rows share one problem (every label unknown, a wrong
// encoding), it is said once with the cure, followed by a few example rows, instead of thousands of lines.
import type { ProblemCode, RowProblem } from './import.js';

/** One problem most rows share, said once. */
export interface ProblemSummary {
  code: ProblemCode;
  /** Rows with this problem. */
  count: number;
  /** What is wrong and the cure, e.g. "the file's labels are great, other; the task's are …: map them in …". */
  message: string;
}

/** What summarizing needs besides the problems: the rows read, and for labels the file's and the task's labels. */
export interface SummaryContext {
  rowsRead: number;
  /** The task's labels (import's allowedLabels). */
  taskLabels?: readonly string[];
  /** Labels of the file that matched the task's (after synonyms). */
  knownLabels?: readonly string[];
}

/** Example rows shown under a summary. */
const EXAMPLES = 3;

/**
 * The problems most rows share (a code on at least half the rows read, and on more than one), each said once: the
 * unknown labels next to the task's, or the first row's message (a wrong encoding: where and the fix).
 */
export function summarizeProblems(problems: readonly RowProblem[], ctx: SummaryContext): ProblemSummary[] {
  const byCode = new Map<ProblemCode, RowProblem[]>();
  for (const p of problems) {
    const list = byCode.get(p.code);
    if (list) list.push(p);
    else byCode.set(p.code, [p]);
  }
  const out: ProblemSummary[] = [];
  for (const [code, list] of byCode) {
    if (list.length < 2 || list.length * 2 < ctx.rowsRead) continue;
    const first = list[0] as RowProblem;
    let message = first.message.replace(/\.$/, '');
    if (code === 'UNKNOWN_LABEL' && ctx.taskLabels) {
      const counts = new Map<string, number>();
      for (const p of list) {
        const v = (p.value ?? '').trim().replace(/\s+/g, ' ');
        counts.set(v, (counts.get(v) ?? 0) + 1);
      }
      const values = [...counts].sort((a, b) => b[1] - a[1]).map(([v]) => v);
      message = labelMismatch(values, ctx.knownLabels ?? [], ctx.taskLabels);
    }
    out.push({ code, count: list.length, message });
  }
  return out.sort((a, b) => b.count - a.count);
}

/**
 * The message for a file whose labels are not the task's: "the file's labels are great, other; the task's are
 * positive, negative: map them in data.labelSynonyms or rename them" (when some match, only the others are named).
 */
export function labelMismatch(unknown: readonly string[], known: readonly string[], taskLabels: readonly string[]): string {
  const shown = unknown.slice(0, 10).map((v) => JSON.stringify(v).slice(1, -1));
  const list = `${shown.join(', ')}${unknown.length > 10 ? ` and ${unknown.length - 10} more` : ''}`;
  const cure = 'map them in data.labelSynonyms or rename them';
  return known.length
    ? `the file's labels ${list} are not the task's (${taskLabels.join(', ')}): ${cure}`
    : `the file's labels are ${list}; the task's are ${taskLabels.join(', ')}: ${cure}`;
}

/** One problem row as a line: "line 4 (label): MISSING_LABEL: no label in …". */
export function problemLine(p: RowProblem): string {
  return `line ${p.line}${p.column ? ` (${p.column})` : ''}: ${p.code}: ${p.message}`;
}

/**
 * The lines a person reads about an import's problems: each summary ("312 of 320 rows: UNKNOWN_LABEL: …") with a few
 * example rows, then the other problem rows, at most `max` lines of rows in all, and how many more there are.
 */
export function problemLines(
  r: { problems: readonly RowProblem[]; summaries: readonly ProblemSummary[]; rowsRead: number },
  max = 20,
): string[] {
  const lines: string[] = [];
  const summarized = new Set(r.summaries.map((s) => s.code));
  let shown = 0;
  for (const s of r.summaries) {
    lines.push(`${s.count} of ${r.rowsRead} rows: ${s.code}: ${s.message}`);
    const examples = r.problems.filter((p) => p.code === s.code).slice(0, EXAMPLES);
    for (const p of examples) lines.push(`  e.g. ${problemLine(p)}`);
    shown += examples.length;
  }
  const rest = r.problems.filter((p) => !summarized.has(p.code));
  const listed = rest.slice(0, Math.max(0, max - shown));
  lines.push(...listed.map(problemLine));
  const more = r.problems.length - shown - listed.length;
  if (more > 0) lines.push(`… ${more} more problem rows`);
  return lines;
}
