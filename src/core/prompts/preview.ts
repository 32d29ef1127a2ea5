// What a prompt does to a real example, for people: the rendered text with each part highlighted, the tokens
// of each part with counts, and warnings when truncation cut into an input or the prompt leaves no room.
import type { EncodedPrompt } from './encode.js';
import type { PartRole } from './template.js';

// One colour per role so the parts stand out in a terminal (ANSI 256-colour backgrounds kept light).
const COLOURS: Record<PartRole, string> = {
  instruction: '\x1b[36m',
  input: '\x1b[0m',
  question: '\x1b[33m',
  mask: '\x1b[1;35m',
  format: '\x1b[32m',
  'prompt-tokens': '\x1b[1;34m',
  separator: '\x1b[2m',
};
const RESET = '\x1b[0m';

/** Token counts of one part of the template. */
export interface PartTokens {
  part: number;
  role: PartRole;
  field?: string;
  /** The part's text in the rendered prompt. */
  text: string;
  tokens: string[];
}

/** The preview as data: parts with their tokens, totals and warnings. */
export interface Preview {
  text: string;
  parts: PartTokens[];
  /** Tokens the tokenizer added around the text ([CLS], [SEP]). */
  specialTokens: number;
  total: number;
  maxLength: number;
  warnings: string[];
}

/** Groups an encoded prompt's tokens by template part and collects warnings. */
export function buildPreview(e: EncodedPrompt, maxLength: number): Preview {
  const parts: PartTokens[] = e.spans.map((s) => ({
    part: s.part,
    role: s.role,
    ...(s.field ? { field: s.field } : {}),
    text: e.text.slice(s.start, s.end),
    tokens: e.tokens.filter((_, i) => e.tokenParts[i] === s.part),
  }));
  const warnings: string[] = [];
  for (const t of e.truncated) {
    warnings.push(
      `"${t.field}" was cut by ${t.removedChars} characters to fit ${maxLength} tokens; the end of the input is not seen by the model.`,
    );
  }
  const promptTokens = parts.filter((p) => p.role !== 'input').reduce((n, p) => n + p.tokens.length, 0);
  if (promptTokens > maxLength / 2) {
    warnings.push(
      `the prompt itself takes ${promptTokens} of ${maxLength} tokens, leaving little room for the input: shorten the instruction.`,
    );
  }
  if (e.maskPositions.length === 0) warnings.push('no mask token survived tokenization: the model has nothing to answer.');
  return {
    text: e.text,
    parts,
    specialTokens: e.tokenParts.filter((p) => p === null).length,
    total: e.ids.length,
    maxLength,
    warnings,
  };
}

/** The preview as terminal text; `colour` adds ANSI highlighting of each part. */
export function formatPreview(p: Preview, colour = false): string {
  const paint = (role: PartRole, s: string): string => (colour ? `${COLOURS[role]}${s}${RESET}` : s);
  const lines = [
    ...p.warnings.map((w) => `warning: ${w}`),
    'Rendered:',
    `  ${p.parts.map((x) => paint(x.role, x.text)).join('')}`,
    '',
    'Parts:',
  ];
  const width = Math.max(...p.parts.map((x) => label(x).length));
  for (const x of p.parts) {
    const shown = x.tokens.length > 12 ? [...x.tokens.slice(0, 10), '…', ...x.tokens.slice(-2)] : x.tokens;
    lines.push(`  ${paint(x.role, label(x).padEnd(width))}  ${String(x.tokens.length).padStart(4)} tokens  ${shown.join(' ')}`);
  }
  lines.push(`  ${'special'.padEnd(width)}  ${String(p.specialTokens).padStart(4)} tokens`);
  lines.push(`Total: ${p.total} of ${p.maxLength} tokens.`);
  return lines.join('\n');
}

function label(x: PartTokens): string {
  return x.field ? `${x.role} {${x.field}}` : x.role;
}
