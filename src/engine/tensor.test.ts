// Tensor creation, dtypes, devices, views and data transfer.
import { describe, expect, it } from 'vitest';
import { DTYPES, arange, cudaAvailable, engineInfo, full, scalar, tensor, zeros } from './index.js';

describe('creating and reading tensors', () => {
  it('infers shape from nested arrays and round-trips through tolist()', () => {
    const t = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('float32');
    expect(t.tolist()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it('rejects ragged nested arrays with a shape error', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(/ragged/);
  });

  it.each(DTYPES)('stores and reads %s', (dtype) => {
    const values = dtype === 'bool' ? [1, 0, 1, 1] : [1, 2, 3, 100];
    const t = tensor(values, { dtype });
    expect(t.dtype).toBe(dtype);
    expect(t.toNumbers()).toEqual(values);
  });

  it('maps typed arrays to dtypes and copies their bytes', () => {
    const src = new Float32Array([1.5, 2.5, 3.5, 4.5]);
    const t = tensor(src, { shape: [2, 2] });
    src[0] = 99;
    expect(t.toNumbers()).toEqual([1.5, 2.5, 3.5, 4.5]);
    expect(tensor(new BigInt64Array([1n, -2n])).dtype).toBe('int64');
    expect(tensor(new Int32Array([1, -2])).dtype).toBe('int32');
    expect(tensor(new Uint16Array([0x3c00]), { dtype: 'float16' }).toNumbers()).toEqual([1]);
    expect(tensor(new Uint16Array([0x3f80]), { dtype: 'bfloat16' }).toNumbers()).toEqual([1]);
    expect(() => tensor(new Float32Array(3), { shape: [2, 2] })).toThrow(/12 bytes but shape and dtype need 16/);
    expect(() => tensor(new Uint16Array([1]))).toThrow(/raw half-precision bits/);
  });

  it('converts typed-array values when another dtype is asked for', () => {
    const h = tensor(new Float32Array([0.5, 1 / 3]), { dtype: 'float16' });
    expect(h.dtype).toBe('float16');
    expect(h.toNumbers()).toEqual([0.5, 0.333251953125]);
    expect(tensor(new Int32Array([3, -4]), { dtype: 'float32' }).toNumbers()).toEqual([3, -4]);
    expect(tensor(new Float64Array([1.9, -1.9]), { dtype: 'int64' }).toNumbers()).toEqual([1, -1]);
  });

  it('rounds to half precision like PyTorch', () => {
    expect(tensor([1 / 3], { dtype: 'float16' }).toNumbers()[0]).toBeCloseTo(0.333251953125, 12);
    expect(tensor([1 / 3], { dtype: 'bfloat16' }).toNumbers()[0]).toBeCloseTo(0.333984375, 12);
  });

  it('dataView() shares memory with the tensor (zero copy)', () => {
    const t = zeros([4]);
    const view = t.dataView<'float32'>();
    view[2] = 7;
    expect(t.toNumbers()).toEqual([0, 0, 7, 0]);
    expect(() => t.T.dataView()).toThrow();
    const nc = tensor([
      [1, 2],
      [3, 4],
    ]).T;
    expect(() => nc.dataView()).toThrow(/contiguous/);
  });

  it('scalars, full and arange behave like PyTorch', () => {
    expect(scalar(2.5).shape).toEqual([]);
    expect(scalar(2.5).item()).toBe(2.5);
    expect(full([2], 3, { dtype: 'int32' }).toNumbers()).toEqual([3, 3]);
    expect(arange(5).toNumbers()).toEqual([0, 1, 2, 3, 4]);
    expect(arange(5).dtype).toBe('int64');
    expect(arange(1, 2, 0.25, { dtype: 'float32' }).toNumbers()).toEqual([1, 1.25, 1.5, 1.75]);
  });

  it('keeps int tensors int with integral scalars and promotes with fractional ones', () => {
    const i = tensor([1, 2], { dtype: 'int64' });
    expect(i.add(1).dtype).toBe('int64');
    expect(i.add(0.5).dtype).toBe('float32');
    expect(i.div(2).dtype).toBe('float32');
  });
});

describe('views, strides and contiguity', () => {
  it('reshape of a contiguous tensor is a view sharing storage', () => {
    const t = arange(12, undefined, 1, { dtype: 'float32' });
    const v = t.view(3, 4);
    expect(v.sharesStorageWith(t)).toBe(true);
    expect(v.strides).toEqual([4, 1]);
  });

  it('transpose changes strides, not data, and is not contiguous', () => {
    const t = arange(6, undefined, 1, { dtype: 'float32' }).view(2, 3);
    const tt = t.transpose(0, 1);
    expect(tt.shape).toEqual([3, 2]);
    expect(tt.strides).toEqual([1, 3]);
    expect(tt.isContiguous()).toBe(false);
    expect(tt.sharesStorageWith(t)).toBe(true);
    expect(() => tt.view(6)).toThrow(/view/);
    const c = tt.contiguous();
    expect(c.isContiguous()).toBe(true);
    expect(c.sharesStorageWith(t)).toBe(false);
    expect(c.view(6).toNumbers()).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it('narrow, slice and select are views with storage offsets', () => {
    const t = arange(10, undefined, 1, { dtype: 'float32' });
    const n = t.narrow(0, 2, 3);
    expect(n.storageOffset).toBe(2);
    expect(n.toNumbers()).toEqual([2, 3, 4]);
    expect(t.slice(0, 1, 9, 3).toNumbers()).toEqual([1, 4, 7]);
    expect(t.view(2, 5).select(0, 1).toNumbers()).toEqual([5, 6, 7, 8, 9]);
    n.fill_(0);
    expect(t.toNumbers().slice(0, 6)).toEqual([0, 1, 0, 0, 0, 5]);
  });

  it('indexes with bool masks and index tensors', () => {
    const t = tensor([10, 20, 30, 40]);
    expect(t.index(t.gt(15)).toNumbers()).toEqual([20, 30, 40]);
    expect(t.index(tensor([3, 0], { dtype: 'int64' })).toNumbers()).toEqual([40, 10]);
  });
});

describe('devices and build info', () => {
  it('reports the libtorch build, BLAS and thread count', () => {
    const info = engineInfo();
    expect(info.torchVersion).toMatch(/^\d+\.\d+/);
    expect(info.blas).not.toBe('none');
    expect(info.threads).toBeGreaterThan(0);
  });

  it('moving to cuda either works or fails with a clear device error', () => {
    const t = zeros([2]);
    if (cudaAvailable()) {
      const g = t.to('cuda');
      expect(g.device).toBe('cuda:0');
      expect(g.to('cpu').toNumbers()).toEqual([0, 0]);
    } else {
      expect(() => t.to('cuda')).toThrow(/not available/);
    }
  });
});
