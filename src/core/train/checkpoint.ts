// Training checkpoints: everything a killed run needs to continue exactly where it was — trainable weights,
// optimiser moments, the random generator, the best dev weights and the loop's counters. Each checkpoint is a
// directory written under a temporary name and renamed into place, so a kill at any moment leaves either the
// previous checkpoint or the new one, never half of one.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ParamState, type Tensor, loadSafetensors, saveSafetensors } from '../../engine/index.js';
import { CodedError } from '../../shared/index.js';
import type { EvalLog, StepLog, TrainResult } from './loop.js';

/** Where the loop stands: enough to continue the same run. */
export interface LoopState {
  /** Settings and data the run was started with; a resume with different ones is refused. */
  fingerprint: string;
  steps: number;
  /** The epoch and the batch index within it where training continues. */
  epoch: number;
  batch: number;
  history: StepLog[];
  evals: EvalLog[];
  best?: EvalLog;
  sinceBest: number;
  /** Set once the run has finished (a resume then only restores the result). */
  stoppedBy?: TrainResult['stoppedBy'];
}

/** A checkpoint in memory: the loop state and its tensors (the writer does not take ownership). */
export interface Checkpoint {
  state: LoopState;
  weights: Map<string, Tensor>;
  optimizer: ParamState[];
  rng: Tensor;
  best?: Map<string, Tensor>;
}

/** Why a checkpoint cannot be used to resume. */
export type CheckpointErrorCode = 'CHECKPOINT_UNREADABLE' | 'CHECKPOINT_MISMATCH';

/** A checkpoint that cannot be used to resume (different settings, unreadable files). */
export class CheckpointError extends CodedError<CheckpointErrorCode> {}

const STEP_DIR = /^step-(\d+)$/;

/** Writes a checkpoint under `dir` as step-<n>/ and deletes all but the newest `keep`. */
export function writeCheckpoint(dir: string, ckpt: Checkpoint, keep = 2): string {
  mkdirSync(dir, { recursive: true });
  const name = `step-${String(ckpt.state.steps).padStart(7, '0')}`;
  const tmp = join(dir, `.tmp-${name}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  saveSafetensors(join(tmp, 'weights.safetensors'), ckpt.weights);
  const moments = new Map<string, Tensor>();
  ckpt.optimizer.forEach((e, i) => e?.tensors.forEach((t, j) => moments.set(`p${i}.m${j}`, t)));
  moments.set('rng', ckpt.rng);
  const steps = JSON.stringify(ckpt.optimizer.map((e) => (e ? { step: e.step, tensors: e.tensors.length } : null)));
  saveSafetensors(join(tmp, 'optimizer.safetensors'), moments, { params: steps });
  if (ckpt.best) saveSafetensors(join(tmp, 'best.safetensors'), ckpt.best);
  writeFileSync(join(tmp, 'trainer.json'), `${JSON.stringify(ckpt.state)}\n`);
  const final = join(dir, name);
  rmSync(final, { recursive: true, force: true });
  renameSync(tmp, final);
  const all = listCheckpoints(dir);
  for (const old of all.slice(0, Math.max(0, all.length - keep))) rmSync(join(dir, old), { recursive: true, force: true });
  return final;
}

/** Complete checkpoint directories under `dir`, oldest first. */
export function listCheckpoints(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => STEP_DIR.test(f) && existsSync(join(dir, f, 'trainer.json')))
    .sort();
}

/** Reads the newest checkpoint under `dir` (undefined when there is none); the caller owns its tensors. */
export function readLatestCheckpoint(dir: string): Checkpoint | undefined {
  const name = listCheckpoints(dir).at(-1);
  if (!name) return undefined;
  const at = join(dir, name);
  try {
    const state = JSON.parse(readFileSync(join(at, 'trainer.json'), 'utf8')) as LoopState;
    const weights = loadSafetensors(join(at, 'weights.safetensors')).tensors;
    const opt = loadSafetensors(join(at, 'optimizer.safetensors'));
    const layout = JSON.parse(opt.metadata.params ?? '[]') as ({ step: number; tensors: number } | null)[];
    const optimizer: ParamState[] = layout.map((e, i) =>
      e ? { step: e.step, tensors: Array.from({ length: e.tensors }, (_, j) => opt.tensors.get(`p${i}.m${j}`) as Tensor) } : null,
    );
    const rng = opt.tensors.get('rng') as Tensor;
    const best = existsSync(join(at, 'best.safetensors')) ? loadSafetensors(join(at, 'best.safetensors')).tensors : undefined;
    return { state, weights, optimizer, rng, ...(best ? { best } : {}) };
  } catch (e) {
    throw new CheckpointError(
      'CHECKPOINT_UNREADABLE',
      `checkpoint ${at} cannot be read (${(e as Error).message}): delete that directory to resume from the one before, or start a new run`,
    );
  }
}

/** Frees a checkpoint's tensors. */
export function disposeCheckpoint(ckpt: Checkpoint): void {
  for (const t of ckpt.weights.values()) t.dispose();
  for (const e of ckpt.optimizer) for (const t of e?.tensors ?? []) t.dispose();
  for (const t of ckpt.best?.values() ?? []) t.dispose();
  ckpt.rng.dispose();
}
