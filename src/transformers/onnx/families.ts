// What differs between the families in their ONNX graphs: parameter names, how positions are counted, whether
// token types are an input, and the heads. Mirrors bert.ts / roberta.ts / distilbert.ts; adding a family means
// adding one entry here.
import type { Tensor } from '../../engine/index.js';
import type { TransformerModel } from '../models/index.js';
import { OnnxExportError } from './errors.js';
import { type GraphBuilder, activation, gemm } from './graph.js';

/** Looks up a model's parameters by Hugging Face name; a missing name is an exporter bug, said plainly. */
export class ModelWeights {
  readonly #params: Map<string, Tensor>;
  readonly #bodyPrefix: string;

  constructor(readonly model: TransformerModel) {
    this.#params = new Map(model.namedParameters());
    this.#bodyPrefix = model.head === 'base' ? '' : `${model.prefix}.`;
  }

  /** A parameter of the encoder body (name without the base-model prefix). */
  body(name: string): Tensor {
    return this.get(`${this.#bodyPrefix}${name}`);
  }

  /** A parameter by its full name. */
  get(name: string): Tensor {
    const t = this.#params.get(name);
    if (!t) throw new OnnxExportError('ONNX_UNSUPPORTED', `the ${this.model.family} model has no parameter ${name}`);
    return t;
  }
}

/** The Hugging Face module names of one encoder layer's weights. */
export interface LayerNames {
  query: string;
  key: string;
  value: string;
  attentionOut: string;
  attentionNorm: string;
  ffnIn: string;
  ffnOut: string;
  outputNorm: string;
}

/** One family's graph-level differences. */
export interface FamilyGraph {
  layer(i: number): LayerNames;
  /** 'after-padding': RoBERTa's position ids, padding_idx + 1 onwards over non-pad tokens. */
  positions: 'absolute' | 'after-padding';
  /** Whether the embeddings have a token type table. */
  tokenTypes: boolean;
  /** Whether token_type_ids is a graph input (only where the ids can be other than 0). */
  tokenTypeInput(model: TransformerModel): boolean;
  /** First-token states [B, H] → classification logits [B, labels]. */
  classifier(g: GraphBuilder, w: ModelWeights, first: string): string;
  /** Rows [N, H] → the masked-LM transform [N, H], and the decoder bias (the decoder weight is the word table). */
  maskedLmTransform(g: GraphBuilder, w: ModelWeights, rows: string): { x: string; bias: Tensor };
}

/** A Linear by module name on 2-D rows, reading [out, in] weights as stored. */
function dense(g: GraphBuilder, w: ModelWeights, x: string, name: string, inBody = false): string {
  const get = (k: string): Tensor => (inBody ? w.body(k) : w.get(k));
  return gemm(g, x, g.tensor(`${name}.weight`, get(`${name}.weight`)), g.tensor(`${name}.bias`, get(`${name}.bias`)));
}

function norm2d(g: GraphBuilder, w: ModelWeights, x: string, name: string): string {
  return g.op(
    'LayerNormalization',
    [x, g.tensor(`${name}.weight`, w.get(`${name}.weight`)), g.tensor(`${name}.bias`, w.get(`${name}.bias`))],
    { axis: { type: 'int', value: -1 }, epsilon: { type: 'float', value: w.model.config.layerNormEps } },
  );
}

const bertLayer = (i: number): LayerNames => {
  const p = `encoder.layer.${i}`;
  return {
    query: `${p}.attention.self.query`,
    key: `${p}.attention.self.key`,
    value: `${p}.attention.self.value`,
    attentionOut: `${p}.attention.output.dense`,
    attentionNorm: `${p}.attention.output.LayerNorm`,
    ffnIn: `${p}.intermediate.dense`,
    ffnOut: `${p}.output.dense`,
    outputNorm: `${p}.output.LayerNorm`,
  };
};

const BERT: FamilyGraph = {
  layer: bertLayer,
  positions: 'absolute',
  tokenTypes: true,
  tokenTypeInput: () => true,
  // pooler (dense + tanh) → classifier
  classifier: (g, w, first) => dense(g, w, g.op('Tanh', [dense(g, w, first, 'pooler.dense', true)]), 'classifier'),
  maskedLmTransform: (g, w, rows) => {
    const h = activation(g, dense(g, w, rows, 'cls.predictions.transform.dense'), w.model.config.hiddenAct);
    return { x: norm2d(g, w, h, 'cls.predictions.transform.LayerNorm'), bias: w.get('cls.predictions.bias') };
  },
};

const ROBERTA: FamilyGraph = {
  layer: bertLayer,
  positions: 'after-padding',
  tokenTypes: true,
  // RoBERTa checkpoints have one token type; our model then always adds row 0, so it is a constant, not an input.
  tokenTypeInput: (m) => m.config.typeVocabSize > 1,
  classifier: (g, w, first) => dense(g, w, g.op('Tanh', [dense(g, w, first, 'classifier.dense')]), 'classifier.out_proj'),
  // lm_head uses the exact GELU whatever hidden_act says, as transformers does.
  maskedLmTransform: (g, w, rows) => {
    const h = activation(g, dense(g, w, rows, 'lm_head.dense'), 'gelu');
    return { x: norm2d(g, w, h, 'lm_head.layer_norm'), bias: w.get('lm_head.bias') };
  },
};

const DISTILBERT: FamilyGraph = {
  layer: (i) => {
    const p = `transformer.layer.${i}`;
    return {
      query: `${p}.attention.q_lin`,
      key: `${p}.attention.k_lin`,
      value: `${p}.attention.v_lin`,
      attentionOut: `${p}.attention.out_lin`,
      attentionNorm: `${p}.sa_layer_norm`,
      ffnIn: `${p}.ffn.lin1`,
      ffnOut: `${p}.ffn.lin2`,
      outputNorm: `${p}.output_layer_norm`,
    };
  },
  positions: 'absolute',
  tokenTypes: false,
  tokenTypeInput: () => false,
  classifier: (g, w, first) => dense(g, w, g.op('Relu', [dense(g, w, first, 'pre_classifier')]), 'classifier'),
  maskedLmTransform: (g, w, rows) => {
    const h = activation(g, dense(g, w, rows, 'vocab_transform'), w.model.config.hiddenAct);
    return { x: norm2d(g, w, h, 'vocab_layer_norm'), bias: w.get('vocab_projector.bias') };
  },
};

const FAMILIES: Record<string, FamilyGraph> = {
  bert: BERT,
  roberta: ROBERTA,
  'xlm-roberta': ROBERTA,
  distilbert: DISTILBERT,
};

/** The graph description of a model's family, or a clear error naming the families that export. */
export function familyGraph(model: TransformerModel): FamilyGraph {
  const f = FAMILIES[model.family];
  if (!f)
    throw new OnnxExportError(
      'ONNX_UNSUPPORTED',
      `ONNX export of the ${model.family} family is not supported; supported: ${Object.keys(FAMILIES).join(', ')}`,
    );
  return f;
}
