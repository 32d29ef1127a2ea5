import { describe, expect, it } from 'vitest';
import { sampleDemonstrations, withDemonstrations } from './demonstrations.js';
import { renderPrompt } from './render.js';
import { checkPrompt } from './spec.js';

const task = { inputs: [{ name: 'text' }], labels: [{ name: 'pos' }, { name: 'neg' }] };
const prompt = checkPrompt(
  { template: '{soft:2}{text} It was {mask}.', verbalizer: { pos: 'great', neg: ['bad', 'awful'] } },
  task,
);
const pool = [
  { inputs: { text: 'Lovely tea.' }, label: 0 },
  { inputs: { text: 'Fresh bread.' }, label: 0 },
  { inputs: { text: 'Stale rice.' }, label: 1 },
];

describe('demonstrations', () => {
  it('appends one filled-in example per label after a separator, with the label word in the mask slot', () => {
    const x = withDemonstrations(prompt, { text: 'Tasty soup.' }, [pool[0], pool[2]] as typeof pool, ['pos', 'neg']);
    const r = renderPrompt(x.prompt.parts, x.inputs, { mask: '[MASK]', sep: '[SEP]' });
    // Prompt tokens stay with the example's own prompt; the first word of a label stands for it.
    expect(r.text).toBe('[P0][P1]Tasty soup. It was [MASK].[SEP]Lovely tea. It was great.[SEP]Stale rice. It was bad.');
    expect(r.spans.filter((s) => s.role === 'input').map((s) => s.field)).toEqual(['text', 'demo0:text', 'demo1:text']);
  });

  it('samples one per label with a seed and never the example itself', () => {
    const a = sampleDemonstrations(pool, 2, 7);
    expect(a.map((d) => d.label)).toEqual([0, 1]);
    expect(sampleDemonstrations(pool, 2, 7)).toEqual(a);
    for (let seed = 0; seed < 20; seed++) expect(sampleDemonstrations(pool, 2, seed, pool[0])[0]).toBe(pool[1]);
    // A label with no other example is left out rather than repeated.
    expect(sampleDemonstrations(pool, 2, 3, pool[2]).map((d) => d.label)).toEqual([0]);
  });
});
