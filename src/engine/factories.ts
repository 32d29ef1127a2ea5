// Creating tensors from JS data and from shapes.
import { type AnyTypedArray, type DType, type Device, dtypeOfArray } from './dtype.js';
import { engineError } from './errors.js';
import { native } from './native.js';
import { type NestedArray, type Scalar, Tensor } from './tensor.js';

/** Options shared by the factories. */
export interface TensorOptions {
  dtype?: DType;
  device?: Device;
  requiresGrad?: boolean;
}

function finish(t: Tensor, opts: TensorOptions): Tensor {
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

function inferShape(data: NestedArray): number[] {
  const shape: number[] = [];
  let cur: NestedArray = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0] as NestedArray;
  }
  return shape;
}

/**
 * Creates a tensor from a typed array (copied; give `shape`) or nested arrays (shape inferred).
 * Numbers default to float32, booleans to bool, BigInt64Array to int64.
 */
export function tensor(data: AnyTypedArray | NestedArray, opts: TensorOptions & { shape?: number[] } = {}): Tensor {
  if (ArrayBuffer.isView(data)) {
    const shape = opts.shape ?? [data.length];
    // Uint16Array carries raw half-precision bits, so it is stored as the requested half dtype as is.
    if (data instanceof Uint16Array) {
      if (opts.dtype !== 'float16' && opts.dtype !== 'bfloat16') {
        throw engineError(
          'tensor',
          'ENGINE_DTYPE',
          "a Uint16Array holds raw half-precision bits: pass { dtype: 'float16' } or { dtype: 'bfloat16' }",
        );
      }
      return finish(new Tensor(native.fromBuffer(data, shape, opts.dtype, opts.device)), opts);
    }
    const natural = dtypeOfArray(data);
    const raw = new Tensor(native.fromBuffer(data, shape, natural, opts.device));
    if (opts.dtype === undefined || opts.dtype === natural) return finish(raw, opts);
    // Another dtype was asked for: convert the values (e.g. Float32Array → float16), as torch.tensor(..., dtype=) does.
    const converted = raw.to(opts.dtype);
    raw.dispose();
    return finish(converted, opts);
  }
  const shape = inferShape(data);
  const values: (number | boolean)[] = Array.isArray(data) ? flatten(data) : [data];
  const expected = shape.reduce((a, b) => a * b, 1);
  if (values.length !== expected) {
    throw engineError(
      'tensor',
      'ENGINE_SHAPE',
      `nested arrays are ragged: shape [${shape.join(', ')}] needs ${expected} values, got ${values.length}`,
    );
  }
  const dtype = opts.dtype ?? (typeof values[0] === 'boolean' ? 'bool' : 'float32');
  // bool/uint8 are stored from their 0/1 bytes; everything else goes through the typed-array path above,
  // which converts (e.g. float32 values to a half dtype) when the natural dtype differs.
  if (dtype === 'bool' || dtype === 'uint8') return fromBytes(Uint8Array.from(values, Number), shape, dtype, opts);
  if (dtype === 'int64')
    return tensor(
      BigInt64Array.from(values, (v) => BigInt(Math.trunc(Number(v)))),
      { ...opts, shape },
    );
  if (dtype === 'int32') return tensor(Int32Array.from(values, Number), { ...opts, shape });
  if (dtype === 'float64') return tensor(Float64Array.from(values, Number), { ...opts, shape });
  return tensor(Float32Array.from(values, Number), { ...opts, shape });
}

/** A tensor from raw little-endian element bytes of the given dtype (what file formats store); copied. */
export function fromBytes(bytes: Uint8Array, shape: number[], dtype: DType, opts: Omit<TensorOptions, 'dtype'> = {}): Tensor {
  return finish(new Tensor(native.fromBuffer(bytes, shape, dtype, opts.device)), opts);
}

/** A 0-d tensor holding one value. */
export function scalar(value: Scalar, opts: TensorOptions = {}): Tensor {
  return finish(
    new Tensor(native.full([], value, opts.dtype ?? (typeof value === 'boolean' ? 'bool' : 'float32'), opts.device)),
    opts,
  );
}

/** A tensor of the given shape with every element set to value. */
export function full(shape: number[], value: Scalar, opts: TensorOptions = {}): Tensor {
  return finish(new Tensor(native.full(shape, value, opts.dtype, opts.device)), opts);
}

/** A tensor of zeros. */
export function zeros(shape: number[], opts: TensorOptions = {}): Tensor {
  return full(shape, 0, opts);
}

/** A tensor of ones. */
export function ones(shape: number[], opts: TensorOptions = {}): Tensor {
  return full(shape, 1, opts);
}

/** Uninitialised memory (fast; fill it before reading). */
export function empty(shape: number[], opts: TensorOptions = {}): Tensor {
  return finish(new Tensor(native.empty(shape, opts.dtype, opts.device)), opts);
}

/** Uniform samples in [0, 1) from the seeded generator. */
export function rand(shape: number[], opts: TensorOptions = {}): Tensor {
  return finish(new Tensor(native.rand(shape, opts.dtype, opts.device)), opts);
}

/** Standard normal samples from the seeded generator. */
export function randn(shape: number[], opts: TensorOptions = {}): Tensor {
  return finish(new Tensor(native.randn(shape, opts.dtype, opts.device)), opts);
}

/** Integers in [low, high) (int64 unless dtype says otherwise). */
export function randint(low: number, high: number, shape: number[], opts: TensorOptions = {}): Tensor {
  return finish(new Tensor(native.randint(low, high, shape, opts.dtype, opts.device)), opts);
}

/** start, start+step, ... < end; int64 unless dtype says otherwise. */
export function arange(start: number, end?: number, step = 1, opts: TensorOptions = {}): Tensor {
  const [s, e] = end === undefined ? [0, start] : [start, end];
  return finish(new Tensor(native.arange(s, e, step, opts.dtype, opts.device)), opts);
}

/** Concatenates along an existing dim. */
export function cat(tensors: Tensor[], dim = 0): Tensor {
  return new Tensor(
    native.cat(
      tensors.map((t) => t.handle),
      dim,
    ),
  );
}

/** Stacks along a new dim. */
export function stack(tensors: Tensor[], dim = 0): Tensor {
  return new Tensor(
    native.stack(
      tensors.map((t) => t.handle),
      dim,
    ),
  );
}

/** Elementwise choice: cond ? a : b (scalars broadcast). */
export function where(cond: Tensor, a: Tensor | Scalar, b: Tensor | Scalar): Tensor {
  const av = a instanceof Tensor ? a.handle : a;
  const bv = b instanceof Tensor ? b.handle : b;
  return new Tensor(native.where(cond.handle, av, bv, !(a instanceof Tensor), !(b instanceof Tensor)));
}

function flatten(data: NestedArray[]): (number | boolean)[] {
  const out: (number | boolean)[] = [];
  const walk = (v: NestedArray): void => {
    if (Array.isArray(v)) for (const x of v) walk(x);
    else out.push(v);
  };
  for (const v of data) walk(v);
  return out;
}
