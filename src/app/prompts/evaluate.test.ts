// Zero-shot evaluation in the app layer by label descriptions (no prompt), and the input rules that keep the two
// methods apart.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openProject } from '../project.js';
import { reviewTaskDir } from '../testing.js';
import { evaluatePrompts, promptEvalInputSchema } from './evaluate.js';

const dir = reviewTaskDir('pt-prompt-eval-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('evaluatePrompts', () => {
  it('scores by label descriptions and records the evaluation with its method and split', async () => {
    const project = await openProject({ task: join(dir, 'promptune.yaml'), cwd: dir });
    try {
      const seen: number[] = [];
      const r = await evaluatePrompts(
        project,
        { method: 'similarity', limit: 24 },
        { onProgress: (e) => e.type === 'examples' && seen.push(e.done) },
      );
      expect(r.versions).toEqual([]);
      expect(r.metrics.n).toBe(24);
      expect(seen.at(-1)).toBe(24);
      const stored = await project.store.evaluations.get(r.evaluation.id);
      expect(stored).toMatchObject({ kind: 'zero-shot', details: { method: 'similarity', split: 'test' } });
      expect(stored.metrics['macro-f1']).toBeCloseTo(r.metrics.macroF1, 12);
    } finally {
      await project.close();
    }
  });

  it('needs a prompt for the masked-LM method and refuses one for the similarity method, naming the field', () => {
    const paths = (input: unknown) =>
      promptEvalInputSchema.safeParse(input).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(paths({})).toEqual(['prompts: give at least one prompt (or method "similarity")']);
    expect(paths({ method: 'similarity', prompts: ['cloze'] })).toEqual([
      'prompts: method "similarity" uses the label descriptions, not prompts',
    ]);
    expect(paths({ prompts: ['cloze'] })).toBeUndefined();
  });
});
