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

/** The toy task's prompt: "<text> All in all, it was <mask>." with great / bad. */
export function toyPrompt(): CheckedPrompt {
  return checkPrompt(
    { template: '{text} All in all, it was {mask}.', verbalizer: { great: 'great', other: 'bad' } },
    { inputs: [{ name: 'text' }], labels: [{ name: 'great' }, { name: 'other' }] },
  );
}
