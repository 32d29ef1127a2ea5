// The job the runner hands to scripts/bench/parity_train.py and the result it reads back: one JSON file in, one
// JSON line out. The field list here and the docstring of the Python script describe the same format.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One example as both sides see it: its text and its label's name. */
export interface JobExample {
  text: string;
  label: string;
}

/** The hyper-parameters both sides train with (taken from one validated TrainConfig). */
export interface JobHyperParameters {
  epochs: number;
  batchSize: number;
  learningRate: number;
  warmupRatio: number;
  weightDecay: number;
  maxGradNorm: number;
  maxLength: number;
  /** Batch size for the test predictions (dev is scored in training batches, as the loop does). */
  evalBatchSize: number;
}

/** What the Python side trains on and with. */
export interface ParityJob {
  model: string;
  labels: string[];
  train: JobExample[];
  dev: JobExample[];
  test: JobExample[];
  hp: JobHyperParameters;
  seed: number;
  threads: number;
  /** Promptune's freshly initialised classifier, so both sides start from the same head (null: Python's own). */
  classifierInit: { weight: number[][]; bias: number[] } | null;
}

/** Macro-F1 and accuracy of one scoring. */
export interface Scores {
  macroF1: number;
  accuracy: number;
}

/** What the Python side printed. */
export interface PythonResult {
  side: 'pytorch';
  torch: string;
  transformers: string;
  threads: number;
  steps: number;
  warmupSteps: number;
  losses: number[];
  stepMs: number[];
  stepsPerSecond: number | null;
  evals: ({ step: number } & Scores)[];
  best: ({ step: number } & Scores) | null;
  test: Scores | null;
  firstEpochOrder: number[];
  trainTokens: number;
  note: string;
}

/** Runs the Python side on `job` in a fresh process and returns its result (its stderr goes to ours). */
export function runPython(python: string, script: string, job: ParityJob): PythonResult {
  const dir = mkdtempSync(join(tmpdir(), 'promptune-parity-'));
  const file = join(dir, 'job.json');
  writeFileSync(file, JSON.stringify(job));
  // process.env as the engine left it, so both sides' OpenBLAS pick the same kernels (as bench:models does).
  const r = spawnSync(python, [script, file], {
    env: { ...process.env },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  // A failed job stays on disk so it can be rerun by hand.
  if (r.status !== 0) throw new Error(`${script} exited with ${r.status ?? r.signal}; rerun it on ${file}`);
  rmSync(dir, { recursive: true, force: true });
  return JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as PythonResult;
}
