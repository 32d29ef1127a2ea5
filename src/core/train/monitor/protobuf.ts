// The few pieces of the protobuf wire format that event files need: varints, 64-bit doubles, 32-bit floats
// and length-delimited bytes, to write, and a field scanner to read them back (tests, truncated-file recovery).
import { MonitorError } from './errors.js';

/** Wire types: 0 varint, 1 fixed 64-bit, 2 length-delimited, 5 fixed 32-bit (3 and 4, groups, are not used). */
export type WireType = 0 | 1 | 2 | 5;

const utf8 = new TextEncoder();

/** Builds one message: fields are appended in the order written (write them in field-number order). */
export class ProtoWriter {
  private buf = new Uint8Array(64);
  private len = 0;

  /** A varint field (int32/int64/uint64/bool/enum); negative numbers take ten bytes, as int64 on the wire. */
  varint(field: number, value: number | bigint): this {
    this.key(field, 0);
    this.rawVarint(value);
    return this;
  }

  /** A `double` field (fixed 64-bit, little-endian). */
  double(field: number, value: number): this {
    this.key(field, 1);
    this.reserve(8);
    new DataView(this.buf.buffer).setFloat64(this.len, value, true);
    this.len += 8;
    return this;
  }

  /** A `float` field (fixed 32-bit, little-endian; the value is rounded to float32). */
  float(field: number, value: number): this {
    this.key(field, 5);
    this.reserve(4);
    new DataView(this.buf.buffer).setFloat32(this.len, value, true);
    this.len += 4;
    return this;
  }

  /** A length-delimited field: bytes, a string (UTF-8) or an already encoded sub-message. */
  bytes(field: number, value: Uint8Array | string): this {
    const data = typeof value === 'string' ? utf8.encode(value) : value;
    this.key(field, 2);
    this.rawVarint(data.length);
    this.reserve(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
    return this;
  }

  /** The encoded message (a copy; the writer can keep going). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  private key(field: number, wire: WireType): void {
    if (!Number.isInteger(field) || field < 1 || field > 0x1fffffff) {
      throw new MonitorError('MONITOR_VALUE', `protobuf field number ${field} is out of range: use 1..536870911`);
    }
    this.rawVarint(field * 8 + wire);
  }

  private rawVarint(value: number | bigint): void {
    this.reserve(10);
    if (typeof value === 'number' && value >= 0 && value <= 0xffffffff && Number.isInteger(value)) {
      let v = value;
      while (v > 0x7f) {
        this.buf[this.len++] = (v & 0x7f) | 0x80;
        v = Math.floor(v / 128);
      }
      this.buf[this.len++] = v;
      return;
    }
    if (typeof value === 'number' && !Number.isSafeInteger(value)) {
      throw new MonitorError('MONITOR_VALUE', `varint value ${value} is not a safe integer: pass a bigint for 64-bit values`);
    }
    // Two's complement over 64 bits, as protobuf encodes negative int64.
    let v = BigInt.asUintN(64, BigInt(value));
    while (v > 0x7fn) {
      this.buf[this.len++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.len++] = Number(v);
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
}

/** One field as found on the wire: a varint's value, or the raw bytes of the other wire types. */
export type ProtoField = { field: number; wire: 0; varint: bigint } | { field: number; wire: 1 | 2 | 5; bytes: Uint8Array };

/** Splits an encoded message into its fields, in file order; throws MonitorError on malformed input. */
export function readProtoFields(data: Uint8Array): ProtoField[] {
  const fields: ProtoField[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (pos >= data.length) throw corrupt('a varint runs past the end of the message');
      const b = data[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, result);
    }
    throw corrupt('a varint is longer than ten bytes');
  };
  const take = (n: number): Uint8Array => {
    if (pos + n > data.length) throw corrupt(`a field needs ${n} bytes but only ${data.length - pos} are left`);
    pos += n;
    return data.subarray(pos - n, pos);
  };
  while (pos < data.length) {
    const key = varint();
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) fields.push({ field, wire, varint: varint() });
    else if (wire === 1) fields.push({ field, wire, bytes: take(8) });
    else if (wire === 5) fields.push({ field, wire, bytes: take(4) });
    else if (wire === 2) fields.push({ field, wire, bytes: take(Number(varint())) });
    else throw corrupt(`field ${field} has wire type ${wire}, which this reader does not support`);
  }
  return fields;
}

function corrupt(what: string): MonitorError {
  return new MonitorError('MONITOR_CORRUPT', `malformed protobuf message: ${what}`);
}
