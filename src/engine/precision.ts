// Mixed precision: run a region under libtorch's autocast (PyTorch's own cast policy: matmuls and linears in
// bf16/fp16, losses and the ops it keeps in fp32 in fp32), with fp32 weights and optimiser state outside it, and
// `auto` choosing bf16 only where the hardware runs it fast.
import { readFileSync } from 'node:fs';
import { native } from './native.js';

/** The precision a caller asks for: `auto` resolves per device (see resolvePrecision). */
export type PrecisionSetting = 'auto' | 'fp32' | 'bf16' | 'fp16';
/** A resolved precision. */
export type Precision = 'fp32' | 'bf16' | 'fp16';

/** Every accepted setting, for CLI and schema validation. */
export const PRECISION_SETTINGS: readonly PrecisionSetting[] = ['auto', 'fp32', 'bf16', 'fp16'];

const DTYPE: Record<Exclude<Precision, 'fp32'>, string> = { bf16: 'bfloat16', fp16: 'float16' };

let cpuFlags: string[] | undefined;
/** The CPU's feature flags from /proc/cpuinfo (empty where there is none). */
function flags(): string[] {
  if (cpuFlags) return cpuFlags;
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('flags'));
    cpuFlags = line?.split(':')[1]?.trim().split(/\s+/) ?? [];
  } catch {
    cpuFlags = [];
  }
  return cpuFlags;
}

/** Whether this CPU has native bf16 arithmetic (AVX-512 BF16 or AMX), where bf16 matmuls run several times fp32's rate. */
export function cpuHasFastBf16(): boolean {
  const f = flags();
  return f.includes('avx512_bf16') || f.includes('amx_bf16');
}

/** A setting resolved for `device`, with the reason `auto` chose what it did (for the CLI to say). */
export function resolvePrecision(
  setting: PrecisionSetting,
  device: 'cpu' | 'cuda' = 'cpu',
): { precision: Precision; reason: string } {
  if (setting === 'fp16' && device === 'cpu')
    throw new Error('fp16 runs on CUDA only (with loss scaling); on CPU use bf16 or fp32');
  if (setting !== 'auto') return { precision: setting, reason: 'asked for' };
  if (device === 'cuda') return { precision: 'bf16', reason: 'auto: CUDA' };
  return cpuHasFastBf16()
    ? { precision: 'bf16', reason: 'auto: this CPU has AVX-512 BF16/AMX' }
    : { precision: 'fp32', reason: 'auto: this CPU has no native bf16 (no AVX-512 BF16 or AMX)' };
}

/** The autocast dtype in force on `device` in this thread ('bfloat16', 'float16'), or null. */
export function autocastDtype(device: 'cpu' | 'cuda' = 'cpu'): string | null {
  return native.getAutocast(device);
}

/**
 * Runs `fn` under autocast at `precision` on `device` and restores what was in force before (fp32 runs `fn` as is).
 * Weights stay fp32; casts happen per region and are forgotten at its end, so an optimiser step after it is seen
 * by the next region. Run forward and loss inside, backward and the optimiser step outside, as with torch.autocast.
 */
export function autocast<T>(precision: Precision, fn: () => T, device: 'cpu' | 'cuda' = 'cpu'): T {
  if (precision === 'fp32') return fn();
  const before = native.getAutocast(device);
  native.setAutocast(device, DTYPE[precision]);
  try {
    const out = fn();
    if (out instanceof Promise) throw new Error('autocast(): fn must be synchronous (the cast state is per thread)');
    return out;
  } finally {
    native.setAutocast(device, null);
    if (before) native.setAutocast(device, before);
  }
}
