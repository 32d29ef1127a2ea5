// Process-wide engine settings: seeds, threads, build information and memory counters.
import { native } from './native.js';
import { Tensor } from './tensor.js';

/** Seeds every random generator of the engine (same seed → same random tensors and dropout masks). */
export function manualSeed(seed: number): void {
  native.manualSeed(seed);
}

/** The random generator's state (a uint8 tensor the caller owns), for checkpoints. */
export function getRngState(): Tensor {
  return new Tensor(native.getRngState());
}

/** Restores a state from getRngState(): the next random draws repeat those that followed it. */
export function setRngState(state: Tensor): void {
  native.setRngState(state.handle);
}

/** Sets the intra-op thread count for this thread's engine work. */
export function setNumThreads(n: number): void {
  native.setNumThreads(n);
}

/** The intra-op thread count of this thread's engine work. */
export function getNumThreads(): number {
  return native.getNumThreads();
}

/** Which libtorch, BLAS and parallel backend this process runs on. */
export interface EngineInfo {
  torchVersion: string;
  blas: string;
  cuda: boolean;
  threads: number;
  parallel: string;
  config: string;
}

/** Describes the libtorch build, BLAS, CUDA availability and threads in use. */
export function engineInfo(): EngineInfo {
  const i = native.info();
  return { ...i, threads: native.getNumThreads() };
}

/** Whether a CUDA device can be used by this build. */
export function cudaAvailable(): boolean {
  return native.info().cuda;
}

/** Live native tensors and C-heap bytes in use: what a leak test watches. */
export function memoryStats(): { liveTensors: number; nativeHeapBytes: number } {
  return { liveTensors: native.liveTensors(), nativeHeapBytes: native.nativeHeapBytes() };
}

/**
 * Returns the C heap's free pages to the system (glibc malloc_trim). Tensors of changing shapes leave free space
 * inside the heap that glibc keeps; long runs call this every few steps so resident memory stays steady.
 */
export function trimNativeHeap(): boolean {
  return native.trimNativeHeap();
}

let lastTrim = 0;
// For bench:memory's comparison run only.
const trimDisabled = process.env.PROMPTUNE_NO_HEAP_TRIM === '1';

/** trimNativeHeap at most once per `minIntervalMs` (cheap to call after every step or batch). */
export function maybeTrimNativeHeap(minIntervalMs = 2000): void {
  const now = performance.now();
  if (trimDisabled || now - lastTrim < minIntervalMs) return;
  lastTrim = now;
  native.trimNativeHeap();
}
