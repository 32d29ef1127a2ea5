// The ONNX messages Promptune writes (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto,
// ValueInfoProto), encoded with the field numbers of onnx/onnx.proto (IR version 8).
import { ProtoWriter } from './protobuf.js';

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, INT64: 7, BOOL: 9 } as const;
/** An ONNX element type. */
export type DataTypeId = (typeof DataType)[keyof typeof DataType];

/** A constant tensor (initializer or Constant value), stored as little-endian raw_data. */
export interface TensorValue {
  name: string;
  dims: readonly number[];
  dataType: DataTypeId;
  data: Float32Array | BigInt64Array;
}

/** A node attribute, typed as ONNX's AttributeProto.AttributeType. */
export type AttributeValue =
  | { type: 'float'; value: number }
  | { type: 'int'; value: number }
  | { type: 'string'; value: string }
  | { type: 'ints'; value: readonly number[] }
  | { type: 'floats'; value: readonly number[] }
  | { type: 'tensor'; value: TensorValue };

/** One operator application. */
export interface NodeValue {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  attributes?: Readonly<Record<string, AttributeValue>>;
}

/** A graph input or output: element type and shape, where a string is a dynamic axis ("batch_size"). */
export interface ValueInfo {
  name: string;
  elemType: DataTypeId;
  shape: readonly (number | string)[];
}

/** Everything a model file holds. */
export interface ModelValue {
  graphName: string;
  nodes: readonly NodeValue[];
  initializers: readonly TensorValue[];
  inputs: readonly ValueInfo[];
  outputs: readonly ValueInfo[];
  opsetVersion: number;
  producerName: string;
  producerVersion: string;
  docString?: string;
  metadata?: Readonly<Record<string, string>>;
}

/** IR version 8 is what opset 17 was released with; every runtime that knows opset 17 reads it. */
export const IR_VERSION = 8;

const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;

/** TensorProto: dims 1, data_type 2, name 8, raw_data 9. */
export function encodeTensor(t: TensorValue): ProtoWriter {
  const w = new ProtoWriter();
  w.packedVarints(1, t.dims);
  w.varint(2, t.dataType);
  w.string(8, t.name);
  // raw_data must be little-endian; typed arrays are in platform order, so copy byte by byte on big-endian hosts.
  w.bytes(9, littleEndianBytes(t.data));
  return w;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function littleEndianBytes(data: Float32Array | BigInt64Array): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (LITTLE_ENDIAN) return bytes;
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  if (data instanceof Float32Array) data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  else data.forEach((v, i) => view.setBigInt64(i * 8, v, true));
  return out;
}

/** AttributeProto: name 1, f 2, i 3, s 4, t 5, floats 7, ints 8, type 20. */
export function encodeAttribute(name: string, a: AttributeValue): ProtoWriter {
  const w = new ProtoWriter();
  w.string(1, name);
  switch (a.type) {
    case 'float':
      w.float(2, a.value);
      break;
    case 'int':
      w.varint(3, a.value);
      break;
    case 'string':
      w.string(4, a.value);
      break;
    case 'tensor':
      w.message(5, encodeTensor(a.value));
      break;
    case 'floats':
      w.packedFloats(7, a.value);
      break;
    case 'ints':
      w.packedVarints(8, a.value);
      break;
  }
  w.varint(20, ATTRIBUTE_TYPE[a.type]);
  return w;
}

/** NodeProto: input 1, output 2, name 3, op_type 4, attribute 5. */
export function encodeNode(n: NodeValue): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  if (n.name) w.string(3, n.name);
  w.string(4, n.opType);
  for (const [k, v] of Object.entries(n.attributes ?? {})) w.message(5, encodeAttribute(k, v));
  return w;
}

/** ValueInfoProto{name 1, type 2} → TypeProto{tensor_type 1} → Tensor{elem_type 1, shape 2} → dim{value 1 | param 2}. */
export function encodeValueInfo(v: ValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.shape) {
    const dim = new ProtoWriter();
    if (typeof d === 'string') dim.string(2, d);
    else dim.varint(1, d);
    shape.message(1, dim);
  }
  const tensorType = new ProtoWriter().varint(1, v.elemType).message(2, shape);
  const type = new ProtoWriter().message(1, tensorType);
  return new ProtoWriter().string(1, v.name).message(2, type);
}

/** GraphProto: node 1, name 2, initializer 5, input 11, output 12. */
export function encodeGraph(m: Pick<ModelValue, 'graphName' | 'nodes' | 'initializers' | 'inputs' | 'outputs'>): ProtoWriter {
  const w = new ProtoWriter();
  for (const n of m.nodes) w.message(1, encodeNode(n));
  w.string(2, m.graphName);
  for (const t of m.initializers) w.message(5, encodeTensor(t));
  for (const i of m.inputs) w.message(11, encodeValueInfo(i));
  for (const o of m.outputs) w.message(12, encodeValueInfo(o));
  return w;
}

/** ModelProto: ir_version 1, producer_name 2, producer_version 3, doc_string 6, graph 7, opset_import 8, metadata_props 14. */
export function encodeModel(m: ModelValue): Uint8Array {
  const w = new ProtoWriter();
  w.varint(1, IR_VERSION);
  w.string(2, m.producerName);
  w.string(3, m.producerVersion);
  if (m.docString) w.string(6, m.docString);
  w.message(7, encodeGraph(m));
  // OperatorSetIdProto: domain 1 (empty = the default ai.onnx domain), version 2.
  w.message(8, new ProtoWriter().string(1, '').varint(2, m.opsetVersion));
  for (const [key, value] of Object.entries(m.metadata ?? {})) w.message(14, new ProtoWriter().string(1, key).string(2, value));
  return w.finish();
}
