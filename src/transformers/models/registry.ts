// model_type → family: the one place that knows every supported architecture. Adding a family means writing
// its file and adding one entry here.
import { createBert, parseBertConfig } from './bert.js';
import type { ModelConfig } from './config.js';
import { createDistilBert, parseDistilBertConfig } from './distilbert.js';
import { ModelError } from './errors.js';
import type { HeadKind, TransformerModel } from './model.js';
import { createRoberta, parseRobertaConfig } from './roberta.js';
import { createXlmRoberta, parseXlmRobertaConfig } from './xlm-roberta.js';

/** What the loader needs from a family. */
export interface ModelFamily {
  /** config.json's model_type values this family reads. */
  modelTypes: readonly string[];
  parseConfig(raw: Record<string, unknown>, source: string): ModelConfig;
  create(config: ModelConfig, head: HeadKind): TransformerModel;
}

const FAMILIES: readonly ModelFamily[] = [
  { modelTypes: ['bert'], parseConfig: parseBertConfig, create: createBert },
  { modelTypes: ['roberta'], parseConfig: parseRobertaConfig, create: createRoberta },
  { modelTypes: ['xlm-roberta'], parseConfig: parseXlmRobertaConfig, create: createXlmRoberta },
  { modelTypes: ['distilbert'], parseConfig: parseDistilBertConfig, create: createDistilBert },
];

/** The model_type values Promptune can load. */
export const SUPPORTED_MODEL_TYPES: readonly string[] = FAMILIES.flatMap((f) => f.modelTypes);

/** The family for a config.json's model_type, or an error listing what is supported. */
export function familyFor(modelType: unknown, source: string): ModelFamily {
  const family = FAMILIES.find((f) => f.modelTypes.includes(String(modelType)));
  if (!family) {
    throw new ModelError(
      'MODEL_UNSUPPORTED',
      `${source}: model_type ${JSON.stringify(modelType) ?? 'is missing'}${modelType === undefined ? '' : ' is not supported'}; supported: ${SUPPORTED_MODEL_TYPES.join(', ')}. See docs/models.md to add a family.`,
    );
  }
  return family;
}

/** The head a checkpoint was saved with, from config.json's architectures (masked-LM for pre-training classes). */
export function headFromArchitectures(architectures: unknown): HeadKind {
  const name = Array.isArray(architectures) ? String(architectures[0] ?? '') : '';
  if (name.endsWith('ForSequenceClassification')) return 'sequence-classification';
  if (name.endsWith('ForMaskedLM') || name.endsWith('ForPreTraining')) return 'masked-lm';
  return 'base';
}
