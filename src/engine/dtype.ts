// Data types, their typed-array views and half-precision bit conversions.

/** Element types the engine supports. */
export type DType = 'float32' | 'float16' | 'bfloat16' | 'float64' | 'int64' | 'int32' | 'uint8' | 'bool';

/** Where a tensor lives: 'cpu', 'cuda' or 'cuda:N'. */
export type Device = 'cpu' | 'cuda' | `cuda:${number}`;

/** The typed array that holds each dtype's raw elements (half types as raw 16-bit patterns). */
export interface TypedArrayFor {
  float32: Float32Array;
  float64: Float64Array;
  float16: Uint16Array;
  bfloat16: Uint16Array;
  int64: BigInt64Array;
  int32: Int32Array;
  uint8: Uint8Array;
  bool: Uint8Array;
}

export type AnyTypedArray = TypedArrayFor[DType];

/** Bytes per element. */
export const DTYPE_SIZE: Record<DType, number> = {
  float32: 4,
  float64: 8,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  int32: 4,
  uint8: 1,
  bool: 1,
};

export const DTYPES = Object.keys(DTYPE_SIZE) as DType[];

/** Views raw bytes as the typed array for a dtype (no copy). */
export function viewAs<D extends DType>(dtype: D, buf: ArrayBuffer, byteOffset = 0, length?: number): TypedArrayFor[D] {
  const n = length ?? (buf.byteLength - byteOffset) / DTYPE_SIZE[dtype];
  switch (dtype) {
    case 'float32':
      return new Float32Array(buf, byteOffset, n) as TypedArrayFor[D];
    case 'float64':
      return new Float64Array(buf, byteOffset, n) as TypedArrayFor[D];
    case 'float16':
    case 'bfloat16':
      return new Uint16Array(buf, byteOffset, n) as TypedArrayFor[D];
    case 'int64':
      return new BigInt64Array(buf, byteOffset, n) as TypedArrayFor[D];
    case 'int32':
      return new Int32Array(buf, byteOffset, n) as TypedArrayFor[D];
    default:
      return new Uint8Array(buf, byteOffset, n) as TypedArrayFor[D];
  }
}

/** The dtype a typed array maps to when no dtype is given. */
export function dtypeOfArray(a: ArrayBufferView): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Uint8Array) return 'uint8';
  throw new TypeError(
    `cannot infer a dtype from ${a.constructor.name}; pass { dtype } (Uint16Array needs 'float16' or 'bfloat16')`,
  );
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Decodes an IEEE half (as its 16-bit pattern) to a number. */
export function halfToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (m / 1024);
  if (e === 31) return m ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * 2 ** (e - 15) * (1 + m / 1024);
}

/** Decodes a bfloat16 (as its 16-bit pattern) to a number. */
export function bfloat16ToNumber(h: number): number {
  u32[0] = h << 16;
  return f32[0] as number;
}
