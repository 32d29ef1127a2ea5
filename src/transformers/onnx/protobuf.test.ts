// The protobuf writer against the encoding spec's own examples, and a small ONNX model decoded back field by
// field and run in onnxruntime-node.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { DataType, GraphBuilder, IR_VERSION, OPSET_VERSION, ProtoWriter, decodeFields } from './index.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const text = (v: bigint | Uint8Array): string => Buffer.from(v as Uint8Array).toString('utf8');

describe('protobuf wire format', () => {
  it('writes the examples of the protobuf encoding guide byte for byte', () => {
    expect(hex(new ProtoWriter().varint(1, 150).finish())).toBe('089601');
    expect(hex(new ProtoWriter().string(2, 'testing').finish())).toBe('120774657374696e67');
    expect(hex(new ProtoWriter().packedVarints(4, [3, 270, 86942]).finish())).toBe('2206038e029ea705');
    expect(hex(new ProtoWriter().float(1, 1).finish())).toBe('0d0000803f');
    // Negative int64: 64-bit two's complement, ten bytes.
    expect(hex(new ProtoWriter().varint(3, -1).finish())).toBe('18ffffffffffffffffff01');
    expect(hex(new ProtoWriter().message(3, new ProtoWriter().varint(1, 150)).finish())).toBe('1a03089601');
  });

  it('decodes what it writes, large values included', () => {
    const bytes = new ProtoWriter()
      .varint(1, 2n ** 62n)
      .string(2, 'é')
      .packedFloats(3, [0.5])
      .finish();
    const fields = decodeFields(bytes);
    expect(fields.map((f) => f.field)).toEqual([1, 2, 3]);
    expect(fields[0]?.value).toBe(2n ** 62n);
    expect(text(fields[1]?.value as Uint8Array)).toBe('é');
    expect(new Float32Array((fields[2]?.value as Uint8Array).slice().buffer)).toEqual(new Float32Array([0.5]));
  });
});

describe('ONNX model encoding', () => {
  /** y = x + [1, 2, 3] with x float [batch_size, 3]. */
  function addModel(): Uint8Array {
    const g = new GraphBuilder();
    const x = g.input('x', DataType.FLOAT, ['batch_size', 3]);
    const y = g.op('Add', [x, g.floats('bias', new Float32Array([1, 2, 3]), [3])]);
    g.output(y, 'y', DataType.FLOAT, ['batch_size', 3]);
    return g.encode({ graphName: 'add', producerName: 'promptune-test', producerVersion: '1', metadata: { k: 'v' } });
  }

  it('has ModelProto fields where onnx.proto puts them', () => {
    const model = decodeFields(addModel());
    const get = (n: number) => model.filter((f) => f.field === n);
    expect(get(1)[0]?.value).toBe(BigInt(IR_VERSION));
    expect(text(get(2)[0]?.value as Uint8Array)).toBe('promptune-test');
    const opset = decodeFields(get(8)[0]?.value as Uint8Array);
    expect(opset.find((f) => f.field === 2)?.value).toBe(BigInt(OPSET_VERSION));
    const meta = decodeFields(get(14)[0]?.value as Uint8Array).map((f) => text(f.value));
    expect(meta).toEqual(['k', 'v']);
    const graph = decodeFields(get(7)[0]?.value as Uint8Array);
    const ops = graph
      .filter((f) => f.field === 1)
      .map((n) => text(decodeFields(n.value as Uint8Array).find((f) => f.field === 4)?.value as Uint8Array));
    expect(ops).toEqual(['Add', 'Identity']);
    const init = decodeFields(graph.find((f) => f.field === 5)?.value as Uint8Array);
    expect(init.find((f) => f.field === 2)?.value).toBe(BigInt(DataType.FLOAT));
    expect(new Float32Array((init.find((f) => f.field === 9)?.value as Uint8Array).slice().buffer)).toEqual(
      new Float32Array([1, 2, 3]),
    );
    // The input's shape: a named dynamic axis, then a fixed one.
    const input = decodeFields(graph.find((f) => f.field === 11)?.value as Uint8Array);
    const tensorType = decodeFields(decodeFields(input[1]?.value as Uint8Array)[0]?.value as Uint8Array);
    const dims = decodeFields(tensorType[1]?.value as Uint8Array).map((d) => decodeFields(d.value as Uint8Array)[0]);
    expect(dims.map((d) => (d?.field === 2 ? text(d.value) : d?.value))).toEqual(['batch_size', 3n]);
  });

  it('runs in onnxruntime-node with a dynamic batch', async () => {
    const session = await ort.InferenceSession.create(addModel());
    expect(session.inputNames).toEqual(['x']);
    const out = await session.run({ x: new ort.Tensor('float32', new Float32Array([0, 0, 0, 10, 20, 30]), [2, 3]) });
    expect(Array.from(out.y?.data as Float32Array)).toEqual([1, 2, 3, 11, 22, 33]);
    await session.release();
  });
});
