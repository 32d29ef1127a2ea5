// A line diff (longest common subsequence) for showing what changed between two prompt versions.

/** One line of a diff: kept (' '), removed ('-') or added ('+'). */
export interface DiffLine {
  op: ' ' | '-' | '+';
  line: string;
}

/** The line diff turning `a` into `b`. */
export function diffLines(a: string, b: string): DiffLine[] {
  const x = a.split('\n');
  const y = b.split('\n');
  // lcs[i][j] = LCS length of x[i:] and y[j:]; prompts are small, so the quadratic table is fine.
  const lcs = Array.from({ length: x.length + 1 }, () => new Array<number>(y.length + 1).fill(0));
  for (let i = x.length - 1; i >= 0; i--) {
    for (let j = y.length - 1; j >= 0; j--) {
      lcs[i]![j] = x[i] === y[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) {
      out.push({ op: ' ', line: x[i++] as string });
      j++;
    } else if (i < x.length && (j === y.length || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      out.push({ op: '-', line: x[i++] as string });
    } else {
      out.push({ op: '+', line: y[j++] as string });
    }
  }
  return out;
}

/** The diff as text: "- old" / "+ new" / "  same" lines. */
export function formatDiff(lines: readonly DiffLine[]): string {
  return lines.map((l) => `${l.op} ${l.line}`).join('\n');
}
