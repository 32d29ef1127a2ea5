// Public API of training: configuration, the recipe seam, the two recipes and the loop.
export { type TrainConfig, trainConfigSchema, trainConfig } from './config.js';
export type { Recipe, TrainExample, BatchContext, RecipeScores } from './recipe.js';
export { type ClassificationBatch, classificationRecipe } from './recipes/classification.js';
export { type PromptBatch, type DemonstrationOptions, promptMlmRecipe } from './recipes/prompt-mlm.js';
export { ensembleRecipe } from './recipes/ensemble.js';
export {
  SETFIT_HEAD_FILE,
  type SetFitPair,
  type SetFitEncoderOptions,
  type SetFitBatch,
  setfitPairs,
  setfitText,
  cosineSimilarityLoss,
  trainSetFitEncoder,
  setfitRecipe,
  saveSetFitHead,
  loadSetFitHead,
} from './recipes/setfit.js';
export {
  type MaskedLmBatch,
  type MaskedLmOptions,
  type MaskedFeatures,
  maskedLmRecipe,
  freezeAllButMlmHead,
  cacheMaskedFeatures,
  featureRows,
  cachedHeadRecipe,
} from './recipes/masked-lm.js';
export {
  type Checkpoint,
  type LoopState,
  CheckpointError,
  listCheckpoints,
  readLatestCheckpoint,
  writeCheckpoint,
} from './checkpoint.js';
export {
  type StepLog,
  type EvalLog,
  type TrainResult,
  type TrainHooks,
  type CheckpointOptions,
  DivergedError,
  TrainStoppedError,
  trainModel,
  predictProbs,
  predictLogits,
} from './loop.js';
export {
  CLASSIFIER_FILE,
  type ClassifierMeta,
  type Classifier,
  type Prediction,
  classifierMetaSchema,
  ClassifierError,
  writeClassifierMeta,
  readClassifierMeta,
  recipeForMeta,
  loadClassifier,
  inputTokenCounter,
  classifierFrom,
  toPrediction,
} from './classifier.js';
export * from './monitor/index.js';
export * from './search/index.js';
