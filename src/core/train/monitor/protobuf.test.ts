import { describe, expect, it } from 'vitest';
import { ProtoWriter, readProtoFields } from './protobuf.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('protobuf wire format', () => {
  it('encodes varints as the protobuf docs show (150 → 08 96 01), int64 negatives in ten bytes', () => {
    expect(hex(new ProtoWriter().varint(1, 150).finish())).toBe('089601');
    expect(hex(new ProtoWriter().varint(2, 0).finish())).toBe('1000');
    expect(hex(new ProtoWriter().varint(2, -1).finish())).toBe('10ffffffffffffffffff01');
    expect(hex(new ProtoWriter().varint(2, 2 ** 40).finish())).toBe('10808080808020');
    expect(hex(new ProtoWriter().varint(2, 2 ** 32).finish())).toBe('108080808010');
    expect(hex(new ProtoWriter().varint(2, 2n ** 64n - 1n).finish())).toBe('10ffffffffffffffffff01');
    expect(() => new ProtoWriter().varint(2, 2 ** 60)).toThrow(/not a safe integer: pass a bigint/);
  });

  it('encodes doubles, floats and length-delimited fields little-endian with their wire types', () => {
    expect(hex(new ProtoWriter().double(1, 1).finish())).toBe('09000000000000f03f');
    expect(hex(new ProtoWriter().float(2, 1).finish())).toBe('150000803f');
    expect(hex(new ProtoWriter().bytes(1, 'testing').finish())).toBe('0a0774657374696e67');
    expect(hex(new ProtoWriter().bytes(16, 'é').finish())).toBe('820102c3a9');
    expect(() => new ProtoWriter().varint(0, 1)).toThrow(/field number 0 is out of range/);
  });

  it('reads back what it writes, nested messages included, and grows past its first buffer', () => {
    const inner = new ProtoWriter().bytes(1, 'x'.repeat(200)).float(2, 0.5).finish();
    const msg = new ProtoWriter().double(1, 1.25).varint(2, -3).bytes(5, inner).finish();
    const [a, b, c] = readProtoFields(msg);
    expect(a).toMatchObject({ field: 1, wire: 1 });
    expect(b).toEqual({ field: 2, wire: 0, varint: 2n ** 64n - 3n });
    expect(c).toMatchObject({ field: 5, wire: 2 });
    const [tag, value] = readProtoFields(c!.wire === 2 ? c!.bytes : new Uint8Array());
    expect(tag!.wire === 2 && new TextDecoder().decode(tag!.bytes)).toBe('x'.repeat(200));
    expect(value).toMatchObject({ field: 2, wire: 5 });
  });

  it('rejects malformed messages with the reason', () => {
    expect(() => readProtoFields(Uint8Array.of(0x08, 0x96))).toThrow(/varint runs past the end/);
    expect(() => readProtoFields(Uint8Array.of(0x0a, 0x05, 0x61))).toThrow(/needs 5 bytes but only 1 are left/);
    expect(() => readProtoFields(Uint8Array.of(0x0b))).toThrow(/wire type 3/);
  });
});
