// RoBERTa: BERT's body with positions counted after the padding index, and its own heads
// (lm_head with a GELU transform; a two-layer classifier over the <s> token).
import { F, LayerNorm, Linear, type Tensor, zeros } from '../../engine/index.js';
import { BertBody, parseBertLikeConfig } from './bert.js';
import type { ModelConfig } from './config.js';
import { Group } from './group.js';
import { type HeadKind, type HeadSpec, TransformerModel, tiedDecoder } from './model.js';

/** lm_head: dense → GELU → layer_norm → tied decoder + bias. */
function robertaMaskedLmHead(c: ModelConfig, body: BertBody): HeadSpec {
  const dense = new Linear(c.hiddenSize, c.hiddenSize);
  const norm = new LayerNorm(c.hiddenSize, c.layerNormEps);
  const lmHead = new Group({ dense, layer_norm: norm }, { bias: zeros([c.vocabSize]) });
  return {
    modules: { lm_head: lmHead },
    logits: (hidden, _inputs, opts) =>
      tiedDecoder(
        hidden,
        (h) => norm.forward(dense.forward(h).gelu()),
        body.wordEmbeddings.weight,
        lmHead.params.bias,
        opts.logitsAt,
      ),
    tiedKeys: ['lm_head.decoder.weight', 'lm_head.decoder.bias'],
    lmBias: { get: () => lmHead.params.bias, set: (t) => lmHead.setParam('bias', t) },
  };
}

/** classifier: <s> → dropout → dense → tanh → dropout → out_proj. */
function robertaClassificationHead(c: ModelConfig): HeadSpec {
  const dense = new Linear(c.hiddenSize, c.hiddenSize);
  const outProj = new Linear(c.hiddenSize, Math.max(c.labels.length, 1));
  const drop = (t: Tensor, training: boolean): Tensor => F.dropout(t, c.classifierDropout, training);
  return {
    modules: { classifier: new Group({ dense, out_proj: outProj }) },
    logits: (hidden, _inputs, _opts, training) =>
      outProj.forward(drop(dense.forward(drop(hidden.select(1, 0), training)).tanh(), training)),
  };
}

/** Builds a RoBERTa-shaped model; XLM-R passes its own family name and class names. */
export function createRobertaShaped(
  config: ModelConfig,
  head: HeadKind,
  family: string,
  architectures: Record<HeadKind, string>,
): TransformerModel {
  const body = new BertBody(config, { pooler: head === 'base', positions: 'after-padding' });
  const spec =
    head === 'masked-lm'
      ? robertaMaskedLmHead(config, body)
      : head === 'sequence-classification'
        ? robertaClassificationHead(config)
        : { modules: {} };
  return new TransformerModel(config, head, {
    family,
    prefix: 'roberta',
    architecture: architectures[head],
    body,
    head: spec,
    positionOffset: config.padTokenId + 1,
  });
}

/** Builds a RoBERTa model with freshly initialised weights. */
export function createRoberta(config: ModelConfig, head: HeadKind): TransformerModel {
  return createRobertaShaped(config, head, 'roberta', {
    base: 'RobertaModel',
    'masked-lm': 'RobertaForMaskedLM',
    'sequence-classification': 'RobertaForSequenceClassification',
  });
}

/** Reads a RoBERTa config.json. */
export function parseRobertaConfig(raw: Record<string, unknown>, source: string): ModelConfig {
  return parseBertLikeConfig(raw, source, { vocabSize: 50265, padTokenId: 1 });
}
