// The model configuration every family is reduced to, and config.json validation with one clear message.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ModelError } from './errors.js';

/** Hyper-parameters of an encoder, in one spelling whatever the family calls them in config.json. */
export interface EncoderConfig {
  modelType: string;
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  intermediateSize: number;
  hiddenAct: string;
  hiddenDropout: number;
  attentionDropout: number;
  classifierDropout: number;
  maxPositions: number;
  /** 0 for families without token type embeddings (DistilBERT). */
  typeVocabSize: number;
  layerNormEps: number;
  padTokenId: number;
  initializerRange: number;
  /** Class names ordered by id, from id2label; empty when the checkpoint has no classification head. */
  labels: string[];
}

/** A parsed config.json: the normalised fields plus every original key, so saving writes them back. */
export interface ModelConfig extends EncoderConfig {
  raw: Record<string, unknown>;
}

/** Reads and parses a config.json file, naming the file in every error. */
export function readConfigJson(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ModelError('MODEL_FILES', `${path} not found: a model directory needs config.json next to its weights.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ModelError('MODEL_CONFIG', `${path} is not valid JSON (${(e as Error).message}).`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ModelError(
      'MODEL_CONFIG',
      `${path} must hold a JSON object, got ${Array.isArray(json) ? 'an array' : typeof json}.`,
    );
  }
  return json as Record<string, unknown>;
}

/** Validates `raw` against a family's schema; the first problem becomes one message with field, value and fix. */
export function validateConfig<S extends z.ZodType>(schema: S, raw: Record<string, unknown>, source: string): z.infer<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0] as z.core.$ZodIssue;
  const field = issue.path.join('.') || '(root)';
  const value = issue.path.reduce<unknown>((o, k) => (o as Record<PropertyKey, unknown> | undefined)?.[k], raw);
  throw new ModelError(
    'MODEL_CONFIG',
    `${source}: field "${field}" is ${JSON.stringify(value) ?? 'missing'}: ${issue.message}. Fix the value in config.json (it must match the checkpoint's weights).`,
  );
}

const positiveInt = z.number().int().positive();
const probability = z.number().min(0).max(1);

/** id2label as Hugging Face writes it ({"0": "negative", ...}), turned into names ordered by id. */
export const id2labelSchema = z
  .record(z.string().regex(/^\d+$/, 'keys must be class ids ("0", "1", ...)'), z.string())
  .optional()
  .transform((m, ctx) => {
    if (!m) return [];
    const ids = Object.keys(m)
      .map(Number)
      .sort((a, b) => a - b);
    if (ids.some((id, i) => id !== i)) {
      ctx.addIssue({ code: 'custom', message: 'class ids must be 0..n-1 without gaps' });
      return z.NEVER;
    }
    return ids.map((id) => m[String(id)] as string);
  });

/** Schema pieces shared by the families' config schemas. */
export const fields = { positiveInt, probability, id2label: id2labelSchema };

/** Hugging Face's default label names (LABEL_0, LABEL_1...) for a head with `n` classes. */
export function defaultLabels(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `LABEL_${i}`);
}
