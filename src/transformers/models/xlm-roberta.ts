// XLM-RoBERTa: RoBERTa's architecture and parameter names (prefix "roberta") with a SentencePiece vocabulary.
import { parseBertLikeConfig } from './bert.js';
import type { ModelConfig } from './config.js';
import type { HeadKind, TransformerModel } from './model.js';
import { createRobertaShaped } from './roberta.js';

/** Builds an XLM-R model with freshly initialised weights. */
export function createXlmRoberta(config: ModelConfig, head: HeadKind): TransformerModel {
  return createRobertaShaped(config, head, 'xlm-roberta', {
    base: 'XLMRobertaModel',
    'masked-lm': 'XLMRobertaForMaskedLM',
    'sequence-classification': 'XLMRobertaForSequenceClassification',
  });
}

/** Reads an XLM-R config.json (transformers' XLMRobertaConfig defaults). */
export function parseXlmRobertaConfig(raw: Record<string, unknown>, source: string): ModelConfig {
  return parseBertLikeConfig(raw, source, { vocabSize: 30522, padTokenId: 1 });
}
