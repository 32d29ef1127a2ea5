// safetensors: files written by the Python library load here, files written here load in Python.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type DType,
  type Tensor,
  loadSafetensors,
  parseSafetensorsHeader,
  randn,
  readSafetensorsHeader,
  saveSafetensors,
  tensor,
} from './index.js';

const fixtures = new URL('./__fixtures__/', import.meta.url).pathname;
const root = new URL('../../', import.meta.url).pathname;
const python = join(root, '.venv-ref', 'bin', 'python');

describe('safetensors', () => {
  it('reads every dtype from a file written by Python safetensors', () => {
    const { tensors, metadata } = loadSafetensors(join(fixtures, 'python-written.safetensors'));
    const expected = JSON.parse(readFileSync(join(fixtures, 'python-written.json'), 'utf8')) as Record<
      string,
      { shape: number[]; values: (number | boolean)[] }
    >;
    expect(metadata).toEqual({ format: 'pt', written_by: 'python safetensors' });
    const dtypes: Record<string, DType> = {
      f32: 'float32',
      f64: 'float64',
      f16: 'float16',
      bf16: 'bfloat16',
      i64: 'int64',
      i32: 'int32',
      u8: 'uint8',
      bool: 'bool',
    };
    expect([...tensors.keys()].sort()).toEqual(Object.keys(expected).sort());
    for (const [name, e] of Object.entries(expected)) {
      const t = tensors.get(name)!;
      expect(t.shape, name).toEqual(e.shape);
      if (dtypes[name]) expect(t.dtype, name).toBe(dtypes[name]);
      expect(t.toNumbers(), name).toEqual(e.values.map(Number));
    }
  });

  it('round-trips every dtype, non-contiguous inputs and metadata through a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pt-st-'));
    const path = join(dir, 'a.safetensors');
    const base = randn([3, 4]).mul(50);
    const all: Record<string, Tensor> = {
      f32: base,
      f16: base.to('float16'),
      bf16: base.to('bfloat16'),
      f64: base.to('float64'),
      i64: tensor([-(2 ** 40), 5], { dtype: 'int64' }),
      i32: tensor([1, -2], { dtype: 'int32' }),
      u8: tensor([0, 255], { dtype: 'uint8' }),
      bool: tensor([true, false]),
      transposed: base.T,
    };
    saveSafetensors(path, all, { note: 'hello' });
    const back = loadSafetensors(path);
    expect(back.metadata).toEqual({ note: 'hello' });
    for (const [k, t] of Object.entries(all)) {
      expect(back.tensors.get(k)!.dtype).toBe(t.dtype);
      expect(back.tensors.get(k)!.shape).toEqual(t.shape);
      expect(back.tensors.get(k)!.toNumbers()).toEqual(t.toNumbers());
    }
    const header = readSafetensorsHeader(path);
    expect(header.dataStart % 8).toBe(0);
    expect(loadSafetensors(path, ['i32']).tensors.size).toBe(1);
  });

  it('a file written here loads in the Python safetensors library with identical values', () => {
    expect(existsSync(python), 'the Python reference venv is missing: run `bash scripts/setup-python-ref.sh`').toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'pt-st-'));
    const path = join(dir, 'from-node.safetensors');
    const base = randn([2, 5]).mul(10);
    const ts: Record<string, Tensor> = {
      float32: base,
      float16: base.to('float16'),
      bfloat16: base.to('bfloat16'),
      float64: base.to('float64'),
      int64: tensor([[-(2 ** 40), 3]], { dtype: 'int64' }),
      int32: tensor([7, -7], { dtype: 'int32' }),
      uint8: tensor([1, 200], { dtype: 'uint8' }),
      bool: tensor([false, true, true]),
    };
    saveSafetensors(path, ts, { format: 'pt' });
    const expected = {
      metadata: { format: 'pt' },
      tensors: Object.fromEntries(
        Object.entries(ts).map(([k, t]) => [
          k,
          { dtype: t.dtype, shape: t.shape, values: t.dtype === 'bool' ? t.toNumbers().map(Boolean) : t.toNumbers() },
        ]),
      ),
    };
    writeFileSync(join(dir, 'expected.json'), JSON.stringify(expected));
    const r = spawnSync(python, [join(root, 'scripts/fixtures/check_safetensors.py'), path, join(dir, 'expected.json')], {
      encoding: 'utf8',
    });
    expect(r.stderr + r.stdout).toContain('OK');
    expect(r.status).toBe(0);
  });

  it('rejects corrupt headers with a message naming the problem', () => {
    expect(() => parseSafetensorsHeader('{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}}', 4)).toThrow(
      /spans 4 bytes but shape \[2\] of float32 needs 8/,
    );
    expect(() => parseSafetensorsHeader('{"a": {"dtype": "F8_E4M3", "shape": [1], "data_offsets": [0, 1]}}', 1)).toThrow(
      /F8_E4M3/,
    );
    expect(() => parseSafetensorsHeader('not json', 0)).toThrow(/not valid JSON/);
    expect(() => parseSafetensorsHeader('{"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}', 8)).toThrow(
      /gap or overlap/,
    );
    expect(() => parseSafetensorsHeader('{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}', 8)).toThrow(
      /tensors cover 4/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'pt-st-'));
    writeFileSync(join(dir, 'short'), Buffer.from([1, 2]));
    expect(() => loadSafetensors(join(dir, 'short'))).toThrow(/shorter than the 8-byte header/);
    const huge = Buffer.alloc(16);
    huge.writeBigUInt64LE(1n << 40n);
    writeFileSync(join(dir, 'huge'), huge);
    expect(() => loadSafetensors(join(dir, 'huge'))).toThrow(/implausible/);
  });
});
