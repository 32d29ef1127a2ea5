// Loads the native addon once per thread and describes its surface for TypeScript.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Id of a tensor in the addon's per-thread table (a plain number; generation-checked, so stale ids fail). */
export type NativeTensor = number & { readonly __tensorId: unique symbol };

/** Opaque optimiser handle (libtorch AdamW / SGD). */
export interface NativeOptimizer {
  step(): void;
  zeroGrad(): void;
  setLr(lr: number, group?: number): void;
  getLr(group?: number): number;
  state(): ({ step: number; tensors: NativeTensor[] } | null)[];
  loadState(entries: ({ step: number; tensors: NativeTensor[] } | null)[]): void;
  dispose(): void;
}

type T = NativeTensor;
type Scalar = number | boolean;
type TS = T | Scalar;

/** Every function the addon exports; argument order mirrors the C++ sources in native/src. */
export interface NativeEngine {
  release(t: T): boolean;
  shape(t: T): number[];
  strides(t: T): number[];
  dtype(t: T): string;
  device(t: T): string;
  isContiguous(t: T): boolean;
  requiresGrad(t: T): boolean;
  isLeaf(t: T): boolean;
  storageOffset(t: T): number;
  storageId(t: T): number;
  fromBuffer(data: ArrayBufferView, shape: number[], dtype: string, device?: string): T;
  toBuffer(t: T): ArrayBuffer;
  dataView(t: T): ArrayBuffer;
  full(shape: number[], value: Scalar, dtype?: string, device?: string): T;
  empty(shape: number[], dtype?: string, device?: string): T;
  rand(shape: number[], dtype?: string, device?: string): T;
  randn(shape: number[], dtype?: string, device?: string): T;
  randint(low: number, high: number, shape: number[], dtype?: string, device?: string): T;
  arange(start: number, end: number, step: number, dtype?: string, device?: string): T;
  toDtype(t: T, dtype: string): T;
  toDevice(t: T, device: string): T;
  clone(t: T): T;
  contiguous(t: T): T;
  item(t: T): number | boolean;
  initInPlace(t: T, kind: string, a?: TS, b?: number): void;
  unary(op: string, t: T): T;
  binary(op: string, a: T, b: TS, bIsScalar: boolean): T;
  where(cond: T, a: TS, b: TS, aIsScalar: boolean, bIsScalar: boolean): T;
  maskedFill(t: T, mask: T, value: TS, valueIsScalar: boolean): T;
  clamp(t: T, min?: number, max?: number): T;
  reduce(op: string, t: T, dims?: number[], keepdim?: boolean): T;
  maxMinDim(op: 'max' | 'min', t: T, dim: number, keepdim: boolean): [T, T];
  argMaxMin(op: 'argmax' | 'argmin', t: T, dim?: number, keepdim?: boolean): T;
  topk(t: T, k: number, dim: number, largest: boolean, sorted: boolean): [T, T];
  sort(t: T, dim: number, descending: boolean): [T, T];
  matmul(a: T, b: T): T;
  bmm(a: T, b: T): T;
  linear(x: T, w: T, b?: T): T;
  reshape(t: T, shape: number[]): T;
  view(t: T, shape: number[]): T;
  permute(t: T, dims: number[]): T;
  transpose(t: T, a: number, b: number): T;
  cat(ts: T[], dim: number): T;
  stack(ts: T[], dim: number): T;
  narrow(t: T, dim: number, start: number, length: number): T;
  unsqueeze(t: T, dim: number): T;
  squeeze(t: T, dim?: number): T;
  expand(t: T, shape: number[]): T;
  repeat(t: T, reps: number[]): T;
  flatten(t: T, start: number, end: number): T;
  select(t: T, dim: number, index: number): T;
  slice(t: T, dim: number, start?: number, end?: number, step?: number): T;
  split(t: T, sizes: number | number[], dim: number): T[];
  gather(t: T, dim: number, index: T): T;
  indexSelect(t: T, dim: number, index: T): T;
  index(t: T, index: T): T;
  tril(t: T, diagonal: number): T;
  triu(t: T, diagonal: number): T;
  softmax(t: T, dim: number): T;
  logSoftmax(t: T, dim: number): T;
  layerNorm(x: T, shape: number[], w: T | undefined, b: T | undefined, eps: number): T;
  dropout(x: T, p: number, training: boolean): T;
  embedding(w: T, ids: T, paddingIdx?: number): T;
  crossEntropy(logits: T, target: T, weight: T | undefined, ignoreIndex: number, labelSmoothing: number, reduction: string): T;
  bceWithLogits(logits: T, target: T, posWeight: T | undefined, reduction: string): T;
  mseLoss(a: T, b: T, reduction: string): T;
  sdpa(q: T, k: T, v: T, mask: T | undefined, dropoutP: number, isCausal: boolean, scale?: number): T;
  backward(t: T, grad?: T, retainGraph?: boolean): void;
  grad(t: T): T | undefined;
  setRequiresGrad(t: T, flag: boolean): void;
  detach(t: T): T;
  setGradEnabled(flag: boolean): boolean;
  isGradEnabled(): boolean;
  zeroGrad(ts: T[]): void;
  clipGradNorm(ts: T[], maxNorm: number, normType: number): number;
  OptimizerHandle: new (
    kind: string,
    groups: { params: T[]; lr?: number; weightDecay?: number }[],
    options: Record<string, number | boolean | undefined>,
  ) => NativeOptimizer;
  manualSeed(seed: number): void;
  getRngState(): T;
  setRngState(state: T): void;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  info(): { torchVersion: string; config: string; parallel: string; blas: string; cuda: boolean };
  nativeHeapBytes(): number;
  liveTensors(): number;
  trimNativeHeap(): boolean;
  setAutocast(device: 'cpu' | 'cuda', dtype: string | null): void;
  getAutocast(device: 'cpu' | 'cuda'): string | null;
}

/** Where the addon is: PROMPTUNE_NATIVE_ADDON when set (a build elsewhere), else this package's native build. */
function addonPath(): string {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const path = process.env.PROMPTUNE_NATIVE_ADDON || join(root, 'native', 'build', 'Release', 'promptune_engine.node');
  if (!existsSync(path)) {
    throw new Error(
      `promptune: the native engine is not built (${path} is missing). Fix: run \`npm run build:native\` (or \`bash scripts/setup.sh\` on a fresh machine).`,
    );
  }
  return path;
}

function load(): NativeEngine {
  // OpenBLAS reads OPENBLAS_CORETYPE once, when libtorch pulls it in. Some hosts pin an old core type there,
  // which disables the AVX-512 kernels (measured 1.4x slower training); drop it unless asked to keep it.
  if (process.env.OPENBLAS_CORETYPE && !process.env.PROMPTUNE_KEEP_OPENBLAS_CORETYPE) {
    // biome-ignore lint/performance/noDelete: assigning undefined would set the string "undefined" in the environment.
    delete process.env.OPENBLAS_CORETYPE;
  }
  const require = createRequire(import.meta.url);
  const loaded = require(addonPath()) as NativeEngine;
  // OpenMP keeps the thread count per calling thread, so every thread that loads the addon sets it.
  const threads = Number(process.env.PROMPTUNE_THREADS ?? 0);
  loaded.setNumThreads(threads > 0 ? threads : availableParallelism());
  return loaded;
}

let addon: NativeEngine | undefined;

/**
 * The addon, loaded on first use in this thread, not on import: commands that compute nothing (help, init, data
 * import, jobs) run where no libtorch is installed, and the first tensor operation says how to build it.
 */
export const native: NativeEngine = new Proxy({} as NativeEngine, {
  get(_, key) {
    addon ??= load();
    return Reflect.get(addon, key);
  },
});
