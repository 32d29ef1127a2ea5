// The safetensors format (https://huggingface.co/docs/safetensors): an 8-byte little-endian header length,
// a JSON header {name: {dtype, shape, data_offsets}, __metadata__?}, then the raw little-endian bytes.
import { closeSync, fstatSync, fsyncSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import { DTYPE_SIZE, type DType } from './dtype.js';
import { engineError } from './errors.js';
import { fromBytes } from './factories.js';
import type { Tensor } from './tensor.js';

const TO_FILE: Record<DType, string> = {
  float32: 'F32',
  float16: 'F16',
  bfloat16: 'BF16',
  float64: 'F64',
  int64: 'I64',
  int32: 'I32',
  uint8: 'U8',
  bool: 'BOOL',
};
const FROM_FILE = new Map(Object.entries(TO_FILE).map(([k, v]) => [v, k as DType]));
// Beyond this a header is almost certainly corrupt (the reference library uses the same bound).
const MAX_HEADER = 100_000_000;

/** One tensor's entry in a safetensors header. */
export interface SafetensorsEntry {
  dtype: DType;
  shape: number[];
  /** Byte range inside the data section. */
  begin: number;
  end: number;
}

/** A parsed header: entries in file order plus free-form string metadata. */
export interface SafetensorsHeader {
  entries: Map<string, SafetensorsEntry>;
  metadata: Record<string, string>;
  /** Absolute file offset where the data section starts. */
  dataStart: number;
}

function fail(file: string, why: string): never {
  throw engineError('safetensors', 'ENGINE_ERROR', `${file}: ${why}`);
}

/** Parses and validates the header bytes (everything after the 8-byte length). */
export function parseHeader(json: string, dataLength: number, file = 'safetensors'): Omit<SafetensorsHeader, 'dataStart'> {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    fail(file, `header is not valid JSON (${(e as Error).message})`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(file, 'header must be a JSON object');
  const entries = new Map<string, SafetensorsEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (value === null || typeof value !== 'object') fail(file, '__metadata__ must be an object of strings');
      for (const v of Object.values(value as object))
        if (typeof v !== 'string') fail(file, '__metadata__ values must be strings');
      metadata = value as Record<string, string>;
      continue;
    }
    const v = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = FROM_FILE.get(String(v.dtype));
    if (!dtype)
      fail(
        file,
        `tensor '${name}' has dtype ${String(v.dtype)}, which Promptune does not support (${[...FROM_FILE.keys()].join(', ')})`,
      );
    if (!Array.isArray(v.shape) || !v.shape.every((d) => Number.isInteger(d) && d >= 0))
      fail(file, `tensor '${name}' has an invalid shape`);
    const off = v.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isInteger(d) && d >= 0)) {
      fail(file, `tensor '${name}' has invalid data_offsets`);
    }
    const [begin, end] = off as [number, number];
    const numel = (v.shape as number[]).reduce((a, b) => a * b, 1);
    if (end - begin !== numel * DTYPE_SIZE[dtype]) {
      fail(
        file,
        `tensor '${name}' spans ${end - begin} bytes but shape [${v.shape}] of ${dtype} needs ${numel * DTYPE_SIZE[dtype]}`,
      );
    }
    entries.set(name, { dtype, shape: v.shape as number[], begin, end });
  }
  // The data section must be covered exactly, without gaps or overlaps.
  const spans = [...entries.values()].sort((a, b) => a.begin - b.begin);
  let cursor = 0;
  for (const s of spans) {
    if (s.begin !== cursor) fail(file, `data offsets leave a gap or overlap at byte ${cursor}`);
    cursor = s.end;
  }
  if (cursor !== dataLength) fail(file, `data section is ${dataLength} bytes but tensors cover ${cursor}`);
  return { entries, metadata };
}

/** Reads only the header of a .safetensors file. */
export function readSafetensorsHeader(path: string): SafetensorsHeader {
  const fd = openSync(path, 'r');
  try {
    return readHeaderFd(fd, path);
  } finally {
    closeSync(fd);
  }
}

function readHeaderFd(fd: number, path: string): SafetensorsHeader {
  const lenBuf = Buffer.alloc(8);
  if (readSync(fd, lenBuf, 0, 8, 0) !== 8) fail(path, 'file is shorter than the 8-byte header length');
  const n = lenBuf.readBigUInt64LE(0);
  if (n > BigInt(MAX_HEADER)) fail(path, `header length ${n} is implausible (file corrupt or not safetensors)`);
  const headerLen = Number(n);
  const json = Buffer.alloc(headerLen);
  if (readSync(fd, json, 0, headerLen, 8) !== headerLen) fail(path, 'file ends inside the header');
  const { size } = fstatSync(fd);
  const dataStart = 8 + headerLen;
  return { ...parseHeader(json.toString('utf8'), size - dataStart, path), dataStart };
}

/** Loads every tensor (or those named in `only`) from a .safetensors file; memory peaks at one tensor's bytes. */
export function loadSafetensors(
  path: string,
  only?: Iterable<string>,
): { tensors: Map<string, Tensor>; metadata: Record<string, string> } {
  const fd = openSync(path, 'r');
  try {
    const header = readHeaderFd(fd, path);
    const wanted = only ? new Set(only) : undefined;
    const tensors = new Map<string, Tensor>();
    for (const [name, e] of header.entries) {
      if (wanted && !wanted.has(name)) continue;
      const bytes = Buffer.allocUnsafe(e.end - e.begin);
      if (readSync(fd, bytes, 0, bytes.length, header.dataStart + e.begin) !== bytes.length)
        fail(path, `file ends inside tensor '${name}'`);
      tensors.set(name, fromBytes(bytes, e.shape, e.dtype));
    }
    return { tensors, metadata: header.metadata };
  } finally {
    closeSync(fd);
  }
}

/** Writes tensors (any device, any layout) to a .safetensors file, atomically (temp file + rename). */
export function saveSafetensors(
  path: string,
  tensors: Map<string, Tensor> | Record<string, Tensor>,
  metadata: Record<string, string> = {},
): void {
  const list = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of list) {
    const bytes = t.numel * DTYPE_SIZE[t.dtype];
    header[name] = { dtype: TO_FILE[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data section starts 8-byte aligned, as the reference writer does.
  json += ' '.repeat((8 - ((Buffer.byteLength(json) + 8) % 8)) % 8);
  const jsonBytes = Buffer.from(json, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(jsonBytes.length));
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, len);
    writeSync(fd, jsonBytes);
    for (const [, t] of list) {
      const data = t.toTypedArray();
      writeSync(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
