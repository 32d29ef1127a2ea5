// Where a checkpoint's tensors live: model.safetensors, or shards listed by model.safetensors.index.json.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { readSafetensorsHeader } from '../../engine/index.js';
import { validateConfig } from './config.js';
import { ModelError } from './errors.js';

/** The file Hugging Face writes for unsharded weights. */
export const WEIGHTS_FILE = 'model.safetensors';
/** The index Hugging Face writes next to sharded weights. */
export const WEIGHTS_INDEX_FILE = 'model.safetensors.index.json';

const indexSchema = z.object({
  metadata: z.looseObject({ total_size: z.number().optional() }).optional(),
  weight_map: z.record(
    z.string(),
    z.string().regex(/^[^/\\]+\.safetensors$/, 'must name a .safetensors file in the same directory'),
  ),
});

/** Every tensor name in a checkpoint with the file holding it, plus its shape and dtype. */
export interface CheckpointIndex {
  files: string[];
  entries: Map<string, { file: string; shape: number[] }>;
}

/** Indexes the safetensors weights of a model directory (single file or sharded), reading headers only. */
export function indexCheckpoint(dir: string): CheckpointIndex {
  const single = join(dir, WEIGHTS_FILE);
  const indexPath = join(dir, WEIGHTS_INDEX_FILE);
  let files: string[];
  if (existsSync(single)) {
    files = [single];
  } else if (existsSync(indexPath)) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(indexPath, 'utf8'));
    } catch (e) {
      throw new ModelError('MODEL_FILES', `${indexPath} is not valid JSON (${(e as Error).message}).`);
    }
    const index = validateConfig(indexSchema, raw as Record<string, unknown>, indexPath);
    files = [...new Set(Object.values(index.weight_map))].map((f) => join(dir, f));
    const absent = files.filter((f) => !existsSync(f));
    if (absent.length) {
      throw new ModelError(
        'MODEL_FILES',
        `${indexPath} lists ${absent.length} shard(s) that are not in the directory (${absent.join(', ')}): download them again.`,
      );
    }
  } else {
    const others = existsSync(dir) ? readdirSync(dir).filter((f) => /\.(bin|pt|h5|msgpack|ckpt)$/.test(f)) : [];
    const hint = others.length
      ? ` It has ${others.join(', ')}: convert to safetensors in Python with model.save_pretrained(dir, safe_serialization=True).`
      : '';
    throw new ModelError('MODEL_FILES', `${dir} has no ${WEIGHTS_FILE} or ${WEIGHTS_INDEX_FILE}.${hint}`);
  }
  const entries = new Map<string, { file: string; shape: number[] }>();
  for (const file of files) {
    for (const [name, e] of readSafetensorsHeader(file).entries) entries.set(name, { file, shape: e.shape });
  }
  return { files, entries };
}
