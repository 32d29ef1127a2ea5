// LoRA adapters in the PEFT format: low-rank updates on chosen linear layers, everything else frozen except the
// head, saved as adapter_config.json + adapter_model.safetensors that Python `peft` loads, and mergeable into
// the base weights.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { Linear, type Tensor, loadSafetensors, noGrad, saveSafetensors } from '../../engine/index.js';
import { CodedError } from '../../shared/index.js';
import { validateConfig } from '../models/config.js';
import type { TransformerModel } from '../models/model.js';

/** Why an adapter could not be applied, saved or loaded. */
export class AdapterError extends CodedError<'ADAPTER_CONFIG' | 'ADAPTER_TARGETS' | 'ADAPTER_WEIGHTS'> {}

/** LoRA settings, named as PEFT's LoraConfig. */
export interface LoraOptions {
  /** Rank of the update. */
  r: number;
  /** Scale numerator: the update is multiplied by alpha / r. */
  alpha: number;
  dropout: number;
  /** Last name segment of the linear layers to adapt, e.g. ["query", "value"] (BERT) or ["q_lin", "v_lin"]. */
  targetModules: string[];
}

/** PEFT's task_type for each head (decides which head modules are trained and saved with the adapter). */
const TASK_TYPES = { base: 'FEATURE_EXTRACTION', 'masked-lm': 'MASKED_LM', 'sequence-classification': 'SEQ_CLS' } as const;
// PEFT saves these head modules with a SEQ_CLS adapter (they are trained from scratch).
const HEAD_MODULES = ['classifier', 'score', 'pre_classifier'];
const PREFIX = 'base_model.model.';

/** The linear layers LoRA would adapt: name → layer. */
function targets(model: TransformerModel, modules: readonly string[]): [string, Linear][] {
  const found = model
    .namedModules()
    .filter((e): e is [string, Linear] => e[1] instanceof Linear && modules.includes(e[0].split('.').at(-1) as string));
  if (!found.length) {
    const names = [
      ...new Set(
        model
          .namedModules()
          .filter(([, m]) => m instanceof Linear)
          .map(([n]) => n.split('.').at(-1)),
      ),
    ];
    throw new AdapterError(
      'ADAPTER_TARGETS',
      `no linear layer is called ${modules.join(' or ')}: this ${model.family} model has ${names.join(', ')}.`,
    );
  }
  return found;
}

/** Head parameters trained (and saved) alongside the adapter for classification. */
function headParams(model: TransformerModel): [string, Tensor][] {
  if (model.head !== 'sequence-classification') return [];
  return model.namedParameters().filter(([k]) => HEAD_MODULES.includes(k.split('.')[0] as string));
}

/** Adds LoRA updates (A: Kaiming-uniform, B: zeros, as PEFT) and freezes everything else but the classifier head. */
export function applyLora(model: TransformerModel, o: LoraOptions): void {
  if (!(o.r >= 1) || !Number.isInteger(o.r))
    throw new AdapterError('ADAPTER_CONFIG', `LoRA rank r must be a positive integer, got ${o.r}.`);
  const layers = targets(model, o.targetModules);
  for (const [, p] of model.namedParameters()) p.requiresGrad_(false);
  for (const [, linear] of layers) {
    const [out, inp] = linear.weight.shape as [number, number];
    const a = new Linear(inp, o.r, { bias: false });
    const b = new Linear(o.r, out, { bias: false });
    noGrad(() => b.weight.zero_());
    linear.attachLowRank(a, b, o.alpha / o.r, o.dropout);
  }
  for (const [, p] of headParams(model)) p.requiresGrad_(true);
}

/** The parameters an optimiser should update (LoRA matrices and the classification head). */
export function trainableParameters(model: TransformerModel): Tensor[] {
  return model.parameters().filter((p) => p.requiresGrad);
}

/** Writes the adapter as PEFT does: adapter_config.json and adapter_model.safetensors (LoRA + head weights). */
export function saveLoraAdapter(model: TransformerModel, dir: string, o: LoraOptions, baseModel: string): string[] {
  mkdirSync(dir, { recursive: true });
  const tensors = new Map<string, Tensor>();
  for (const [k, t] of model.namedParameters()) {
    if (/\.lora_[AB]\.weight$/.test(k)) tensors.set(PREFIX + k, t);
  }
  if (!tensors.size) throw new AdapterError('ADAPTER_WEIGHTS', 'this model has no LoRA layers to save: applyLora first.');
  for (const [k, t] of headParams(model)) tensors.set(PREFIX + k, t);
  saveSafetensors(join(dir, 'adapter_model.safetensors'), tensors, { format: 'pt' });
  const config = {
    peft_type: 'LORA',
    task_type: TASK_TYPES[model.head],
    base_model_name_or_path: baseModel,
    r: o.r,
    lora_alpha: o.alpha,
    lora_dropout: o.dropout,
    target_modules: o.targetModules,
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: true,
    use_rslora: false,
    use_dora: false,
    modules_to_save: model.head === 'sequence-classification' ? ['classifier', 'score'] : null,
  };
  writeFileSync(join(dir, 'adapter_config.json'), `${JSON.stringify(config, null, 2)}\n`);
  return ['adapter_model.safetensors', 'adapter_config.json'];
}

const adapterConfigSchema = z.looseObject({
  peft_type: z.literal('LORA', { message: 'only LoRA adapters are supported' }),
  r: z.number().int().positive(),
  lora_alpha: z.number().positive(),
  lora_dropout: z.number().min(0).max(1).default(0),
  target_modules: z.union([z.array(z.string()).min(1), z.string()]),
  use_rslora: z.boolean().default(false),
  use_dora: z.literal(false, { message: 'DoRA adapters are not supported' }).default(false),
  fan_in_fan_out: z.literal(false, { message: 'fan_in_fan_out adapters (GPT-2 Conv1D) are not supported' }).default(false),
});

/** Applies a PEFT LoRA adapter directory (ours or Python's) to a model loaded from its base checkpoint. */
export function loadLoraAdapter(model: TransformerModel, dir: string): LoraOptions {
  const path = join(dir, 'adapter_config.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new AdapterError('ADAPTER_CONFIG', `${path} cannot be read (${(e as Error).message}).`);
  }
  const c = validateConfig(adapterConfigSchema, raw as Record<string, unknown>, path);
  if (typeof c.target_modules === 'string')
    throw new AdapterError(
      'ADAPTER_CONFIG',
      `${path}: target_modules as a regular expression is not supported; list the module names.`,
    );
  // rsLoRA scales by alpha / sqrt(r); expressed through alpha so one formula serves both.
  const o: LoraOptions = {
    r: c.r,
    alpha: c.use_rslora ? (c.lora_alpha * c.r) / Math.sqrt(c.r) : c.lora_alpha,
    dropout: c.lora_dropout,
    targetModules: c.target_modules,
  };
  applyLora(model, o);
  const { tensors } = loadSafetensors(join(dir, 'adapter_model.safetensors'));
  const own = model.stateDict();
  const missing = [...own.keys()].filter((k) => /\.lora_[AB]\.weight$/.test(k) && !tensors.has(PREFIX + k));
  if (missing.length)
    throw new AdapterError(
      'ADAPTER_WEIGHTS',
      `${dir}: the adapter lacks ${missing.length} LoRA weight(s), e.g. ${missing[0]}: it was made for another model.`,
    );
  noGrad(() => {
    for (const [key, t] of tensors) {
      const name = key.startsWith(PREFIX) ? key.slice(PREFIX.length).replace('.modules_to_save.default.', '.') : key;
      const dst = own.get(name);
      if (!dst)
        throw new AdapterError(
          'ADAPTER_WEIGHTS',
          `${dir}: adapter tensor "${key}" matches nothing in this ${model.architecture}.`,
        );
      if (dst.shape.join() !== t.shape.join()) {
        throw new AdapterError(
          'ADAPTER_WEIGHTS',
          `${dir}: "${key}" has shape [${t.shape.join(', ')}] but the model expects [${dst.shape.join(', ')}].`,
        );
      }
      dst.copy_(t);
    }
  });
  for (const t of tensors.values()) t.dispose();
  return o;
}

/** Folds every LoRA update into its base weight (the model then saves as a plain checkpoint). */
export function mergeLora(model: TransformerModel): number {
  let merged = 0;
  for (const [, m] of model.namedModules()) {
    if (m instanceof Linear && m.lowRank) {
      m.mergeLowRank();
      merged++;
    }
  }
  for (const p of model.parameters()) p.requiresGrad_(true);
  return merged;
}
