// The sidecar file that makes a scoring job resumable: what was scored (the input's and the model's identity),
// how far (rows, input position, output length), and the running totals. It is replaced atomically after the
// output has been fsynced, so after a crash the output is at least as long as the state says.
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, readSync, readdirSync, renameSync, statSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { CLASSIFIER_FILE } from '../train/index.js';
import { ScoreError } from './errors.js';

/** The state file of output `out`. */
export const stateFileOf = (out: string): string => `${out}.score-state.json`;

const HEAD_BYTES = 1 << 20;

const inputIdentitySchema = z.object({
  path: z.string(),
  size: z.number(),
  mtimeMs: z.number(),
  /** sha256 of the first MiB: catches a file replaced by another of the same size and time. */
  headSha256: z.string(),
});

const modelIdentitySchema = z.object({
  dir: z.string(),
  /** sha256 of promptune.json (labels, prompt, calibration). */
  metaSha256: z.string(),
  /** Size and time of every weights file (hashing gigabytes on each start would be too slow). */
  weights: z.array(z.object({ file: z.string(), size: z.number(), mtimeMs: z.number() })),
});

/** What a job's output depends on besides the input and the model. */
const settingsSchema = z.object({ minConfidence: z.number().nullable() });

/** What the state file holds. */
export const scoreStateSchema = z.object({
  format: z.literal('promptune-score-state/1'),
  input: inputIdentitySchema,
  model: modelIdentitySchema,
  settings: settingsSchema,
  /** The input columns the CSV output carries (known once the first row is read); JSONL output keeps each row's. */
  columns: z.array(z.string()).optional(),
  /** Rows scored and written so far, and rows skipped as problems. */
  rows: z.number().int(),
  problems: z.number().int(),
  counts: z.record(z.string(), z.number().int()),
  /** Where reading continues: the byte offset after the last row accounted for, and the next line number. */
  next: z.object({ offset: z.number().int(), line: z.number().int() }),
  /** The output's length when this state was written; anything beyond it is cut on resume. */
  outBytes: z.number().int(),
  updatedAt: z.string(),
});

/** The state of a scoring job. */
export type ScoreState = z.infer<typeof scoreStateSchema>;
type InputIdentity = ScoreState['input'];
type ModelIdentity = ScoreState['model'];

/** The identity of an input file: absolute path, size, modification time and a hash of its first MiB. */
export function inputIdentity(path: string): InputIdentity {
  const st = statSync(path);
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(Math.min(HEAD_BYTES, st.size));
    const n = buf.length ? readSync(fd, buf, 0, buf.length, 0) : 0;
    return {
      path: resolve(path),
      size: st.size,
      mtimeMs: st.mtimeMs,
      headSha256: createHash('sha256').update(buf.subarray(0, n)).digest('hex'),
    };
  } finally {
    closeSync(fd);
  }
}

/** The identity of a model directory: its promptune.json's hash and its weights files' sizes and times. */
export function modelIdentity(dir: string): ModelIdentity {
  const weights = readdirSync(dir)
    .filter((f) => /\.(safetensors|bin|pt|pth|onnx)$/.test(f))
    .sort()
    .map((file) => {
      const st = statSync(join(dir, file));
      return { file, size: st.size, mtimeMs: st.mtimeMs };
    });
  return {
    dir: resolve(dir),
    metaSha256: createHash('sha256')
      .update(readFileSync(join(dir, CLASSIFIER_FILE)))
      .digest('hex'),
    weights,
  };
}

/** Reads a state file; a file that is not one is an error (never silently ignored). */
export function readState(path: string): ScoreState {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ScoreError(
      'SCORE_STATE_INVALID',
      `${path} is not readable (${(e as Error).message}): pass --restart to start over.`,
    );
  }
  const r = scoreStateSchema.safeParse(raw);
  if (!r.success)
    throw new ScoreError(
      'SCORE_STATE_INVALID',
      `${path} is not a scoring state (${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message}): pass --restart to start over.`,
    );
  return r.data;
}

/** Replaces the state file atomically (temp file, fsync, rename). */
export function writeState(path: string, state: ScoreState): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, `${JSON.stringify(state, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** Refuses to continue when the input, the model or the settings differ from the interrupted job's. */
export function checkResumable(
  state: ScoreState,
  now: Pick<ScoreState, 'input' | 'model' | 'settings'>,
  statePath: string,
): void {
  const fix = `pass --restart to score it from the start (or delete ${statePath})`;
  const a = state.input;
  const b = now.input;
  const inputChanges = [
    a.path !== b.path && `path ${a.path} → ${b.path}`,
    a.size !== b.size && `size ${a.size} → ${b.size} bytes`,
    a.mtimeMs !== b.mtimeMs && `modified ${new Date(a.mtimeMs).toISOString()} → ${new Date(b.mtimeMs).toISOString()}`,
    a.headSha256 !== b.headSha256 && 'different first MiB',
  ].filter(Boolean);
  if (inputChanges.length)
    throw new ScoreError(
      'SCORE_INPUT_CHANGED',
      `${b.path} changed since the interrupted scoring (${inputChanges.join(', ')}): its ${state.rows} scored rows may no longer match; ${fix}.`,
    );
  const m = state.model;
  const n = now.model;
  if (m.dir !== n.dir || m.metaSha256 !== n.metaSha256 || JSON.stringify(m.weights) !== JSON.stringify(n.weights))
    throw new ScoreError(
      'SCORE_MODEL_CHANGED',
      `the model differs from the interrupted scoring's (${m.dir !== n.dir ? `${m.dir} → ${n.dir}` : `${n.dir} was modified`}): continuing would mix two models' predictions; use the same model, or ${fix}.`,
    );
  if (state.settings.minConfidence !== now.settings.minConfidence)
    throw new ScoreError(
      'SCORE_SETTINGS_CHANGED',
      `--min-confidence was ${state.settings.minConfidence ?? "the model's own"}, now ${now.settings.minConfidence ?? "the model's own"}: use the same value to continue, or ${fix}.`,
    );
}
