// ONNX export of a fine-tuned classifier: one graph from token ids to label logits, with the temperature baked in
// so that softmax(logits) is what loadClassifier(dir).predict gives, written in the layout transformers.js
// loads (<dir>/onnx/model.onnx, config.json, tokenizer.json, tokenizer_config.json) with promptune.json and a note.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Tensor, dispose } from '../../engine/index.js';
import {
  BATCH,
  DataType,
  type EncoderGraph,
  OPSET_VERSION,
  PRODUCER_VERSION,
  attr,
  classificationLogits,
  configJson,
  encoderGraph,
  gemm,
  maskedLmLogits,
  meanPool,
  statesAtToken,
} from '../../transformers/index.js';
import { checkPrompt, labelWordIds, renderPrompt, renderTokens } from '../prompts/index.js';
import { CLASSIFIER_FILE, type Classifier, type ClassifierMeta, loadClassifier, loadSetFitHead } from '../train/index.js';
import { ExportError } from './errors.js';
import { type ExportResult, checkOutDir } from './output.js';

/** The file next to model.onnx's folder that says what was exported and how to feed it. */
export const EXPORT_NOTE_FILE = 'export.json';

const SUPPORTED =
  'supported: single-label "classification" and "setfit" models, and "prompt-mlm" models with one prompt, no demonstrations and single-token label words';

/** What export.json records. */
export interface OnnxExportNote {
  format: 'promptune-onnx/1';
  task: string;
  recipe: ClassifierMeta['recipe'];
  labels: string[];
  model: string;
  opset: number;
  inputs: string[];
  output: 'logits';
  /** logits are already divided by this: softmax(logits) are the calibrated probabilities. */
  temperature: number;
  temperatureApplied: true;
  abstainBelow?: number;
  /** The text to tokenize, with {field} where each input goes; `pair` when two fields go in as a text pair. */
  text: string | { text: string; textPair: string };
  maxLength: number;
  note: string;
}

/** Exports the classifier in `modelDir` (with promptune.json) to `outDir` as ONNX for onnxruntime / transformers.js. */
export function exportClassifierOnnx(modelDir: string, outDir: string): ExportResult & { note: OnnxExportNote } {
  checkOutDir(modelDir, outDir);
  const classifier = loadClassifier(modelDir);
  try {
    const { bytes, note } = classifierToOnnx(classifier);
    mkdirSync(join(outDir, 'onnx'), { recursive: true });
    writeFileSync(join(outDir, 'onnx', 'model.onnx'), bytes);
    writeJson(join(outDir, 'config.json'), classifierConfig(classifier));
    classifier.pretrained.tokenizer.save(outDir);
    copyFileSync(join(modelDir, CLASSIFIER_FILE), join(outDir, CLASSIFIER_FILE));
    writeJson(join(outDir, EXPORT_NOTE_FILE), note);
    const files = ['onnx/model.onnx', 'config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'];
    return { dir: outDir, files: [...files, CLASSIFIER_FILE, EXPORT_NOTE_FILE], note };
  } finally {
    classifier.dispose();
  }
}

/** The classifier as ONNX bytes (logits [batch_size, labels], temperature applied) and its export note. */
export function classifierToOnnx(classifier: Classifier): { bytes: Uint8Array; note: OnnxExportNote } {
  const { meta, pretrained } = classifier;
  if (meta.multiLabel)
    throw new ExportError('EXPORT_UNSUPPORTED', `${meta.task}: multi-label models cannot be exported yet; ${SUPPORTED}.`);
  const e = encoderGraph(pretrained.model);
  let logits: string;
  let text: OnnxExportNote['text'];
  if (meta.recipe === 'classification') {
    logits = classificationLogits(e);
    text = classificationText(meta.inputs);
  } else if (meta.recipe === 'setfit') {
    logits = setfitLogits(e, classifier.pretrained.dir);
    text = meta.template ?? meta.inputs.map((f) => `{${f}}`).join('\n');
  } else {
    ({ logits, text } = promptLogits(e, classifier));
  }
  const g = e.g;
  if (meta.temperature !== 1) logits = g.op('Div', [logits, g.constFloat([meta.temperature])]);
  g.output(logits, 'logits', DataType.FLOAT, [BATCH, meta.labels.length]);
  const bytes = g.encode({
    graphName: `promptune-${meta.recipe}`,
    producerName: 'promptune',
    producerVersion: PRODUCER_VERSION,
    docString: `Promptune ${meta.recipe} classifier for task "${meta.task}"; logits already divided by the temperature.`,
    metadata: { labels: JSON.stringify(meta.labels), temperature: String(meta.temperature), recipe: meta.recipe },
  });
  const note: OnnxExportNote = {
    format: 'promptune-onnx/1',
    task: meta.task,
    recipe: meta.recipe,
    labels: [...meta.labels],
    model: 'onnx/model.onnx',
    opset: OPSET_VERSION,
    inputs: g.inputs.map((i) => i.name),
    output: 'logits',
    temperature: meta.temperature,
    temperatureApplied: true,
    ...(meta.abstainBelow !== undefined ? { abstainBelow: meta.abstainBelow } : {}),
    text,
    maxLength: meta.maxLength,
    note: 'softmax(logits) are the calibrated probabilities of `labels` (the temperature is already applied). Tokenize `text` with each {field} replaced by the input, truncating the inputs (never the rest) to maxLength tokens.',
  };
  return { bytes, note };
}

/** One field as is; two as a text pair (segment ids tell them apart); more joined with newlines (classification.ts). */
function classificationText(fields: readonly string[]): OnnxExportNote['text'] {
  if (fields.length === 2) return { text: `{${fields[0]}}`, textPair: `{${fields[1]}}` };
  return fields.map((f) => `{${f}}`).join('\n');
}

/** SetFit: normalised mean-pooled embedding → the saved linear head. */
function setfitLogits(e: EncoderGraph, dir: string): string {
  const head = loadSetFitHead(dir);
  try {
    const g = e.g;
    const weight = g.tensor('setfit_head.weight', head.get('weight') as Tensor);
    const bias = g.tensor('setfit_head.bias', head.get('bias') as Tensor);
    return gemm(g, meanPool(e, true), weight, bias);
  } finally {
    dispose(...head.values());
  }
}

/**
 * Prompt-MLM: log-softmax of the masked-LM logits at the (first) mask token, then per label the log of the mean
 * probability of its words, as label-scores.ts computes for single-token words.
 */
function promptLogits(e: EncoderGraph, classifier: Classifier): { logits: string; text: string } {
  const { meta, pretrained } = classifier;
  if (!meta.prompt)
    throw new ExportError('EXPORT_UNSUPPORTED', `${CLASSIFIER_FILE} of a prompt-mlm model has no prompt: train it again.`);
  if (meta.morePrompts?.length)
    throw new ExportError(
      'EXPORT_UNSUPPORTED',
      `${meta.task}: template ensembles (${meta.morePrompts.length + 1} prompts) cannot be exported as one graph; ${SUPPORTED}. Train with a single prompt to export.`,
    );
  if (meta.demonstrations)
    throw new ExportError(
      'EXPORT_UNSUPPORTED',
      `${meta.task}: models trained with demonstrations pick examples per input, which the graph cannot do; ${SUPPORTED}.`,
    );
  const task = { inputs: meta.inputs.map((name) => ({ name })), labels: meta.labels.map((name) => ({ name })) };
  const prompt = checkPrompt(meta.prompt, task);
  const tokenizer = pretrained.tokenizer;
  const ids = labelWordIds(prompt, meta.labels, tokenizer, meta.language);
  const long = ids.words.flatMap((words, l) =>
    words.flatMap((w) => (w.length > 1 ? [`"${tokenizer.decode(w).trim()}" (${meta.labels[l]}, ${w.length} tokens)`] : [])),
  );
  if (long.length)
    throw new ExportError(
      'EXPORT_UNSUPPORTED',
      `${meta.task}: label words of several tokens need several masks, which the export does not handle: ${long.join(', ')}; ${SUPPORTED}. Choose single-token label words.`,
    );
  const tokens = renderTokens(tokenizer, 1);
  const maskId = tokenizer.tokenToId(tokens.mask) as number;
  const g = e.g;
  const vocab = maskedLmLogits(e, statesAtToken(e, maskId));
  const logProbs = g.op('LogSoftmax', [vocab], { axis: attr.int(-1) });
  const perLabel = ids.words.map((words) => {
    const picked = g.op('Gather', [logProbs, g.constInt(words.map((w) => w[0] as number))], { axis: attr.int(1) });
    const lse = g.op('ReduceLogSumExp', [picked], { axes: attr.ints([1]), keepdims: attr.int(1) });
    return words.length === 1 ? lse : g.op('Sub', [lse, g.constFloat([Math.log(words.length)])]);
  });
  const logits = g.op('Concat', perLabel, { axis: attr.int(1) });
  // The template with {field} left in place of each input: the caller fills it in, transformers.js tokenizes.
  const placeholders = Object.fromEntries(meta.inputs.map((f) => [f, `{${f}}`]));
  return { logits, text: renderPrompt(prompt.parts, placeholders, tokens).text };
}

/** config.json for the exported graph: a ...ForSequenceClassification config with the classifier's labels. */
function classifierConfig(classifier: Classifier): Record<string, unknown> {
  const { model } = classifier.pretrained;
  const labels = classifier.meta.labels;
  const base = configJson(model);
  return {
    ...base,
    architectures: [model.architecture.replace(/(ForMaskedLM|ForSequenceClassification|Model)$/, 'ForSequenceClassification')],
    id2label: Object.fromEntries(labels.map((l, i) => [String(i), l])),
    label2id: Object.fromEntries(labels.map((l, i) => [l, i])),
    problem_type: 'single_label_classification',
  };
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}
