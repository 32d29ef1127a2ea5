// Building an ONNX graph op by op: unique value names, deduplicated constants, initializers from our tensors,
// and the few composite pieces (linear layers, LayerNorm, activations) every encoder graph needs.
import { type Tensor, tidy } from '../../engine/index.js';
import { OnnxExportError } from './errors.js';
import {
  type AttributeValue,
  DataType,
  type DataTypeId,
  type ModelValue,
  type NodeValue,
  type TensorValue,
  type ValueInfo,
  encodeModel,
} from './onnx-proto.js';

/** The opset written: 17 is the first with LayerNormalization. */
export const OPSET_VERSION = 17;

/** Attribute constructors, so call sites read `attr.int(1)` rather than object literals. */
export const attr = {
  float: (value: number): AttributeValue => ({ type: 'float', value }),
  int: (value: number): AttributeValue => ({ type: 'int', value }),
  ints: (value: readonly number[]): AttributeValue => ({ type: 'ints', value }),
};

/** A graph under construction; every method returns the name of the value it produced. */
export class GraphBuilder {
  readonly nodes: NodeValue[] = [];
  readonly initializers: TensorValue[] = [];
  readonly inputs: ValueInfo[] = [];
  readonly outputs: ValueInfo[] = [];
  #counter = 0;
  #constants = new Map<string, string>();
  #names = new Set<string>();
  // A tensor used twice (the word table: embedding lookup and tied decoder) is stored once.
  #fromTensors = new Map<Tensor, Map<boolean, string>>();

  #fresh(hint: string): string {
    let name: string;
    do name = `${hint}_${this.#counter++}`;
    while (this.#names.has(name));
    this.#names.add(name);
    return name;
  }

  /** Declares a graph input. */
  input(name: string, elemType: DataTypeId, shape: readonly (number | string)[]): string {
    this.#names.add(name);
    this.inputs.push({ name, elemType, shape });
    return name;
  }

  /** Declares `value` as a graph output called `name` (through an Identity, so any value can be exposed). */
  output(value: string, name: string, elemType: DataTypeId, shape: readonly (number | string)[]): void {
    this.#names.add(name);
    this.nodes.push({ opType: 'Identity', inputs: [value], outputs: [name], name: `output_${name}` });
    this.outputs.push({ name, elemType, shape });
  }

  /** Adds one node and returns its (first) output. */
  op(opType: string, inputs: readonly string[], attributes?: Record<string, AttributeValue>): string {
    const out = this.#fresh(opType.toLowerCase());
    this.nodes.push({ opType, inputs, outputs: [out], name: `${out}_node`, ...(attributes ? { attributes } : {}) });
    return out;
  }

  /** An initializer holding float32 data. */
  floats(name: string, data: Float32Array, dims: readonly number[]): string {
    const unique = this.#names.has(name) ? this.#fresh(name) : name;
    this.#names.add(unique);
    this.initializers.push({ name: unique, dims, dataType: DataType.FLOAT, data });
    return unique;
  }

  /** An initializer copied from an engine tensor (float32), optionally transposed from [out, in] to [in, out]. */
  tensor(name: string, t: Tensor, opts: { transpose?: boolean } = {}): string {
    if (t.dtype !== 'float32')
      throw new OnnxExportError('ONNX_UNSUPPORTED', `${name} is ${t.dtype}: only float32 weights can be exported`);
    const seen = this.#fromTensors.get(t)?.get(opts.transpose ?? false);
    if (seen) return seen;
    const { data, dims } = tidy(() => {
      const src = opts.transpose ? t.detach().T.contiguous() : t.detach().contiguous();
      return { data: src.toTypedArray<'float32'>().slice(), dims: [...src.shape] };
    });
    const stored = this.floats(name, data as Float32Array, dims);
    const byLayout = this.#fromTensors.get(t) ?? new Map<boolean, string>();
    byLayout.set(opts.transpose ?? false, stored);
    this.#fromTensors.set(t, byLayout);
    return stored;
  }

  /** A float32 constant (shared between uses with the same value). */
  constFloat(values: readonly number[], dims: readonly number[] = []): string {
    return this.#constant('f', values, dims, () => this.floats(this.#fresh('const_f'), new Float32Array(values), dims));
  }

  /** An int64 constant (shared between uses with the same value). */
  constInt(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.#constant('i', values, dims, () => {
      const name = this.#fresh('const_i');
      this.initializers.push({ name, dims, dataType: DataType.INT64, data: new BigInt64Array(values.map(BigInt)) });
      return name;
    });
  }

  #constant(kind: string, values: readonly number[], dims: readonly number[], make: () => string): string {
    const key = `${kind}:${dims.join(',')}:${values.join(',')}`;
    let name = this.#constants.get(key);
    if (!name) {
      name = make();
      this.#constants.set(key, name);
    }
    return name;
  }

  /** The finished model as ONNX bytes. */
  encode(meta: Pick<ModelValue, 'graphName' | 'producerName' | 'producerVersion' | 'docString' | 'metadata'>): Uint8Array {
    return encodeModel({
      ...meta,
      nodes: this.nodes,
      initializers: this.initializers,
      inputs: this.inputs,
      outputs: this.outputs,
      opsetVersion: OPSET_VERSION,
    });
  }
}

/** y = x Wᵀ + b for x of any rank (MatMul with the weight stored transposed, then Add). */
export function linear(g: GraphBuilder, x: string, name: string, weight: Tensor, bias?: Tensor): string {
  const y = g.op('MatMul', [x, g.tensor(`${name}.weight`, weight, { transpose: true })]);
  return bias ? g.op('Add', [y, g.tensor(`${name}.bias`, bias)]) : y;
}

/** y = x Wᵀ + b for x [N, in] with Gemm, which reads the weight as stored ([out, in]): no transposed copy. */
export function gemm(g: GraphBuilder, x: string, weight: string, bias: string): string {
  return g.op('Gemm', [x, weight, bias], { transB: attr.int(1) });
}

/** LayerNormalization over the last axis. */
export function layerNorm(g: GraphBuilder, x: string, name: string, weight: Tensor, bias: Tensor, eps: number): string {
  return g.op('LayerNormalization', [x, g.tensor(`${name}.weight`, weight), g.tensor(`${name}.bias`, bias)], {
    axis: attr.int(-1),
    epsilon: attr.float(eps),
  });
}

/** The activation named as config.json names it (hidden_act / activation), in opset-17 primitives. */
export function activation(g: GraphBuilder, x: string, name: string): string {
  const mul = (a: string, b: string): string => g.op('Mul', [a, b]);
  switch (name) {
    case 'gelu': {
      // 0.5 · x · (1 + erf(x / √2)): the exact GELU, as torch's default.
      const erf = g.op('Erf', [mul(x, g.constFloat([Math.SQRT1_2]))]);
      return mul(mul(x, g.op('Add', [erf, g.constFloat([1])])), g.constFloat([0.5]));
    }
    case 'gelu_new':
    case 'gelu_pytorch_tanh': {
      // 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 x³))).
      const cube = mul(x, mul(x, x));
      const inner = mul(g.op('Add', [x, mul(cube, g.constFloat([0.044715]))]), g.constFloat([Math.sqrt(2 / Math.PI)]));
      return mul(mul(x, g.op('Add', [g.op('Tanh', [inner]), g.constFloat([1])])), g.constFloat([0.5]));
    }
    case 'relu':
      return g.op('Relu', [x]);
    case 'silu':
    case 'swish':
      return mul(x, g.op('Sigmoid', [x]));
    case 'tanh':
      return g.op('Tanh', [x]);
    case 'quick_gelu':
      return mul(x, g.op('Sigmoid', [mul(x, g.constFloat([1.702]))]));
    default:
      throw new OnnxExportError('ONNX_UNSUPPORTED', `activation "${name}" has no ONNX export`);
  }
}
