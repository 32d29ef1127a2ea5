// Batch scoring of a CSV or JSONL file of any size: rows stream through the classifier in batches and their
// predictions are appended to a CSV or JSONL output (the same columns promptune predict writes). The job is
// resumable: after each flush (output fsynced first) a state file records how far it got, and a rerun with
// the same options cuts the output back to that point and continues from the recorded input position. The
// options are plain data so a job queue can store them; progress, problems and cancellation go through hooks.
import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { type RowProblem, type RowStream, type StreamPosition, csvLine, openRowStream } from '../data/index.js';
import { type Classifier, type ClassifierMeta, type Prediction, loadClassifier } from '../train/index.js';
import { ScoreError } from './errors.js';
import { type ScoreState, checkResumable, inputIdentity, modelIdentity, readState, stateFileOf, writeState } from './state.js';

/** A scoring job, as plain data (what a queue stores). */
export interface ScoreOptions {
  /** The CSV (.csv) or JSONL (.jsonl / .ndjson) file to score. */
  data: string;
  /** Where predictions go; .csv or .jsonl picks the format. */
  out: string;
  /** A model directory saved by promptune train (with promptune.json). */
  model: string;
  /** Rows per forward pass (default 32). */
  batchSize?: number;
  /** Start over even when an interrupted job's state exists, replacing the output. */
  restart?: boolean;
  /** Override the model's "not sure" threshold (0 always answers). */
  minConfidence?: number;
  /** Flush the output and record progress at most this often (default 1 s): the work a crash can lose. */
  checkpointSeconds?: number;
  /** Input bytes per read (default 1 MiB). */
  chunkBytes?: number;
}

/** A bad row: what import reports, or a JSONL row carrying a column that scoring adds. */
export interface ScoreProblem extends Omit<RowProblem, 'code'> {
  code: RowProblem['code'] | 'COLUMN_CLASH';
}

/** Where a job stands (after each batch). */
export interface ScoreProgress {
  /** Rows scored, including those of an interrupted earlier session. */
  rows: number;
  problems: number;
  /** Input bytes accounted for, of `bytesTotal`. */
  bytesDone: number;
  bytesTotal: number;
  /** Rows scored per second in this session. */
  rowsPerSecond: number;
}

/** What a job did. */
export interface ScoreSummary {
  /** False when the signal stopped it; rerunning with the same options continues. */
  completed: boolean;
  /** Rows scored in all, and by an earlier interrupted session (0 on a fresh start). */
  rows: number;
  resumedRows: number;
  /** Rows skipped as problems. */
  problems: number;
  /** Predicted labels: "(not sure)" for abstentions; multi-label: each label of each row, "(none)" for none. */
  counts: Record<string, number>;
  seconds: number;
  rowsPerSecond: number;
  out: string;
}

/** Callbacks and resources that are not part of the job's data. */
export interface ScoreHooks {
  /** Stops after the current batch, keeping everything up to there resumable. */
  signal?: AbortSignal;
  /** Called once before scoring starts (resumedRows > 0 when continuing an interrupted job). */
  onStart?(info: { resumedRows: number; bytesDone: number; bytesTotal: number }): void;
  onProgress?(p: ScoreProgress): void;
  /** A row that was skipped: its line, code and the fix. */
  onProblem?(p: ScoreProblem): void;
  /** Something worth saying that concerns no single row. */
  onWarning?(message: string): void;
  /** An already loaded classifier of `model` (a worker keeps one across jobs); otherwise it is loaded and freed. */
  classifier?: Classifier;
}

/** The output columns scoring adds for a model: [labels,] prediction, confidence, p:<label>… */
export function scoreColumns(meta: Pick<ClassifierMeta, 'labels' | 'multiLabel'>): string[] {
  return [...(meta.multiLabel ? ['labels'] : []), 'prediction', 'confidence', ...meta.labels.map((l) => `p:${l}`)];
}

/** One output line (without newline) for a row and its prediction, as promptune predict writes it. */
export function predictionLine(
  format: 'csv' | 'jsonl',
  meta: Pick<ClassifierMeta, 'labels' | 'multiLabel'>,
  values: Record<string, unknown>,
  p: Prediction,
  columns: readonly string[] = [],
): string {
  const multi = meta.multiLabel;
  const extra = [p.label ?? '', round(p.confidence), ...meta.labels.map((l) => round(p.probs[l] as number))];
  if (format === 'csv')
    return csvLine([...columns.map((c) => values[c]), ...(multi ? [(p.labels ?? []).join('|')] : []), ...extra]);
  const added: Record<string, unknown> = multi ? { labels: p.labels ?? [] } : {};
  scoreColumns(meta)
    .slice(multi ? 1 : 0)
    .forEach((c, k) => {
      added[c] = k === 0 && !p.label ? null : extra[k];
    });
  return JSON.stringify({ ...values, ...added });
}

const round = (x: number): number => Math.round(x * 1e6) / 1e6;

/** The format of a scoring input or output from its extension. */
function formatOf(path: string, what: '--data' | '--out'): 'csv' | 'jsonl' {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  const hint = ext === '.parquet' && what === '--data' ? ' (for Parquet use promptune predict, or convert it)' : '';
  throw new ScoreError('SCORE_FORMAT', `${what} ${path}: scoring streams .csv and .jsonl files${hint}.`);
}

/** Scores a CSV/JSONL file into a CSV/JSONL file, resuming an interrupted job with the same options. */
export async function score(opts: ScoreOptions, hooks: ScoreHooks = {}): Promise<ScoreSummary> {
  const data = resolve(opts.data);
  const out = resolve(opts.out);
  const inFormat = formatOf(data, '--data');
  const outFormat = formatOf(out, '--out');
  const batchSize = opts.batchSize ?? 32;
  const checkpointMs = (opts.checkpointSeconds ?? 1) * 1000;
  if (!existsSync(data)) throw new ScoreError('SCORE_FORMAT', `--data ${data}: no such file.`);
  const statePath = stateFileOf(out);
  const identity = {
    input: inputIdentity(data),
    model: modelIdentity(opts.model),
    settings: { minConfidence: opts.minConfidence ?? null },
  };
  let state: ScoreState | undefined;
  if (opts.restart) rmSync(statePath, { force: true });
  else if (existsSync(statePath)) {
    state = readState(statePath);
    checkResumable(state, identity, statePath);
    const have = existsSync(out) ? statSync(out).size : 0;
    if (have < state.outBytes)
      throw new ScoreError(
        'SCORE_OUTPUT_CHANGED',
        `${out} has ${have} bytes but the interrupted scoring had written ${state.outBytes}: it was changed since; pass --restart to start over.`,
      );
  } else if (existsSync(out) && statSync(out).size > 0)
    throw new ScoreError(
      'SCORE_OUTPUT_EXISTS',
      `${out} already exists and there is no interrupted scoring to continue (no ${statePath}): pass --restart to replace it, or choose another --out.`,
    );

  const stream = await openRowStream(data, inFormat, {
    ...(state ? { from: state.next } : {}),
    ...(opts.chunkBytes ? { chunkBytes: opts.chunkBytes } : {}),
  });
  const classifier = hooks.classifier ?? loadClassifier(opts.model);
  try {
    const meta = classifier.meta;
    const added = scoreColumns(meta);
    if (stream.columns) {
      const missing = meta.inputs.filter((f) => !stream.columns?.includes(f));
      if (missing.length)
        throw new ScoreError(
          'SCORE_COLUMNS',
          `--data ${data} has no column ${missing.join(', ')}: the model reads ${meta.inputs.join(', ')} (columns found: ${stream.columns.join(', ')}).`,
        );
      const clash = added.filter((c) => stream.columns?.includes(c));
      if (clash.length)
        throw new ScoreError(
          'SCORE_COLUMNS',
          `--data ${data} already has column ${clash.join(', ')}: rename it, scoring adds ${added.join(', ')}.`,
        );
    }
    const st: ScoreState = state ?? {
      format: 'promptune-score-state/1',
      ...identity,
      ...(stream.columns ? { columns: stream.columns } : {}),
      rows: 0,
      problems: 0,
      counts: {},
      next: stream.dataStart,
      outBytes: 0,
      updatedAt: new Date().toISOString(),
    };
    const resumedRows = st.rows;
    const fd = openSync(out, 'a');
    try {
      // Whatever was written after the last recorded flush is cut, so no row appears twice.
      ftruncateSync(fd, st.outBytes);
      if (!state) writeState(statePath, st);
      return await run(opts, hooks, {
        classifier,
        stream,
        data,
        st,
        fd,
        statePath,
        outFormat,
        batchSize,
        checkpointMs,
        resumedRows,
        out,
      });
    } finally {
      closeSync(fd);
    }
  } finally {
    if (!hooks.classifier) classifier.dispose();
  }
}

interface Job {
  classifier: Classifier;
  stream: RowStream;
  data: string;
  /** The state as of the last completed batch (what a flush records). */
  st: ScoreState;
  fd: number;
  statePath: string;
  outFormat: 'csv' | 'jsonl';
  batchSize: number;
  checkpointMs: number;
  resumedRows: number;
  out: string;
}

/** The streaming loop: read, batch, predict, append; flush and record the state every checkpoint. */
async function run(opts: ScoreOptions, hooks: ScoreHooks, job: Job): Promise<ScoreSummary> {
  const { classifier, st, fd, outFormat, batchSize } = job;
  const meta = classifier.meta;
  const bytesTotal = st.input.size;
  const started = performance.now();
  let lastFlush = started;
  let pending: string[] = [];
  let batch: { values: Record<string, unknown>; inputs: Record<string, string> }[] = [];
  // Problems and position since the last completed batch: they count once that batch is done.
  let problemsAhead = 0;
  let nextAhead: StreamPosition = st.next;
  const warnedKeys = new Set<string>();
  hooks.onStart?.({ resumedRows: job.resumedRows, bytesDone: st.next.offset, bytesTotal });

  const flush = (): void => {
    const bytes = Buffer.from(pending.join(''), 'utf8');
    pending = [];
    for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off);
    fsyncSync(fd);
    st.outBytes += bytes.length;
    st.updatedAt = new Date().toISOString();
    writeState(job.statePath, st);
    lastFlush = performance.now();
  };
  const progress = (): ScoreProgress => {
    const seconds = (performance.now() - started) / 1000;
    return {
      rows: st.rows,
      problems: st.problems,
      bytesDone: st.next.offset,
      bytesTotal,
      rowsPerSecond: seconds > 0 ? (st.rows - job.resumedRows) / seconds : 0,
    };
  };
  const predictBatch = (): void => {
    const preds = classifier.predict(
      batch.map((b) => b.inputs),
      batchSize,
    );
    batch.forEach((b, i) => {
      const p = override(preds[i] as Prediction, meta, opts.minConfidence);
      for (const key of meta.multiLabel ? (p.labels?.length ? p.labels : ['(none)']) : [p.label ?? '(not sure)'])
        st.counts[key] = (st.counts[key] ?? 0) + 1;
      pending.push(`${predictionLine(outFormat, meta, b.values, p, st.columns)}\n`);
    });
    st.rows += batch.length;
    batch = [];
  };
  const commit = (): void => {
    st.problems += problemsAhead;
    problemsAhead = 0;
    st.next = nextAhead;
  };
  const problem = (p: ScoreProblem): void => {
    problemsAhead++;
    hooks.onProblem?.(p);
  };

  if (outFormat === 'csv' && st.outBytes === 0 && st.columns)
    pending.push(`${csvLine([...st.columns, ...scoreColumns(meta)])}\n`);
  let aborted = false;
  for await (const row of job.stream.rows()) {
    nextAhead = row.next;
    if (row.problem) {
      problem(row.problem);
      continue;
    }
    const values = row.values as Record<string, unknown>;
    const inputs: Record<string, string> = {};
    let bad: ScoreProblem | undefined;
    for (const f of meta.inputs) {
      const v = values[f];
      if (v !== undefined && v !== null && typeof v !== 'string')
        bad = {
          line: row.line,
          column: f,
          code: 'NOT_TEXT',
          value: JSON.stringify(v).slice(0, 80),
          message: `"${f}" must be text, got ${typeof v}.`,
        };
      else if (typeof v !== 'string' || !v.trim())
        bad = {
          line: row.line,
          column: f,
          code: 'EMPTY_TEXT',
          value: String(v ?? ''),
          message: `"${f}" is empty or missing: the model reads it; fill it in or remove the row.`,
        };
      if (bad) break;
      inputs[f] = v as string;
    }
    if (!bad && !job.stream.columns) {
      const clash = scoreColumns(meta).filter((c) => c in values);
      if (clash.length)
        bad = {
          line: row.line,
          column: clash[0],
          code: 'COLUMN_CLASH',
          message: `the row already has ${clash.join(', ')}, which scoring adds: rename the key.`,
        };
    }
    if (bad) {
      problem(bad);
      continue;
    }
    if (outFormat === 'csv' && !st.columns) {
      // JSONL into CSV: the first scored row's keys make the header.
      st.columns = Object.keys(values);
      pending.push(`${csvLine([...st.columns, ...scoreColumns(meta)])}\n`);
    }
    if (outFormat === 'csv' && !job.stream.columns)
      for (const k of Object.keys(values))
        if (!st.columns?.includes(k) && !warnedKeys.has(k)) {
          warnedKeys.add(k);
          hooks.onWarning?.(
            `${job.data}:${row.line}: key "${k}" is not among the CSV output's columns (the first row's keys): it is left out; write .jsonl to keep every key.`,
          );
        }
    batch.push({ values, inputs });
    if (batch.length < batchSize) continue;
    predictBatch();
    commit();
    if (performance.now() - lastFlush >= job.checkpointMs) flush();
    hooks.onProgress?.(progress());
    // Let signal handlers and stream writes run between batches (prediction blocks the event loop).
    await new Promise((r) => setImmediate(r));
    if (hooks.signal?.aborted) {
      aborted = true;
      break;
    }
  }
  if (!aborted) {
    if (batch.length) predictBatch();
    commit();
  }
  flush();
  if (!aborted) rmSync(job.statePath, { force: true });
  hooks.onProgress?.(progress());
  const seconds = (performance.now() - started) / 1000;
  const scored = st.rows - job.resumedRows;
  return {
    completed: !aborted,
    rows: st.rows,
    resumedRows: job.resumedRows,
    problems: st.problems,
    counts: { ...st.counts },
    seconds,
    rowsPerSecond: seconds > 0 ? scored / seconds : 0,
    out: job.out,
  };
}

/** Applies a --min-confidence override to a single-label prediction without touching the shared classifier. */
function override(
  p: Prediction,
  meta: Pick<ClassifierMeta, 'labels' | 'multiLabel'>,
  minConfidence: number | undefined,
): Prediction {
  if (minConfidence === undefined || meta.multiLabel) return p;
  let top = meta.labels[0] as string;
  for (const l of meta.labels) if ((p.probs[l] as number) > (p.probs[top] as number)) top = l;
  return { ...p, label: p.confidence >= minConfidence ? top : undefined };
}
