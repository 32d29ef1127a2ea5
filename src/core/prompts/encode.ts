// Encoding a prompt for a model: render, tokenize, map every token to its template part, and when the result is
// too long cut only the inputs (longest first), never the instruction, question, mask or prompt tokens.
import type { Tokenizer } from '../../transformers/index.js';
import { PromptError } from './errors.js';
import { type PartSpan, type RenderTokens, renderPrompt } from './render.js';
import type { CheckedPrompt } from './spec.js';

/** A prompt as the model sees it. */
export interface EncodedPrompt {
  ids: number[];
  attentionMask: number[];
  typeIds: number[];
  /** Token indices of the answer slot's mask token(s). */
  maskPositions: number[];
  /** Template part index of each token; null for tokens the tokenizer added ([CLS], [SEP]). */
  tokenParts: (number | null)[];
  offsets: [number, number][];
  tokens: string[];
  text: string;
  spans: PartSpan[];
  /** Inputs shortened to fit maxLength: how many characters of which field were cut. */
  truncated: { field: string; removedChars: number }[];
}

/** Options of encodePrompt. */
export interface EncodePromptOptions {
  /** Longest encoding allowed (default: the tokenizer's model_max_length, else 512). */
  maxLength?: number;
  /** Mask tokens at the answer slot (multi-token label words need several). */
  maskCount?: number;
}

/** The tokenizer's mask and separator tokens, or a clear error when it has no mask token. */
export function renderTokens(tokenizer: Tokenizer, maskCount = 1): RenderTokens {
  const { mask, sep, eos } = tokenizer.specialTokens;
  if (!mask) {
    throw new PromptError(
      'PROMPT_INVALID',
      'this tokenizer has no mask token: prompt templates need a masked-LM tokenizer (BERT, RoBERTa, XLM-R, DistilBERT).',
    );
  }
  return { mask, sep: sep ?? eos ?? '', maskCount };
}

/** Encodes one example with a prompt, truncating inputs (longest first) to fit. */
export function encodePrompt(
  prompt: CheckedPrompt,
  inputs: Readonly<Record<string, string>>,
  tokenizer: Tokenizer,
  opts: EncodePromptOptions = {},
): EncodedPrompt {
  const maxLength = opts.maxLength ?? tokenizer.modelMaxLength ?? 512;
  const tokens = renderTokens(tokenizer, opts.maskCount);
  const current: Record<string, string> = { ...inputs };
  const truncated = new Map<string, number>();
  // Each pass cuts the longest input by what overflows; re-tokenising can shift a token at the cut, so a few
  // passes may be needed. The bound only guards against a tokenizer that never converges.
  for (let pass = 0; pass < 16; pass++) {
    const rendered = renderPrompt(prompt.parts, current, tokens);
    const enc = tokenizer.encode(rendered.text, null, { truncation: false, padding: false });
    const tokenParts = enc.offsets.map(([s, e], i) => (enc.specialTokensMask[i] ? null : partAt(rendered.spans, s, e)));
    const excess = enc.ids.length - maxLength;
    if (excess <= 0) {
      const maskId = tokenizer.tokenToId(tokens.mask);
      const maskPart = prompt.parts.findIndex((p) => p.role === 'mask');
      const maskPositions = enc.ids.flatMap((id, i) => (id === maskId && tokenParts[i] === maskPart ? [i] : []));
      return {
        ids: enc.ids,
        attentionMask: enc.attentionMask,
        typeIds: enc.typeIds,
        maskPositions,
        tokenParts,
        offsets: enc.offsets,
        tokens: enc.tokens,
        text: rendered.text,
        spans: rendered.spans,
        truncated: [...truncated].map(([field, removedChars]) => ({ field, removedChars })),
      };
    }
    const longest = longestInput(rendered.spans, tokenParts);
    if (!longest || longest.tokens === 0) {
      throw new PromptError(
        'PROMPT_TOO_LONG',
        `the template alone takes ${enc.ids.length} tokens, more than maxLength ${maxLength}: shorten the instruction/question or raise maxLength.`,
      );
    }
    // Keep the input's first (tokens - excess) tokens: cut at the start offset of the first token to drop.
    const inputTokens = enc.offsets.filter((_, i) => tokenParts[i] === longest.span.part);
    const keep = Math.max(0, inputTokens.length - excess);
    const cutAt = keep === 0 ? longest.span.start : (inputTokens[keep]?.[0] ?? longest.span.end);
    const field = longest.span.field as string;
    const value = current[field] as string;
    const next = value.slice(0, Math.max(0, cutAt - longest.span.start)).trimEnd();
    truncated.set(field, (truncated.get(field) ?? 0) + value.length - next.length);
    current[field] = next;
  }
  throw new PromptError('PROMPT_TOO_LONG', `could not fit the prompt into ${maxLength} tokens.`);
}

/**
 * The part whose span holds the token [s, e), judged by its last character: tokens that absorb the space before
 * them (RoBERTa's " <mask>", "Ġword") belong to what follows the space.
 */
function partAt(spans: readonly PartSpan[], s: number, e: number): number | null {
  const at = e > s ? e - 1 : s;
  for (const span of spans) if (at >= span.start && at < span.end) return span.part;
  return null;
}

/** The input span with the most tokens (ties: the first), with its token count. */
function longestInput(
  spans: readonly PartSpan[],
  tokenParts: readonly (number | null)[],
): { span: PartSpan; tokens: number } | undefined {
  let best: { span: PartSpan; tokens: number } | undefined;
  for (const span of spans) {
    if (span.role !== 'input') continue;
    const n = tokenParts.filter((p) => p === span.part).length;
    if (!best || n > best.tokens) best = { span, tokens: n };
  }
  return best;
}
