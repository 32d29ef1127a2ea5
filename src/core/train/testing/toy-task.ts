// A small learnable task for training tests: reviews whose label depends only on the adjective, and the
// complete tiny XLM-R checkpoint re-initialised as transformers would (its random fixture weights train poorly).
import { manualSeed } from '../../../engine/index.js';
import { seededRandom } from '../../../shared/index.js';
import { type Pretrained, initWeights, loadPretrainedDir } from '../../../transformers/index.js';
import { type CheckedPrompt, checkPrompt } from '../../prompts/index.js';
import type { TrainExample } from '../recipe.js';

export const TOY_MODEL = new URL('../../../transformers/models/__fixtures__/tiny-xlmr-with-tokenizer', import.meta.url).pathname;
export const TOY_LABELS = ['great', 'other'];
const GOOD = ['great', 'lovely', 'perfect', 'tasty', 'fresh', 'excellent'];
const BAD = ['awful', 'stale', 'broken', 'bland', 'terrible', 'soggy'];
const THINGS = ['tea', 'coffee', 'cookies', 'pasta', 'honey', 'rice', 'soup', 'bread'];

/** `n` seeded reviews; label 0 = great, 1 = other. */
export function toyReviews(n: number, seed: number): TrainExample[] {
  const r = seededRandom(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)] as T;
  return Array.from({ length: n }, () => {
    const label = r() < 0.5 ? 0 : 1;
    return { inputs: { text: `The ${pick(THINGS)} was ${pick(label === 0 ? GOOD : BAD)}.` }, label };
  });
}

/** The toy model with the given head, freshly initialised from seed 0. */
export function toyModel(head: 'masked-lm' | 'sequence-classification' | 'base'): Pretrained {
  manualSeed(0);
  const p = loadPretrainedDir(TOY_MODEL, head === 'sequence-classification' ? { head, labels: TOY_LABELS } : { head });
  initWeights(p.model, 0.02, p.model.config.padTokenId);
  return p;
}

/** The toy model with a classification head for `labels`, freshly initialised from seed 0. */
export function toyModelWithLabels(labels: readonly string[]): Pretrained {
  manualSeed(0);
  const p = loadPretrainedDir(TOY_MODEL, { head: 'sequence-classification', labels: [...labels] });
  initWeights(p.model, 0.02, p.model.config.padTokenId);
  return p;
}

/** The toy task's prompt: "<text> All in all, it was <mask>." with great / bad. */
export function toyPrompt(): CheckedPrompt {
  return checkPrompt(
    { template: '{text} All in all, it was {mask}.', verbalizer: { great: 'great', other: 'bad' } },
    { inputs: [{ name: 'text' }], labels: [{ name: 'great' }, { name: 'other' }] },
  );
}

export const TOY_MULTI_LABELS = ['positive', 'drink', 'cheap'];
const DRINKS = ['tea', 'coffee', 'juice', 'milk'];
const FOODS = ['cookies', 'pasta', 'rice', 'bread'];

/**
 * Multi-label toy reviews, each label with its own evidence: "positive" from the adjective, "drink" from the
 * noun, "cheap" from the price sentence. `seen` says which label combinations may appear.
 */
export function toyMultiLabel(n: number, seed: number, seen: (targets: number[]) => boolean = () => true): TrainExample[] {
  const r = seededRandom(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const out: TrainExample[] = [];
  while (out.length < n) {
    const targets = [r() < 0.5 ? 1 : 0, r() < 0.5 ? 1 : 0, r() < 0.5 ? 1 : 0];
    if (!seen(targets)) continue;
    const [positive, drink, cheap] = targets;
    const text = `The ${pick(drink ? DRINKS : FOODS)} was ${pick(positive ? GOOD : BAD)}. It was ${cheap ? 'cheap' : 'pricey'}.`;
    out.push({ inputs: { text }, label: Math.max(0, targets.indexOf(1)), targets });
  }
  return out;
}
