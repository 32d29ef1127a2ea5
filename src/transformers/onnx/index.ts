// Public API of the ONNX exporter: our own protobuf writer, a graph builder, and encoder graphs for every family.
export { ProtoWriter, type ProtoField, decodeFields } from './protobuf.js';
export {
  DataType,
  type DataTypeId,
  type TensorValue,
  type AttributeValue,
  type NodeValue,
  type ValueInfo,
  type ModelValue,
  IR_VERSION,
  encodeModel,
} from './onnx-proto.js';
export { OPSET_VERSION, GraphBuilder, attr, linear, gemm, layerNorm, activation } from './graph.js';
export { OnnxExportError } from './errors.js';
export { type FamilyGraph, ModelWeights, familyGraph } from './families.js';
export {
  BATCH,
  SEQUENCE,
  PRODUCER_VERSION,
  type EncoderGraph,
  encoderGraph,
  firstToken,
  classificationLogits,
  maskedLmLogits,
  statesAtToken,
  meanPool,
  modelToOnnx,
} from './encoder.js';
