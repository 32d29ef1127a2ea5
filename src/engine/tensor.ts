// The Tensor class: a thin, typed face over one native handle, with PyTorch's method names in camelCase.
import { type DType, type Device, type TypedArrayFor, bfloat16ToNumber, halfToNumber, viewAs } from './dtype.js';
import { engineError } from './errors.js';
import { type NativeTensor, native } from './native.js';
import { track } from './scope.js';

/** A JS number or boolean used where PyTorch accepts a Python scalar. */
export type Scalar = number | boolean;

/** Nested arrays of numbers/booleans, as returned by tolist(). */
export type NestedArray = number | boolean | NestedArray[];

/** Values and indices, as returned by max/min over a dim and topk. */
export interface ValuesIndices {
  values: Tensor;
  indices: Tensor;
}

// Safety net only: a tensor that is garbage-collected without dispose() still releases its native memory.
// Runs on the event loop, so long synchronous loops must dispose (tidy) rather than rely on it.
const finalizer = new FinalizationRegistry<NativeTensor>((id) => {
  if (native.release(id) && process.env.PROMPTUNE_DEBUG_TENSORS) {
    process.emitWarning('promptune: a tensor was garbage-collected without dispose(); wrap work in tidy()', 'TensorLeakWarning');
  }
});

/** Calls a native op whose last operand may be a tensor or a scalar. */
function binary(op: string, a: Tensor, b: Tensor | Scalar): Tensor {
  return b instanceof Tensor
    ? new Tensor(native.binary(op, a.handle, b.handle, false))
    : new Tensor(native.binary(op, a.handle, b, true));
}

/** An n-dimensional array in native memory, optionally tracked by autograd. */
export class Tensor {
  #h: NativeTensor | null;
  #shape: number[] | undefined;
  /** Set by keep(): no tidy() scope will dispose this tensor. */
  kept = false;

  /** Wraps a native handle; library code only (use the factories in `factories.ts`). */
  constructor(handle: NativeTensor) {
    this.#h = handle;
    finalizer.register(this, handle, this);
    track(this);
  }

  /** The native handle; throws a typed error after dispose(). */
  get handle(): NativeTensor {
    if (this.#h === null) throw engineError('tensor', 'ENGINE_DISPOSED', 'tensor used after dispose()');
    return this.#h;
  }

  /** Releases the native memory now (idempotent). */
  dispose(): void {
    if (this.#h !== null) {
      native.release(this.#h);
      finalizer.unregister(this);
      this.#h = null;
    }
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Whether dispose() was called. */
  get isDisposed(): boolean {
    return this.#h === null;
  }

  /** Sizes per dimension. */
  get shape(): readonly number[] {
    if (this.#shape === undefined) this.#shape = native.shape(this.handle);
    return this.#shape;
  }

  /** Element strides per dimension (in elements, as PyTorch). */
  get strides(): number[] {
    return native.strides(this.handle);
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Total number of elements. */
  get numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  /** Size of one dimension (negative counts from the end). */
  size(dim: number): number {
    const s = this.shape;
    const d = dim < 0 ? s.length + dim : dim;
    const v = s[d];
    if (v === undefined) throw engineError('size', 'ENGINE_SHAPE', `dim ${dim} is out of range for shape [${s.join(', ')}]`);
    return v;
  }

  /** Element type. */
  get dtype(): DType {
    return native.dtype(this.handle) as DType;
  }

  /** Where the data lives. */
  get device(): Device {
    return native.device(this.handle) as Device;
  }

  /** Whether autograd tracks this tensor. */
  get requiresGrad(): boolean {
    return native.requiresGrad(this.handle);
  }

  /** Whether this tensor was created by the user rather than by an op. */
  get isLeaf(): boolean {
    return native.isLeaf(this.handle);
  }

  /** Offset of the first element in its storage (in elements). */
  get storageOffset(): number {
    return native.storageOffset(this.handle);
  }

  /** Whether elements are laid out row-major without gaps. */
  isContiguous(): boolean {
    return native.isContiguous(this.handle);
  }

  /** True when both tensors view the same storage (as after view/reshape/permute of a contiguous tensor). */
  sharesStorageWith(other: Tensor): boolean {
    return native.storageId(this.handle) === native.storageId(other.handle);
  }

  /** A readable summary: shape, dtype, device. */
  toString(): string {
    if (this.isDisposed) return 'Tensor(disposed)';
    return `Tensor[${this.shape.join(', ')}] ${this.dtype} ${this.device}`;
  }

  // ---- data out -------------------------------------------------------------------------------------

  /** Copies the elements (row-major) into a new typed array of this dtype. */
  toTypedArray<D extends DType = DType>(): TypedArrayFor[D] {
    return viewAs(this.dtype as D, native.toBuffer(this.handle));
  }

  /** Shares the tensor's memory as a typed array (zero copy; cpu + contiguous only; writes are visible both ways). */
  dataView<D extends DType = DType>(): TypedArrayFor[D] {
    return viewAs(this.dtype as D, native.dataView(this.handle));
  }

  /** Elements as plain numbers (half types decoded, int64 converted). */
  toNumbers(): number[] {
    const raw = this.toTypedArray();
    const dt = this.dtype;
    if (dt === 'float16') return Array.from(raw as Uint16Array, halfToNumber);
    if (dt === 'bfloat16') return Array.from(raw as Uint16Array, bfloat16ToNumber);
    if (dt === 'int64') return Array.from(raw as BigInt64Array, Number);
    return Array.from(raw as Float32Array);
  }

  /** Nested arrays shaped like the tensor. */
  tolist(): NestedArray {
    const flat = this.toNumbers();
    const isBool = this.dtype === 'bool';
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === this.ndim) return isBool ? flat[offset] === 1 : (flat[offset] as number);
      const n = this.shape[dim] as number;
      const stride = this.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
      return Array.from({ length: n }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  /** The single element as a number (bool tensors give 1 or 0). */
  item(): number {
    return Number(native.item(this.handle));
  }

  // ---- conversion -----------------------------------------------------------------------------------

  /** Converts to a dtype or moves to a device (returns this tensor's data unchanged if already there). */
  to(target: DType | Device): Tensor {
    if (target === 'cpu' || target.startsWith('cuda')) return new Tensor(native.toDevice(this.handle, target));
    return new Tensor(native.toDtype(this.handle, target));
  }

  /** Converts to float32. */
  float(): Tensor {
    return this.to('float32');
  }

  /** Converts to int64. */
  long(): Tensor {
    return this.to('int64');
  }

  /** Converts to bool. */
  bool(): Tensor {
    return this.to('bool');
  }

  /** A copy with its own storage (recorded by autograd). */
  clone(): Tensor {
    return new Tensor(native.clone(this.handle));
  }

  /** This data in row-major layout (a copy only when needed). */
  contiguous(): Tensor {
    return new Tensor(native.contiguous(this.handle));
  }

  // ---- autograd -------------------------------------------------------------------------------------

  /** Marks this tensor as a leaf whose gradient backward() accumulates. Returns this. */
  requiresGrad_(flag = true): this {
    native.setRequiresGrad(this.handle, flag);
    return this;
  }

  /** The accumulated gradient, or undefined before backward(). A new wrapper each call: dispose it when done. */
  get grad(): Tensor | undefined {
    const g = native.grad(this.handle);
    return g === undefined ? undefined : new Tensor(g);
  }

  /** Backpropagates from this tensor (a scalar, or pass a gradient of the same shape). */
  backward(gradient?: Tensor, options: { retainGraph?: boolean } = {}): void {
    native.backward(this.handle, gradient?.handle, options.retainGraph ?? false);
  }

  /** A tensor sharing data but cut from the autograd graph. */
  detach(): Tensor {
    return new Tensor(native.detach(this.handle));
  }

  // ---- in-place initialisation (never recorded by autograd) -----------------------------------------

  /** Sets every element to 0 in place. */
  zero_(): this {
    native.initInPlace(this.handle, 'zero');
    return this;
  }

  /** Sets every element to value in place. */
  fill_(value: Scalar): this {
    native.initInPlace(this.handle, 'fill', value);
    return this;
  }

  /** Fills in place with N(mean, std²) samples. */
  normal_(mean = 0, std = 1): this {
    native.initInPlace(this.handle, 'normal', mean, std);
    return this;
  }

  /** Fills in place with U(from, to) samples. */
  uniform_(from = 0, to = 1): this {
    native.initInPlace(this.handle, 'uniform', from, to);
    return this;
  }

  /** Copies src's values into this tensor (broadcasting, dtype conversion). */
  copy_(src: Tensor): this {
    native.initInPlace(this.handle, 'copy', src.handle);
    return this;
  }

  // ---- elementwise ----------------------------------------------------------------------------------

  /** Elementwise a + b (broadcasting). */
  add(other: Tensor | Scalar): Tensor {
    return binary('add', this, other);
  }
  /** Elementwise a − b (broadcasting). */
  sub(other: Tensor | Scalar): Tensor {
    return binary('sub', this, other);
  }
  /** Elementwise a · b (broadcasting). */
  mul(other: Tensor | Scalar): Tensor {
    return binary('mul', this, other);
  }
  /** Elementwise true division a / b (broadcasting). */
  div(other: Tensor | Scalar): Tensor {
    return binary('div', this, other);
  }
  /** Elementwise a ** b. */
  pow(other: Tensor | Scalar): Tensor {
    return binary('pow', this, other);
  }
  /** Python's modulo: the result has the sign of the divisor. */
  remainder(other: Tensor | Scalar): Tensor {
    return binary('remainder', this, other);
  }
  /** Elementwise maximum. */
  maximum(other: Tensor | Scalar): Tensor {
    return binary('maximum', this, other);
  }
  /** Elementwise minimum. */
  minimum(other: Tensor | Scalar): Tensor {
    return binary('minimum', this, other);
  }
  /** Elementwise a == b (bool). */
  eq(other: Tensor | Scalar): Tensor {
    return binary('eq', this, other);
  }
  /** Elementwise a != b (bool). */
  ne(other: Tensor | Scalar): Tensor {
    return binary('ne', this, other);
  }
  /** Elementwise a < b (bool). */
  lt(other: Tensor | Scalar): Tensor {
    return binary('lt', this, other);
  }
  /** Elementwise a <= b (bool). */
  le(other: Tensor | Scalar): Tensor {
    return binary('le', this, other);
  }
  /** Elementwise a > b (bool). */
  gt(other: Tensor | Scalar): Tensor {
    return binary('gt', this, other);
  }
  /** Elementwise a >= b (bool). */
  ge(other: Tensor | Scalar): Tensor {
    return binary('ge', this, other);
  }
  /** Elementwise logical and (bool). */
  logicalAnd(other: Tensor | Scalar): Tensor {
    return binary('logical_and', this, other);
  }
  /** Elementwise logical or (bool). */
  logicalOr(other: Tensor | Scalar): Tensor {
    return binary('logical_or', this, other);
  }

  #unary(op: string): Tensor {
    return new Tensor(native.unary(op, this.handle));
  }
  /** Elementwise −x. */
  neg(): Tensor {
    return this.#unary('neg');
  }
  /** Elementwise |x|. */
  abs(): Tensor {
    return this.#unary('abs');
  }
  /** Elementwise eˣ. */
  exp(): Tensor {
    return this.#unary('exp');
  }
  /** Elementwise natural logarithm. */
  log(): Tensor {
    return this.#unary('log');
  }
  /** Elementwise square root. */
  sqrt(): Tensor {
    return this.#unary('sqrt');
  }
  /** Elementwise 1/√x. */
  rsqrt(): Tensor {
    return this.#unary('rsqrt');
  }
  /** Elementwise sine. */
  sin(): Tensor {
    return this.#unary('sin');
  }
  /** Elementwise cosine. */
  cos(): Tensor {
    return this.#unary('cos');
  }
  /** Elementwise x². */
  square(): Tensor {
    return this.#unary('square');
  }
  /** Elementwise hyperbolic tangent. */
  tanh(): Tensor {
    return this.#unary('tanh');
  }
  /** Elementwise logistic sigmoid. */
  sigmoid(): Tensor {
    return this.#unary('sigmoid');
  }
  /** Elementwise max(x, 0). */
  relu(): Tensor {
    return this.#unary('relu');
  }
  /** GELU; 'none' is the exact erf form (BERT), 'tanh' the approximation. */
  gelu(approximate: 'none' | 'tanh' = 'none'): Tensor {
    return this.#unary(approximate === 'tanh' ? 'gelu_tanh' : 'gelu');
  }
  /** Elementwise x·sigmoid(x). */
  silu(): Tensor {
    return this.#unary('silu');
  }
  /** Elementwise error function. */
  erf(): Tensor {
    return this.#unary('erf');
  }
  /** Elementwise floor. */
  floor(): Tensor {
    return this.#unary('floor');
  }
  /** Elementwise round half to even. */
  round(): Tensor {
    return this.#unary('round');
  }
  /** Elementwise logical not (bool). */
  logicalNot(): Tensor {
    return this.#unary('logical_not');
  }
  /** Elementwise NaN test (bool). */
  isnan(): Tensor {
    return this.#unary('isnan');
  }
  /** Elementwise finiteness test (bool). */
  isfinite(): Tensor {
    return this.#unary('isfinite');
  }
  /** Limits every element to [min, max] (either bound optional). */
  clamp(min?: number, max?: number): Tensor {
    return new Tensor(native.clamp(this.handle, min, max));
  }
  /** Replaces elements where mask is true by value. */
  maskedFill(mask: Tensor, value: Tensor | Scalar): Tensor {
    return value instanceof Tensor
      ? new Tensor(native.maskedFill(this.handle, mask.handle, value.handle, false))
      : new Tensor(native.maskedFill(this.handle, mask.handle, value, true));
  }

  // ---- reductions -----------------------------------------------------------------------------------

  #reduce(op: string, dim?: number | number[], keepdim = false): Tensor {
    const dims = dim === undefined ? undefined : Array.isArray(dim) ? dim : [dim];
    return new Tensor(native.reduce(op, this.handle, dims, keepdim));
  }
  /** Sum over all elements or the given dims. */
  sum(dim?: number | number[], keepdim = false): Tensor {
    return this.#reduce('sum', dim, keepdim);
  }
  /** Mean over all elements or the given dims. */
  mean(dim?: number | number[], keepdim = false): Tensor {
    return this.#reduce('mean', dim, keepdim);
  }
  /** Unbiased standard deviation, as torch.std. */
  std(dim?: number | number[], keepdim = false): Tensor {
    return this.#reduce('std', dim, keepdim);
  }
  var(dim?: number | number[], keepdim = false): Tensor {
    return this.#reduce('var', dim, keepdim);
  }
  /** Product over all elements or one dim. */
  prod(dim?: number, keepdim = false): Tensor {
    return this.#reduce('prod', dim, keepdim);
  }
  /** Whether all elements (or all along dim) are true. */
  all(dim?: number, keepdim = false): Tensor {
    return this.#reduce('all', dim, keepdim);
  }
  /** Whether any element (or any along dim) is true. */
  any(dim?: number, keepdim = false): Tensor {
    return this.#reduce('any', dim, keepdim);
  }
  /** Maximum over the given dims. */
  amax(dim: number | number[], keepdim = false): Tensor {
    return this.#reduce('amax', dim, keepdim);
  }
  /** Minimum over the given dims. */
  amin(dim: number | number[], keepdim = false): Tensor {
    return this.#reduce('amin', dim, keepdim);
  }
  /** log Σ exp over the given dims, computed stably. */
  logsumexp(dim: number | number[], keepdim = false): Tensor {
    return this.#reduce('logsumexp', dim, keepdim);
  }
  /** Largest element overall. */
  max(): Tensor {
    return this.#reduce('amax', [...this.shape.keys()]);
  }
  /** Largest element along dim, with its index. */
  maxDim(dim: number, keepdim = false): ValuesIndices {
    const [values, indices] = native.maxMinDim('max', this.handle, dim, keepdim);
    return { values: new Tensor(values), indices: new Tensor(indices) };
  }
  /** Smallest element overall. */
  min(): Tensor {
    return this.#reduce('amin', [...this.shape.keys()]);
  }
  /** Smallest element along dim, with its index. */
  minDim(dim: number, keepdim = false): ValuesIndices {
    const [values, indices] = native.maxMinDim('min', this.handle, dim, keepdim);
    return { values: new Tensor(values), indices: new Tensor(indices) };
  }
  /** Index of the largest element (overall or along dim). */
  argmax(dim?: number, keepdim = false): Tensor {
    return new Tensor(native.argMaxMin('argmax', this.handle, dim, keepdim));
  }
  /** Index of the smallest element (overall or along dim). */
  argmin(dim?: number, keepdim = false): Tensor {
    return new Tensor(native.argMaxMin('argmin', this.handle, dim, keepdim));
  }
  /** The k largest (or smallest) elements along dim, with their indices. */
  topk(k: number, dim = -1, largest = true, sorted = true): ValuesIndices {
    const [values, indices] = native.topk(this.handle, k, dim, largest, sorted);
    return { values: new Tensor(values), indices: new Tensor(indices) };
  }
  /** Sorted values along dim, with their original indices. */
  sort(dim = -1, descending = false): ValuesIndices {
    const [values, indices] = native.sort(this.handle, dim, descending);
    return { values: new Tensor(values), indices: new Tensor(indices) };
  }

  // ---- linear algebra -------------------------------------------------------------------------------

  /** Matrix product with NumPy broadcasting rules. */
  matmul(other: Tensor): Tensor {
    return new Tensor(native.matmul(this.handle, other.handle));
  }
  /** Batched matrix product of [b, n, m] and [b, m, p]. */
  bmm(other: Tensor): Tensor {
    return new Tensor(native.bmm(this.handle, other.handle));
  }
  /** Softmax along dim. */
  softmax(dim: number): Tensor {
    return new Tensor(native.softmax(this.handle, dim));
  }
  /** Log-softmax along dim (numerically stable). */
  logSoftmax(dim: number): Tensor {
    return new Tensor(native.logSoftmax(this.handle, dim));
  }

  // ---- shape and indexing ---------------------------------------------------------------------------

  /** Same data with a new shape (a view when possible, like torch.reshape); -1 infers one size. */
  reshape(...shape: number[] | [number[]]): Tensor {
    return new Tensor(native.reshape(this.handle, flat(shape)));
  }
  /** A view with a new shape; fails when the layout does not allow one (call contiguous() first). */
  view(...shape: number[] | [number[]]): Tensor {
    return new Tensor(native.view(this.handle, flat(shape)));
  }
  /** Reorders dims (a view). */
  permute(...dims: number[] | [number[]]): Tensor {
    return new Tensor(native.permute(this.handle, flat(dims)));
  }
  /** Swaps two dims (a view). */
  transpose(dim0: number, dim1: number): Tensor {
    return new Tensor(native.transpose(this.handle, dim0, dim1));
  }
  /** Transpose of a 2-D tensor. */
  get T(): Tensor {
    return this.transpose(0, 1);
  }
  /** Merges dims startDim..endDim into one. */
  flatten(startDim = 0, endDim = -1): Tensor {
    return new Tensor(native.flatten(this.handle, startDim, endDim));
  }
  /** Removes size-1 dims (or the given one). */
  squeeze(dim?: number): Tensor {
    return new Tensor(native.squeeze(this.handle, dim));
  }
  /** Inserts a size-1 dim at dim. */
  unsqueeze(dim: number): Tensor {
    return new Tensor(native.unsqueeze(this.handle, dim));
  }
  /** Broadcasts size-1 dims to the given sizes (a view, no copy). */
  expand(...shape: number[] | [number[]]): Tensor {
    return new Tensor(native.expand(this.handle, flat(shape)));
  }
  /** Tiles the data along each dim (copies). */
  repeat(...reps: number[] | [number[]]): Tensor {
    return new Tensor(native.repeat(this.handle, flat(reps)));
  }
  /** length elements along dim from start (a view). */
  narrow(dim: number, start: number, length: number): Tensor {
    return new Tensor(native.narrow(this.handle, dim, start, length));
  }
  /** Python's t[..., start:end:step] along one dim (a view). */
  slice(dim: number, start?: number, end?: number, step = 1): Tensor {
    return new Tensor(native.slice(this.handle, dim, start, end, step));
  }
  /** Picks one index along dim, removing that dim (a view). */
  select(dim: number, index: number): Tensor {
    return new Tensor(native.select(this.handle, dim, index));
  }
  /** Splits into chunks of `size` (or exact sizes) along dim; the parts are views. */
  split(size: number | number[], dim = 0): Tensor[] {
    return native.split(this.handle, size, dim).map((t) => new Tensor(t));
  }
  /** Picks values along dim at the given indices (torch.gather). */
  gather(dim: number, index: Tensor): Tensor {
    return new Tensor(native.gather(this.handle, dim, index.handle));
  }
  /** Rows (along dim) picked by an index tensor. */
  indexSelect(dim: number, index: Tensor): Tensor {
    return new Tensor(native.indexSelect(this.handle, dim, index.handle));
  }
  /** t[mask] for a bool mask, or t[indices] for an int64 index tensor, along the leading dims. */
  index(index: Tensor): Tensor {
    return new Tensor(native.index(this.handle, index.handle));
  }
  /** Lower triangle (zeros above the diagonal). */
  tril(diagonal = 0): Tensor {
    return new Tensor(native.tril(this.handle, diagonal));
  }
  /** Upper triangle (zeros below the diagonal). */
  triu(diagonal = 0): Tensor {
    return new Tensor(native.triu(this.handle, diagonal));
  }
}

function flat(args: number[] | [number[]]): number[] {
  return Array.isArray(args[0]) ? args[0] : (args as number[]);
}
