// The SetFit recipe: contrastive pairs fine-tune the sentence encoder first, then the encoder is frozen and a
// linear head is trained on its embeddings with its own learning rate and epochs; the head is saved beside the model.
import { type Recipe, saveSetFitHead, setfitRecipe, trainSetFitEncoder } from '../../../core/train/index.js';
import { etaClock } from '../../progress.js';
import type { RecipePolicy } from './policy.js';

/** SetFit: the pair phase, then the head on frozen embeddings. */
export const setfitPolicy: RecipePolicy = {
  head: 'base',
  async build(project, spec, _train, labels, hiddenSize) {
    const recipe = setfitRecipe(hiddenSize, labels, spec.template ? { template: spec.template } : {});
    return {
      recipe: recipe as Recipe<unknown>,
      setfitHead: recipe.head,
      prompts: [],
      multiLabel: project.loaded.task.type === 'multi-label',
      labelOffsets: () => undefined,
    };
  },
  beforeLoop(p, train, spec, emit) {
    // Seeded, so a resumed run recomputes the same encoder; then the encoder is frozen.
    const eta = etaClock();
    trainSetFitEncoder(p, train, {
      iterations: spec.setfitIterations,
      batchSize: spec.batchSize,
      learningRate: spec.learningRate,
      seed: spec.seed,
      maxLength: spec.maxLength,
      ...(spec.template ? { template: spec.template } : {}),
      onStep: (step, total, loss) => emit({ type: 'step', phase: 'pairs', step, total, loss, etaSeconds: eta(step, total) }),
    });
    emit({ type: 'phase-end', phase: 'pairs' });
    for (const t of p.model.parameters()) t.requiresGrad_(false);
    return [];
  },
  loopConfig: (spec) => ({ ...spec, learningRate: spec.headLearningRate, epochs: spec.headEpochs }),
  save(modelDir, r) {
    if (r.setfitHead) saveSetFitHead(modelDir, r.setfitHead);
  },
  meta: (spec) => (spec.template ? { template: spec.template } : {}),
};
