// Loading a Hugging Face model directory (config.json + safetensors) into a family's model, mapping names
// exactly as transformers does: base-model prefix added or stripped, tied weights skipped, legacy LayerNorm
// gamma/beta renamed, every shape checked, and a report of what was missing, unused or freshly initialised.
import { join } from 'node:path';
import { type Tensor, loadSafetensors, noGrad } from '../../engine/index.js';
import { readConfigJson } from './config.js';
import { ModelError } from './errors.js';
import { initWeights } from './init.js';
import type { HeadKind, TransformerModel } from './model.js';
import { familyFor, headFromArchitectures } from './registry.js';
import { type CheckpointIndex, indexCheckpoint } from './weights-files.js';

/** Options of loadModel(). */
export interface LoadModelOptions {
  /** Which head to build; defaults to the one config.json's architectures names. */
  head?: HeadKind;
  /** Class names for a classification head (overrides config.json's id2label). */
  labels?: string[];
  /** Throw when an encoder weight is missing (default). Head weights may always start fresh. */
  strict?: boolean;
}

/** What loading found, in Hugging Face's terms. */
export interface ModelLoadReport {
  /** Encoder weights the checkpoint lacked (empty unless strict is off). */
  missing: string[];
  /** Head weights the checkpoint lacked or that had another shape: freshly initialised, train before use. */
  initialised: string[];
  /** Checkpoint tensors nothing used (e.g. a pre-training head when loading the encoder). */
  unexpected: string[];
}

/** A model and its load report. */
export interface LoadedModel {
  model: TransformerModel;
  report: ModelLoadReport;
}

// Keys transformers ignores when loading: non-persistent buffers that old checkpoints still carry.
const IGNORED = [/(^|\.)embeddings\.position_ids$/];

/** Builds the model a config.json describes, every weight freshly initialised as transformers does (from_config). */
export function createModel(
  raw: Record<string, unknown>,
  opts: Omit<LoadModelOptions, 'strict'> = {},
  source = 'config',
): TransformerModel {
  const family = familyFor(raw.model_type, source);
  const config = family.parseConfig(raw, source);
  const head = opts.head ?? headFromArchitectures(raw.architectures);
  if (opts.labels) config.labels = [...opts.labels];
  if (head === 'sequence-classification' && config.labels.length < 2) {
    throw new ModelError(
      'MODEL_CONFIG',
      `${source} has no id2label and no labels were given: pass labels (e.g. ["negative", "neutral", "positive"]) to build a classification head.`,
    );
  }
  const model = family.create(config, head);
  initWeights(model, config.initializerRange, config.padTokenId);
  return model;
}

/** Loads config.json and the safetensors weights in `dir` into a model, in eval mode. */
export function loadModel(dir: string, opts: LoadModelOptions = {}): LoadedModel {
  const configPath = join(dir, 'config.json');
  const raw = readConfigJson(configPath);
  const model = createModel(raw, opts, configPath);
  try {
    const report = loadWeights(model, indexCheckpoint(dir), { strict: opts.strict ?? true, dir });
    model.eval();
    return { model, report };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** The model key a checkpoint key maps to, or undefined when nothing takes it. */
function mapKey(key: string, model: TransformerModel, own: Set<string>, tied: Set<string>): string | undefined {
  // Checkpoints converted from TF name LayerNorm parameters gamma/beta.
  const k = key.replace(/\.gamma$/, '.weight').replace(/\.beta$/, '.bias');
  if (tied.has(k) || IGNORED.some((re) => re.test(k))) return undefined;
  if (own.has(k)) return k;
  const p = `${model.prefix}.`;
  if (model.head === 'base' && k.startsWith(p) && own.has(k.slice(p.length))) return k.slice(p.length);
  if (model.head !== 'base' && own.has(p + k)) return p + k;
  return undefined;
}

/** Copies every checkpoint tensor into the model, file by file, and reports what did not line up. */
function loadWeights(model: TransformerModel, index: CheckpointIndex, o: { strict: boolean; dir: string }): ModelLoadReport {
  const params = model.stateDict();
  const own = new Set(params.keys());
  const tied = new Set(model.tiedKeys);
  const headKeys = new Set(model.headKeys());
  const plan = new Map<string, { target: string; file: string }>();
  const unexpected: string[] = [];
  const mismatched = new Map<string, string>();
  for (const [key, e] of index.entries) {
    const target = mapKey(key, model, own, tied);
    if (target === undefined) {
      if (!tied.has(key) && !IGNORED.some((re) => re.test(key))) unexpected.push(key);
      continue;
    }
    const want = (params.get(target) as Tensor).shape;
    if (want.join() !== e.shape.join()) {
      // A classification head trained for another label set is replaced, as transformers'
      // ignore_mismatched_sizes does; any other mismatch means config.json and weights disagree.
      if (headKeys.has(target)) {
        mismatched.set(target, `${target} (checkpoint [${e.shape.join(', ')}], model [${want.join(', ')}])`);
        continue;
      }
      throw new ModelError(
        'MODEL_WEIGHTS',
        `${e.file}: tensor "${key}" has shape [${e.shape.join(', ')}] but config.json implies [${want.join(', ')}]: the config does not belong to these weights.`,
      );
    }
    plan.set(key, { target, file: e.file });
  }
  const loaded = new Set([...plan.values()].map((p) => p.target));
  const absent = [...own].filter((k) => !loaded.has(k));
  const missing = absent.filter((k) => !headKeys.has(k));
  if (missing.length && o.strict) {
    const shown = missing.slice(0, 8).join(', ');
    throw new ModelError(
      'MODEL_WEIGHTS',
      `${o.dir}: the checkpoint lacks ${missing.length} encoder weight(s) (${shown}${missing.length > 8 ? ', ...' : ''}): it is not a ${model.family} checkpoint of this size, or it is incomplete. Pass strict: false to start those from scratch.`,
    );
  }
  for (const file of index.files) {
    const names = [...plan].filter(([, p]) => p.file === file).map(([k]) => k);
    if (!names.length) continue;
    const { tensors } = loadSafetensors(file, names);
    try {
      noGrad(() => {
        for (const [key, t] of tensors) (params.get((plan.get(key) as { target: string }).target) as Tensor).copy_(t);
      });
    } finally {
      for (const t of tensors.values()) t.dispose();
    }
  }
  const initialised = absent.filter((k) => headKeys.has(k)).map((k) => mismatched.get(k) ?? k);
  return { missing, initialised, unexpected };
}
