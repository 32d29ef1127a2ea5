// The template language. A template is a sequence of parts with the roles practitioners talk about:
// context/instruction, input slots, the question or statement, the answer (mask) slot, the response format
// after it, and learned prompt tokens. Written as one string — "{text} All in all, it was {mask}." — where
// plain text takes its role from where it stands.
import { PromptError } from './errors.js';

/** What a part of a rendered prompt is, for highlighting and token accounting. */
export type PartRole = 'instruction' | 'input' | 'question' | 'mask' | 'format' | 'prompt-tokens' | 'separator';

/** One part of a template. */
export type TemplatePart =
  | { role: 'instruction' | 'question' | 'format'; text: string }
  | { role: 'input'; field: string }
  | { role: 'mask' }
  | { role: 'prompt-tokens'; count: number }
  | { role: 'separator' };

// {field} | {mask} | {sep} | {soft} | {soft:N}; "{{" and "}}" are literal braces.
const SLOT = /\{\{|\}\}|\{([^{}]*)\}/g;

/** Parses a template string into parts, checking slots against the task's input fields. */
export function parseTemplate(source: string, fields: readonly string[]): TemplatePart[] {
  const raw: (TemplatePart | { role: 'text'; text: string })[] = [];
  let last = 0;
  let text = '';
  const flush = (): void => {
    if (text) raw.push({ role: 'text', text });
    text = '';
  };
  const literal = (from: number, to: number): void => {
    const chunk = source.slice(from, to);
    const stray = chunk.search(/[{}]/);
    if (stray >= 0) throw syntax(source, from + stray, 'unbalanced brace: write {{ or }} for a literal brace');
    text += chunk;
  };
  for (const m of source.matchAll(SLOT)) {
    literal(last, m.index as number);
    last = (m.index as number) + m[0].length;
    if (m[0] === '{{' || m[0] === '}}') {
      text += m[0][0];
      continue;
    }
    flush();
    const slot = (m[1] as string).trim();
    const soft = /^soft(?::(\d+))?$/.exec(slot);
    if (slot === 'mask') raw.push({ role: 'mask' });
    else if (slot === 'sep') raw.push({ role: 'separator' });
    else if (soft) {
      const count = Number(soft[1] ?? 1);
      if (count < 1 || count > 50) throw syntax(source, m.index as number, `{${slot}}: use 1 to 50 prompt tokens`);
      raw.push({ role: 'prompt-tokens', count });
    } else if (fields.includes(slot)) raw.push({ role: 'input', field: slot });
    else {
      throw syntax(
        source,
        m.index as number,
        `unknown slot {${slot}}: use one of ${[...fields.map((f) => `{${f}}`), '{mask}', '{sep}', '{soft:N}'].join(', ')}`,
      );
    }
  }
  literal(last, source.length);
  flush();
  const masks = raw.filter((p) => p.role === 'mask').length;
  if (masks !== 1) throw syntax(source, 0, `a template needs exactly one {mask} (the answer slot), found ${masks}`);
  if (!raw.some((p) => p.role === 'input'))
    throw syntax(source, 0, `a template needs at least one input slot (${fields.map((f) => `{${f}}`).join(', ')})`);
  // Plain text takes its role from its place: before the first input it instructs, between the inputs and the
  // answer it asks, after the answer it fixes the response format.
  const firstInput = raw.findIndex((p) => p.role === 'input');
  const mask = raw.findIndex((p) => p.role === 'mask');
  return raw.map((p, i) => {
    if (p.role !== 'text') return p;
    const role = i < firstInput ? 'instruction' : i > mask ? 'format' : 'question';
    return { role, text: p.text };
  });
}

/** The template written back as a string (parseTemplate's inverse). */
export function formatTemplate(parts: readonly TemplatePart[]): string {
  return parts
    .map((p) => {
      switch (p.role) {
        case 'input':
          return `{${p.field}}`;
        case 'mask':
          return '{mask}';
        case 'separator':
          return '{sep}';
        case 'prompt-tokens':
          return p.count === 1 ? '{soft}' : `{soft:${p.count}}`;
        default:
          return p.text.replaceAll('{', '{{').replaceAll('}', '}}');
      }
    })
    .join('');
}

function syntax(source: string, at: number, why: string): PromptError {
  const caret = `${' '.repeat(Math.max(0, at) + 4)}^`;
  return new PromptError('PROMPT_SYNTAX', `template: ${why}\n    ${source}\n${caret}`);
}
