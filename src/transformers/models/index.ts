// Public API of the model families: load, build, run and save Hugging Face encoder checkpoints.
export { type EncoderConfig, type ModelConfig, readConfigJson } from './config.js';
export { ModelError, type ModelErrorCode } from './errors.js';
export {
  type HeadKind,
  HEAD_KINDS,
  type ModelInputs,
  type ForwardOptions,
  type ModelOutput,
  type EncoderBody,
  TransformerModel,
} from './model.js';
export { type Pooling, type PoolOptions, pool } from './pooling.js';
export { type ModelFamily, SUPPORTED_MODEL_TYPES, familyFor, headFromArchitectures } from './registry.js';
export { type LoadModelOptions, type ModelLoadReport, type LoadedModel, createModel, loadModel } from './load.js';
export { type SaveModelOptions, saveModel, configJson } from './save.js';
export { WEIGHTS_FILE, WEIGHTS_INDEX_FILE, indexCheckpoint } from './weights-files.js';
export { initWeights } from './init.js';
