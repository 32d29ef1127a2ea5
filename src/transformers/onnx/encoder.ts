// The encoder as an ONNX graph: embeddings (word + position + token type, LayerNorm), the post-LN blocks that
// encoder-block.ts computes, and the pieces heads and recipes build on (first token, rows at a position, pooling,
// the tied masked-LM decoder). Inputs are named and shaped as Hugging Face Optimum exports them.
import { tidy } from '../../engine/index.js';
import type { TransformerModel } from '../models/index.js';
import { type FamilyGraph, ModelWeights, familyGraph } from './families.js';
import { GraphBuilder, activation, attr, gemm, layerNorm, linear } from './graph.js';
import { DataType } from './onnx-proto.js';

/** Dynamic axis names, as Optimum and transformers.js use them. */
export const BATCH = 'batch_size';
export const SEQUENCE = 'sequence_length';

/** An encoder graph in progress: the builder, its inputs and the last hidden state [B, L, H]. */
export interface EncoderGraph {
  g: GraphBuilder;
  model: TransformerModel;
  weights: ModelWeights;
  family: FamilyGraph;
  inputIds: string;
  attentionMask: string;
  tokenTypeIds?: string;
  hidden: string;
}

/** Declares the inputs and builds embeddings and every layer of `model`'s encoder (eval mode: no dropout). */
export function encoderGraph(model: TransformerModel): EncoderGraph {
  const g = new GraphBuilder();
  const family = familyGraph(model);
  const w = new ModelWeights(model);
  const c = model.config;
  const inputIds = g.input('input_ids', DataType.INT64, [BATCH, SEQUENCE]);
  const attentionMask = g.input('attention_mask', DataType.INT64, [BATCH, SEQUENCE]);
  const tokenTypeIds = family.tokenTypeInput(model) ? g.input('token_type_ids', DataType.INT64, [BATCH, SEQUENCE]) : undefined;

  const words = g.op(
    'Gather',
    [g.tensor('embeddings.word_embeddings.weight', w.body('embeddings.word_embeddings.weight')), inputIds],
    {
      axis: attr.int(0),
    },
  );
  const positionTable = g.tensor('embeddings.position_embeddings.weight', w.body('embeddings.position_embeddings.weight'));
  let positions: string;
  if (family.positions === 'absolute') {
    // Rows 0..L-1 of the table, broadcast over the batch.
    const len = g.op('Shape', [inputIds], { start: attr.int(1), end: attr.int(2) });
    positions = g.op('Slice', [positionTable, g.constInt([0]), len, g.constInt([0])]);
  } else {
    // RoBERTa: pad tokens get padding_idx, the others padding_idx + 1, + 2, ... in order (a cumulative count).
    const notPad = g.op('Cast', [g.op('Not', [g.op('Equal', [inputIds, g.constInt([c.padTokenId], [])])])], {
      to: attr.int(DataType.INT64),
    });
    const counted = g.op('Mul', [g.op('CumSum', [notPad, g.constInt([1], [])]), notPad]);
    const ids = g.op('Add', [counted, g.constInt([c.padTokenId], [])]);
    positions = g.op('Gather', [positionTable, ids], { axis: attr.int(0) });
  }
  let e = g.op('Add', [words, positions]);
  if (family.tokenTypes) {
    const table = w.body('embeddings.token_type_embeddings.weight');
    const types = tokenTypeIds
      ? g.op('Gather', [g.tensor('embeddings.token_type_embeddings.weight', table), tokenTypeIds], { axis: attr.int(0) })
      : tidy(() => g.tensor('embeddings.token_type_embeddings.0', table.select(0, 0)));
    e = g.op('Add', [e, types]);
  }
  let h = layerNorm(
    g,
    e,
    'embeddings.LayerNorm',
    w.body('embeddings.LayerNorm.weight'),
    w.body('embeddings.LayerNorm.bias'),
    c.layerNormEps,
  );

  // Additive key mask [B, 1, 1, L]: 0 where attended, the lowest float32 where padding (as transformers does).
  const keep = g.op('Cast', [attentionMask], { to: attr.int(DataType.FLOAT) });
  const blocked = g.op('Mul', [g.op('Sub', [g.constFloat([1]), keep]), g.constFloat([-3.4028234663852886e38])]);
  const maskBias = g.op('Unsqueeze', [blocked, g.constInt([1, 2])]);
  for (let i = 0; i < c.numLayers; i++) h = block(g, w, family.layer(i), h, maskBias, model);
  return { g, model, weights: w, family, inputIds, attentionMask, ...(tokenTypeIds ? { tokenTypeIds } : {}), hidden: h };
}

/** One post-LN block: x + attention → LayerNorm → x + FFN → LayerNorm. */
function block(
  g: GraphBuilder,
  w: ModelWeights,
  n: ReturnType<FamilyGraph['layer']>,
  x: string,
  maskBias: string,
  model: TransformerModel,
): string {
  const c = model.config;
  const d = c.hiddenSize / c.numHeads;
  const lin = (input: string, name: string): string => linear(g, input, name, w.body(`${name}.weight`), w.body(`${name}.bias`));
  const ln = (input: string, name: string): string =>
    layerNorm(g, input, name, w.body(`${name}.weight`), w.body(`${name}.bias`), c.layerNormEps);
  const heads = g.constInt([0, 0, c.numHeads, d]);
  const split = (t: string, perm: number[]): string =>
    g.op('Transpose', [g.op('Reshape', [t, heads])], { perm: attr.ints(perm) });
  const q = split(lin(x, n.query), [0, 2, 1, 3]);
  const kT = split(lin(x, n.key), [0, 2, 3, 1]);
  const v = split(lin(x, n.value), [0, 2, 1, 3]);
  const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [q, kT]), g.constFloat([1 / Math.sqrt(d)])]), maskBias]);
  const ctx = g.op('MatMul', [g.op('Softmax', [scores], { axis: attr.int(-1) }), v]);
  const merged = g.op('Reshape', [g.op('Transpose', [ctx], { perm: attr.ints([0, 2, 1, 3]) }), g.constInt([0, 0, c.hiddenSize])]);
  const a = ln(g.op('Add', [lin(merged, n.attentionOut), x]), n.attentionNorm);
  const ffn = lin(activation(g, lin(a, n.ffnIn), c.hiddenAct), n.ffnOut);
  return ln(g.op('Add', [ffn, a]), n.outputNorm);
}

/** The first token's states [B, H] (CLS / <s>). */
export function firstToken(e: EncoderGraph): string {
  return e.g.op('Gather', [e.hidden, e.g.constInt([0], [])], { axis: attr.int(1) });
}

/** The family's sequence-classification head on the first token: logits [B, labels]. */
export function classificationLogits(e: EncoderGraph): string {
  return e.family.classifier(e.g, e.weights, firstToken(e));
}

/** Masked-LM vocabulary logits for rows [N, H] of hidden states: the head's transform, then the tied decoder. */
export function maskedLmLogits(e: EncoderGraph, rows: string): string {
  const { x, bias } = e.family.maskedLmTransform(e.g, e.weights, rows);
  const table = e.g.tensor('embeddings.word_embeddings.weight', e.weights.body('embeddings.word_embeddings.weight'));
  return gemm(e.g, x, table, e.g.tensor('decoder.bias', bias));
}

/** The hidden states [B, H] at the first position where input_ids equals `tokenId` (e.g. the mask token). */
export function statesAtToken(e: EncoderGraph, tokenId: number): string {
  const g = e.g;
  const hit = g.op('Cast', [g.op('Equal', [e.inputIds, g.constInt([tokenId], [])])], { to: attr.int(DataType.INT64) });
  // ArgMax returns the first maximum: the first occurrence (position 0 when the token is absent).
  const at = g.op('ArgMax', [hit], { axis: attr.int(1), keepdims: attr.int(1) });
  const index = g.op('Expand', [g.op('Unsqueeze', [at, g.constInt([2])]), g.constInt([1, 1, e.model.config.hiddenSize])]);
  return g.op('Squeeze', [g.op('GatherElements', [e.hidden, index], { axis: attr.int(1) }), g.constInt([1])]);
}

/** Mean of the token states over the attention mask [B, H], optionally scaled to unit length (pooling.ts). */
export function meanPool(e: EncoderGraph, normalize: boolean): string {
  const g = e.g;
  const m = g.op('Unsqueeze', [g.op('Cast', [e.attentionMask], { to: attr.int(DataType.FLOAT) }), g.constInt([2])]);
  const sum = g.op('ReduceSum', [g.op('Mul', [e.hidden, m]), g.constInt([1])], { keepdims: attr.int(0) });
  const count = g.op('Max', [g.op('ReduceSum', [m, g.constInt([1])], { keepdims: attr.int(0) }), g.constFloat([1e-9])]);
  const mean = g.op('Div', [sum, count]);
  if (!normalize) return mean;
  const len = g.op('Sqrt', [g.op('ReduceSum', [g.op('Mul', [mean, mean]), g.constInt([1])], { keepdims: attr.int(1) })]);
  return g.op('Div', [mean, g.op('Max', [len, g.constFloat([1e-12])])]);
}

/** The model with its own head as ONNX bytes: `logits` ([B, labels] or [B, L, vocab]) or `last_hidden_state`. */
export function modelToOnnx(model: TransformerModel): Uint8Array {
  const e = encoderGraph(model);
  const g = e.g;
  const c = model.config;
  if (model.head === 'sequence-classification') {
    g.output(classificationLogits(e), 'logits', DataType.FLOAT, [BATCH, c.labels.length]);
  } else if (model.head === 'masked-lm') {
    const rows = g.op('Reshape', [e.hidden, g.constInt([-1, c.hiddenSize])]);
    const shape = g.op('Concat', [g.op('Shape', [e.inputIds]), g.constInt([c.vocabSize])], { axis: attr.int(0) });
    g.output(g.op('Reshape', [maskedLmLogits(e, rows), shape]), 'logits', DataType.FLOAT, [BATCH, SEQUENCE, c.vocabSize]);
  } else {
    g.output(e.hidden, 'last_hidden_state', DataType.FLOAT, [BATCH, SEQUENCE, c.hiddenSize]);
  }
  return g.encode({ graphName: model.architecture, producerName: 'promptune', producerVersion: PRODUCER_VERSION });
}

/** Written into every model's producer_version. */
export const PRODUCER_VERSION = '0.1.0';
