// Saving a model the way transformers' save_pretrained does, so Python loads it with no missing-weight warnings:
// config.json with architectures and labels, safetensors with Hugging Face names, tied weights left out,
// shards plus an index above the shard size.
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DTYPE_SIZE, type Tensor, saveSafetensors } from '../../engine/index.js';
import type { TransformerModel } from './model.js';
import { WEIGHTS_FILE, WEIGHTS_INDEX_FILE } from './weights-files.js';

/** Options of saveModel(). */
export interface SaveModelOptions {
  /** Largest shard in bytes before weights are split (transformers' default is 5 GB). */
  maxShardBytes?: number;
}

const SHARD = /^model-\d{5}-of-\d{5}\.safetensors$/;

/** The config.json transformers expects for this model (original keys kept, head and vocabulary updated). */
export function configJson(model: TransformerModel): Record<string, unknown> {
  const c = model.config;
  const out: Record<string, unknown> = { ...c.raw, architectures: [model.architecture], vocab_size: c.vocabSize };
  if (model.head === 'sequence-classification') {
    out.id2label = Object.fromEntries(c.labels.map((l, i) => [String(i), l]));
    out.label2id = Object.fromEntries(c.labels.map((l, i) => [l, i]));
    out.num_labels = undefined;
  }
  out.torch_dtype ??= 'float32';
  return JSON.parse(JSON.stringify(out)) as Record<string, unknown>;
}

/** Writes config.json and the weights into `dir` (created if needed); returns the files written. */
export function saveModel(model: TransformerModel, dir: string, opts: SaveModelOptions = {}): string[] {
  mkdirSync(dir, { recursive: true });
  const tied = new Set(model.tiedKeys);
  const tensors = model.namedParameters().filter(([k]) => !tied.has(k));
  const shards = splitShards(tensors, opts.maxShardBytes ?? 5e9);
  const written: string[] = [];
  const metadata = { format: 'pt' };
  if (shards.length === 1) {
    saveSafetensors(join(dir, WEIGHTS_FILE), new Map(shards[0]), metadata);
    written.push(WEIGHTS_FILE);
  } else {
    const weightMap: Record<string, string> = {};
    shards.forEach((shard, i) => {
      const name = `model-${String(i + 1).padStart(5, '0')}-of-${String(shards.length).padStart(5, '0')}.safetensors`;
      saveSafetensors(join(dir, name), new Map(shard), metadata);
      for (const [k] of shard) weightMap[k] = name;
      written.push(name);
    });
    const totalSize = tensors.reduce((n, [, t]) => n + t.numel * DTYPE_SIZE[t.dtype], 0);
    writeJsonAtomic(join(dir, WEIGHTS_INDEX_FILE), { metadata: { total_size: totalSize }, weight_map: weightMap });
    written.push(WEIGHTS_INDEX_FILE);
  }
  // Stale weights from an earlier save (sharded then, single now, or the reverse) would be loaded instead.
  for (const f of readdirSync(dir)) {
    const stale = (f === WEIGHTS_FILE || f === WEIGHTS_INDEX_FILE || SHARD.test(f)) && !written.includes(f);
    if (stale) rmSync(join(dir, f));
  }
  writeJsonAtomic(join(dir, 'config.json'), configJson(model));
  written.push('config.json');
  return written;
}

/** Groups tensors in order into shards of at most `max` bytes (a bigger tensor gets a shard of its own). */
function splitShards(tensors: [string, Tensor][], max: number): [string, Tensor][][] {
  const shards: [string, Tensor][][] = [[]];
  let size = 0;
  for (const entry of tensors) {
    const bytes = entry[1].numel * DTYPE_SIZE[entry[1].dtype];
    const current = shards[shards.length - 1] as [string, Tensor][];
    if (current.length && size + bytes > max) {
      shards.push([entry]);
      size = bytes;
    } else {
      current.push(entry);
      size += bytes;
    }
  }
  return shards;
}

/** Writes JSON with 2-space indent via a temp file, so a crash never leaves half a config. */
function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, path);
}
