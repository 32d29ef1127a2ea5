// LM-BFF's demonstrations in context: after the example's own prompt, one filled-in example per label is
// appended — the same template with the label's word where the mask was — so the model sees what each answer
// looks like. Demonstrations are drawn from the training set with a seed; an example never demonstrates itself.
import { seededRandom } from '../../shared/index.js';
import type { CheckedPrompt } from './spec.js';
import type { TemplatePart } from './template.js';
import { labelWords } from './verbalizer.js';

/** A labelled example that can be shown as a demonstration. */
export interface Demonstration {
  inputs: Readonly<Record<string, string>>;
  /** Index into the label list. */
  label: number;
}

/** The prompt with `demos` appended (one per entry, in order) and the inputs to render it with. */
export function withDemonstrations(
  prompt: CheckedPrompt,
  inputs: Readonly<Record<string, string>>,
  demos: readonly Demonstration[],
  labels: readonly string[],
  language?: string,
): { prompt: CheckedPrompt; inputs: Record<string, string> } {
  const parts: TemplatePart[] = [...prompt.parts];
  const merged: Record<string, string> = { ...inputs };
  demos.forEach((d, j) => {
    parts.push({ role: 'separator' });
    for (const p of prompt.parts) {
      // Learned prompt tokens belong to the example's own prompt; a demonstration shows plain text.
      if (p.role === 'prompt-tokens') continue;
      if (p.role === 'mask') {
        const word = labelWords(prompt.verbalizer, labels[d.label] as string, language)[0] as string;
        parts.push({ role: 'format', text: word });
      } else if (p.role === 'input') {
        const field = `demo${j}:${p.field}`;
        merged[field] = d.inputs[p.field] ?? '';
        parts.push({ role: 'input', field });
      } else parts.push(p);
    }
  });
  return { prompt: { ...prompt, parts }, inputs: merged };
}

/** One demonstration per label for the example at `index`, drawn from `pool` with `seed` (never the example itself). */
export function sampleDemonstrations(
  pool: readonly Demonstration[],
  labelCount: number,
  seed: number,
  exclude?: Demonstration,
): Demonstration[] {
  const rand = seededRandom(seed);
  const out: Demonstration[] = [];
  for (let label = 0; label < labelCount; label++) {
    const candidates = pool.filter((d) => d.label === label && d !== exclude);
    if (candidates.length) out.push(candidates[Math.floor(rand() * candidates.length)] as Demonstration);
  }
  return out;
}
