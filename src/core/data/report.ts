// The data report: what a practitioner checks before training. Rows per label and split, duplicates (exact and
// after normalising case, whitespace and punctuation), conflicting duplicates, leakage between splits, empty and
// over-long texts in tokens, class imbalance, and each row's language.
import type { Dataset, Example } from './example.js';
import { detectLanguages } from './language.js';

/** Options of dataReport. */
export interface ReportOptions {
  /** Tokens of a text for the chosen model (e.g. the tokenizer's encode length). */
  countTokens?: (text: string) => number;
  /** The model's input limit; texts above it would be truncated. */
  maxTokens?: number;
  /** The task's declared languages; rows in other languages are listed. */
  languages?: readonly string[];
  /** Skip language ID (it is fast, but optional). */
  detectLanguage?: boolean;
}

/** Lines that share a text. */
export interface DuplicateGroup {
  split: string;
  lines: number[];
  labels: string[];
  text: string;
}

/** The report as data (JSON-serialisable); formatReport renders it. */
export interface DataReport {
  splits: { name: string; rows: number; hash: string; perLabel: Record<string, number> }[];
  labels: string[];
  duplicates: DuplicateGroup[];
  conflicts: DuplicateGroup[];
  leakage: { splits: [string, string]; lines: [number[], number[]]; text: string }[];
  empty: { split: string; line: number }[];
  length?: {
    maxTokens?: number;
    percentiles: Record<'p50' | 'p90' | 'p99' | 'max', number>;
    overLimit: { split: string; line: number; tokens: number }[];
  };
  imbalance: { largest: string; smallest: string; ratio: number };
  languages?: {
    counts: Record<string, number>;
    perLabel: Record<string, Record<string, number>>;
    undeclared: { split: string; line: number; language: string }[];
  };
  warnings: string[];
}

/** The text of an example as one string (fields joined). */
export function exampleText(e: Example): string {
  return Object.values(e.inputs).join('\n');
}

/** Lower-case, no punctuation, collapsed whitespace: near-duplicates compare equal. */
function normalise(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKC')
    .replace(/[\p{P}\p{S}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Reports on named splits of a dataset (e.g. { train, test }). */
export async function dataReport(splits: Record<string, Dataset>, opts: ReportOptions = {}): Promise<DataReport> {
  const entries = Object.entries(splits);
  const labels = [...new Set(entries.flatMap(([, d]) => d.labels))].sort();
  const warnings: string[] = [];
  const report: DataReport = {
    splits: entries.map(([name, d]) => ({
      name,
      rows: d.examples.length,
      hash: d.hash,
      perLabel: Object.fromEntries(labels.map((l) => [l, d.examples.filter((e) => e.labels.includes(l)).length])),
    })),
    labels,
    duplicates: [],
    conflicts: [],
    leakage: [],
    empty: [],
    imbalance: { largest: '', smallest: '', ratio: 1 },
    warnings,
  };
  // Duplicates and conflicts within each split, by normalised text.
  const seen = new Map<string, { split: string; examples: Example[] }[]>();
  for (const [name, d] of entries) {
    const groups = new Map<string, Example[]>();
    for (const e of d.examples) {
      const key = normalise(exampleText(e));
      if (!key) report.empty.push({ split: name, line: e.line });
      groups.set(key, [...(groups.get(key) ?? []), e]);
    }
    for (const [key, group] of groups) {
      seen.set(key, [...(seen.get(key) ?? []), { split: name, examples: group }]);
      if (group.length < 2 || !key) continue;
      const labelSets = [...new Set(group.map((e) => e.labels.join('|')))];
      const g = {
        split: name,
        lines: group.map((e) => e.line),
        labels: labelSets,
        text: exampleText(group[0] as Example).slice(0, 120),
      };
      (labelSets.length > 1 ? report.conflicts : report.duplicates).push(g);
    }
  }
  for (const [key, where] of seen) {
    if (!key || where.length < 2) continue;
    for (let i = 0; i < where.length; i++) {
      for (let j = i + 1; j < where.length; j++) {
        const [a, b] = [where[i], where[j]] as [{ split: string; examples: Example[] }, { split: string; examples: Example[] }];
        report.leakage.push({
          splits: [a.split, b.split],
          lines: [a.examples.map((e) => e.line), b.examples.map((e) => e.line)],
          text: exampleText(a.examples[0] as Example).slice(0, 120),
        });
      }
    }
  }
  // Lengths in tokens.
  if (opts.countTokens) {
    const lengths: { split: string; line: number; tokens: number }[] = [];
    for (const [name, d] of entries)
      for (const e of d.examples) lengths.push({ split: name, line: e.line, tokens: opts.countTokens(exampleText(e)) });
    const sorted = lengths.map((l) => l.tokens).sort((a, b) => a - b);
    const pct = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
    report.length = {
      ...(opts.maxTokens ? { maxTokens: opts.maxTokens } : {}),
      percentiles: { p50: pct(0.5), p90: pct(0.9), p99: pct(0.99), max: sorted.at(-1) ?? 0 },
      overLimit: opts.maxTokens ? lengths.filter((l) => l.tokens > (opts.maxTokens as number)) : [],
    };
  }
  // Imbalance over all splits together.
  const totals = labels
    .map((l) => [l, report.splits.reduce((n, s) => n + (s.perLabel[l] ?? 0), 0)] as const)
    .sort((a, b) => b[1] - a[1]);
  if (totals.length) {
    const [largest, smallest] = [totals[0], totals.at(-1)] as [readonly [string, number], readonly [string, number]];
    report.imbalance = {
      largest: largest[0],
      smallest: smallest[0],
      ratio: smallest[1] ? largest[1] / smallest[1] : Number.POSITIVE_INFINITY,
    };
  }
  // Language of every row.
  if (opts.detectLanguage !== false) {
    const counts: Record<string, number> = {};
    const perLabel: Record<string, Record<string, number>> = {};
    const undeclared: { split: string; line: number; language: string }[] = [];
    for (const [name, d] of entries) {
      const guesses = await detectLanguages(d.examples.map(exampleText));
      d.examples.forEach((e, i) => {
        const lang = (guesses[i] as { language: string }).language;
        counts[lang] = (counts[lang] ?? 0) + 1;
        for (const l of e.labels) {
          perLabel[l] ??= {};
          (perLabel[l] as Record<string, number>)[lang] = ((perLabel[l] as Record<string, number>)[lang] ?? 0) + 1;
        }
        if (opts.languages && !opts.languages.includes(lang)) undeclared.push({ split: name, line: e.line, language: lang });
      });
    }
    report.languages = { counts, perLabel, undeclared };
    if (undeclared.length)
      warnings.push(
        `${undeclared.length} row(s) are in languages the task does not declare (${[...new Set(undeclared.map((u) => u.language))].join(', ')}).`,
      );
  }
  if (report.conflicts.length)
    warnings.push(`${report.conflicts.length} text(s) appear with different labels: decide on one label or remove them.`);
  if (report.leakage.length)
    warnings.push(
      `${report.leakage.length} text(s) appear in more than one split: test scores will be inflated; remove them from one side.`,
    );
  if (report.duplicates.length) warnings.push(`${report.duplicates.length} text(s) are duplicated within a split.`);
  if (report.empty.length) warnings.push(`${report.empty.length} row(s) have no text left after normalising.`);
  if (report.length?.overLimit.length)
    warnings.push(`${report.length.overLimit.length} row(s) exceed ${report.length.maxTokens} tokens and will be truncated.`);
  if (report.imbalance.ratio >= 3) {
    warnings.push(
      `classes are imbalanced: "${report.imbalance.largest}" has ${report.imbalance.ratio.toFixed(1)}× the examples of "${report.imbalance.smallest}"; prefer macro-F1 and consider class weights.`,
    );
  }
  return report;
}

/** The report as terminal text, warnings first. */
export function formatReport(r: DataReport): string {
  const out: string[] = r.warnings.map((w) => `warning: ${w}`);
  if (out.length) out.push('');
  const width = Math.max(5, ...r.labels.map((l) => l.length));
  out.push(`${'label'.padEnd(width)}  ${r.splits.map((s) => s.name.padStart(14)).join('')}`);
  for (const l of r.labels) {
    out.push(
      `${l.padEnd(width)}  ${r.splits.map((s) => `${s.perLabel[l] ?? 0} (${pct(s.perLabel[l] ?? 0, s.rows)})`.padStart(14)).join('')}`,
    );
  }
  out.push(`${'total'.padEnd(width)}  ${r.splits.map((s) => String(s.rows).padStart(14)).join('')}`);
  out.push(`${'hash'.padEnd(width)}  ${r.splits.map((s) => s.hash.slice(0, 12).padStart(14)).join('')}`);
  out.push('');
  out.push(
    `duplicates: ${r.duplicates.length}, conflicting duplicates: ${r.conflicts.length}, leaked across splits: ${r.leakage.length}, empty: ${r.empty.length}`,
  );
  for (const c of r.conflicts.slice(0, 5))
    out.push(`  conflict (${c.split} lines ${c.lines.join(', ')}: ${c.labels.join(' vs ')}): ${c.text}`);
  for (const l of r.leakage.slice(0, 5))
    out.push(`  leak (${l.splits[0]} ${l.lines[0].join(',')} / ${l.splits[1]} ${l.lines[1].join(',')}): ${l.text}`);
  if (r.length) {
    const p = r.length.percentiles;
    out.push(
      `tokens per text: median ${p.p50}, p90 ${p.p90}, p99 ${p.p99}, max ${p.max}${r.length.maxTokens ? `; over ${r.length.maxTokens}: ${r.length.overLimit.length}` : ''}`,
    );
  }
  out.push(`imbalance: ${r.imbalance.largest} / ${r.imbalance.smallest} = ${r.imbalance.ratio.toFixed(2)}`);
  if (r.languages) {
    const langs = Object.entries(r.languages.counts).sort((a, b) => b[1] - a[1]);
    out.push(`languages: ${langs.map(([l, n]) => `${l} ${n}`).join(', ')}`);
  }
  return out.join('\n');
}

function pct(n: number, total: number): string {
  return `${total ? Math.round((100 * n) / total) : 0}%`;
}
