// Verbalizers: the words that stand for each label at the answer slot, optionally per language.
import { z } from 'zod';
import { PromptError } from './errors.js';

const words = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

/** label → words, or label → { language → words } (with "*" as the fallback language). */
export const verbalizerSchema = z.record(z.string().min(1), z.union([words, z.record(z.string().min(1), words)]));

/** A verbalizer as written in a prompt. */
export type Verbalizer = z.infer<typeof verbalizerSchema>;

const asList = (w: string | string[]): string[] => (typeof w === 'string' ? [w] : w);

/** The words for `label` in `language` (falling back to "*", then to the first language given). */
export function labelWords(v: Verbalizer, label: string, language?: string): string[] {
  const entry = v[label];
  if (entry === undefined)
    throw new PromptError('PROMPT_VERBALIZER', `verbalizer: no words for label "${label}": add e.g. ${label}: [word]`);
  if (typeof entry === 'string' || Array.isArray(entry)) return asList(entry);
  const pick = (language && entry[language]) ?? entry['*'] ?? Object.values(entry)[0];
  return asList(pick as string | string[]);
}

/** Checks that every label has words and no label outside the task is named. */
export function checkVerbalizer(v: Verbalizer, labels: readonly string[]): void {
  const missing = labels.filter((l) => v[l] === undefined);
  const extra = Object.keys(v).filter((l) => !labels.includes(l));
  if (missing.length || extra.length) {
    const parts = [
      missing.length ? `no words for ${missing.map((l) => `"${l}"`).join(', ')}` : '',
      extra.length ? `${extra.map((l) => `"${l}"`).join(', ')} ${extra.length > 1 ? 'are' : 'is'} not a label of the task` : '',
    ].filter(Boolean);
    throw new PromptError('PROMPT_VERBALIZER', `verbalizer: ${parts.join('; ')} (labels: ${labels.join(', ')}).`);
  }
}

/** Parses "label=word1|word2" command-line specs into a verbalizer. */
export function parseVerbalizerSpecs(specs: readonly string[]): Verbalizer {
  const v: Verbalizer = {};
  for (const spec of specs) {
    const i = spec.indexOf('=');
    if (i <= 0 || i === spec.length - 1) {
      throw new PromptError(
        'PROMPT_VERBALIZER',
        `verbalizer "${spec}": write label=word, or label=word1|word2 for several words`,
      );
    }
    v[spec.slice(0, i).trim()] = spec
      .slice(i + 1)
      .split('|')
      .map((w) => w.trim())
      .filter(Boolean);
  }
  return v;
}
