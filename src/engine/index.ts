// Public API of the engine layer: tensors, ops, autograd, nn building blocks, optimisers, safetensors, workers.
export { type DType, type Device, type TypedArrayFor, type AnyTypedArray, DTYPES, DTYPE_SIZE } from './dtype.js';
export { type EngineError, type EngineErrorCode, isEngineError } from './errors.js';
export { Tensor, type Scalar, type NestedArray, type ValuesIndices } from './tensor.js';
export {
  type TensorOptions,
  tensor,
  fromBytes,
  scalar,
  full,
  zeros,
  ones,
  empty,
  rand,
  randn,
  randint,
  arange,
  cat,
  stack,
  where,
} from './factories.js';
export * as F from './functional.js';
export { noGrad, isGradEnabled, zeroGrad, clipGradNorm } from './autograd.js';
export { tidy, keep, dispose, scopeDepth, type Disposable } from './scope.js';
export {
  manualSeed,
  getRngState,
  setRngState,
  setNumThreads,
  getNumThreads,
  engineInfo,
  cudaAvailable,
  memoryStats,
  trimNativeHeap,
  maybeTrimNativeHeap,
  type EngineInfo,
} from './runtime.js';
export { Module, ModuleList, type LoadReport } from './nn/module.js';
export { Linear, Embedding, LayerNorm, Dropout } from './nn/layers.js';
export {
  Optimizer,
  AdamW,
  SGD,
  type ParamState,
  type ParamGroup,
  type AdamWOptions,
  type SGDOptions,
} from './optim/optimizer.js';
export { type Schedule, constantWithWarmup, linearWithWarmup, cosineWithWarmup, LrScheduler } from './optim/schedules.js';
export {
  loadSafetensors,
  saveSafetensors,
  readSafetensorsHeader,
  parseHeader as parseSafetensorsHeader,
  type SafetensorsEntry,
  type SafetensorsHeader,
} from './safetensors.js';
export {
  PRECISION_SETTINGS,
  type Precision,
  type PrecisionSetting,
  autocast,
  autocastDtype,
  cpuHasFastBf16,
  resolvePrecision,
} from './precision.js';
export { EngineWorker, type EngineWorkerOptions, siblingModule } from './worker.js';
