// Rendering a template with an example's inputs into text, remembering where each part landed so tokens can
// be traced back to parts (highlighting, token counts, truncating only the inputs).
import { PromptError } from './errors.js';
import type { PartRole, TemplatePart } from './template.js';

/** The model's special tokens as text, and how many mask tokens the answer slot expands to. */
export interface RenderTokens {
  mask: string;
  sep: string;
  /** Multi-token label words need as many masks as the longest word has tokens. */
  maskCount?: number;
}

/** Where a part sits in the rendered text, [start, end) in JS string indices. */
export interface PartSpan {
  role: PartRole;
  start: number;
  end: number;
  /** The input field, for input parts. */
  field?: string;
  /** Index of the part in the template. */
  part: number;
}

/** A rendered prompt. */
export interface RenderedPrompt {
  text: string;
  spans: PartSpan[];
}

/** The names of the learned prompt tokens a template uses: [P0], [P1], ... in order. */
export function promptTokenNames(parts: readonly TemplatePart[]): string[] {
  const n = parts.reduce((s, p) => s + (p.role === 'prompt-tokens' ? p.count : 0), 0);
  return Array.from({ length: n }, (_, i) => `[P${i}]`);
}

/** Renders parts with `inputs` (field → text). */
export function renderPrompt(
  parts: readonly TemplatePart[],
  inputs: Readonly<Record<string, string>>,
  tokens: RenderTokens,
): RenderedPrompt {
  let text = '';
  let soft = 0;
  const spans: PartSpan[] = [];
  parts.forEach((p, part) => {
    const start = text.length;
    let piece: string;
    switch (p.role) {
      case 'input': {
        const value = inputs[p.field];
        if (value === undefined) {
          throw new PromptError(
            'PROMPT_INVALID',
            `the example has no "${p.field}" field (it has ${Object.keys(inputs).join(', ')}).`,
          );
        }
        piece = value;
        break;
      }
      case 'mask':
        piece = Array.from({ length: tokens.maskCount ?? 1 }, () => tokens.mask).join('');
        break;
      case 'separator':
        piece = tokens.sep;
        break;
      case 'prompt-tokens':
        piece = Array.from({ length: p.count }, () => `[P${soft++}]`).join('');
        break;
      default:
        piece = p.text;
    }
    text += piece;
    if (piece.length)
      spans.push({ role: p.role, start, end: text.length, part, ...(p.role === 'input' ? { field: p.field } : {}) });
  });
  return { text, spans };
}
