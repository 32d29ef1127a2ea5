// The run's metrics log: one JSON object per line, `{time, step, ...metrics}`, each line written with a single
// write call as soon as it is logged, so a killed process loses at most the line being written.
import { closeSync, fstatSync, ftruncateSync, mkdirSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { MonitorError } from './errors.js';

/** A value a metric may take (nested objects for per-class figures). */
export type MetricValue = number | string | boolean | null | MetricValue[] | { [key: string]: MetricValue };

/** One line of the log: Unix seconds, the step, then the metrics. */
export interface JsonlRecord {
  time: number;
  step: number;
  [metric: string]: MetricValue;
}

/** Whether to continue an existing log (a resumed run) or start it afresh. */
export interface JsonlLogOptions {
  /** Append to an existing file (default true); false empties it first. */
  append?: boolean;
}

// JSON has no NaN or infinities, and a diverging loss is exactly what a log must show: they are written as
// these strings and turned back into numbers by readJsonl.
const NON_FINITE: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': -Infinity };

/** Appends `{time, step, ...metrics}` lines to a file. */
export class JsonlLog {
  /** The log file. */
  readonly path: string;
  private fd: number | undefined;

  constructor(path: string, options: JsonlLogOptions = {}) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, options.append === false ? 'w' : 'a+');
    if (options.append !== false) repairTail(this.fd);
  }

  /** Writes one line now; `time` is Unix seconds (default now). `time` and `step` cannot be metric names. */
  log(step: number, metrics: Record<string, MetricValue>, time = Date.now() / 1000): void {
    if (this.fd === undefined) throw new MonitorError('MONITOR_CLOSED', `JSONL log ${this.path} is closed: open a new JsonlLog`);
    if (!Number.isSafeInteger(step)) throw new MonitorError('MONITOR_VALUE', `JSONL log: step must be an integer, got ${step}`);
    for (const reserved of ['time', 'step']) {
      if (Object.hasOwn(metrics, reserved)) {
        throw new MonitorError(
          'MONITOR_VALUE',
          `JSONL log: "${reserved}" is reserved for the line's own field; rename the metric`,
        );
      }
    }
    const line = `${JSON.stringify({ time, step, ...metrics }, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))}\n`;
    const bytes = Buffer.from(line);
    for (let done = 0; done < bytes.length; ) done += writeSync(this.fd, bytes, done, bytes.length - done);
  }

  /** Closes the file; later calls do nothing. */
  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  /** `using log = new JsonlLog(...)` closes it at the end of the scope. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** The records of a log; a last line cut off mid-write is left out and reported as `dropped` (1-based line). */
export function readJsonl(path: string): { records: JsonlRecord[]; dropped?: { line: number; text: string } } {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const records: JsonlRecord[] = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(raw, (_k, v) => (typeof v === 'string' && Object.hasOwn(NON_FINITE, v) ? NON_FINITE[v] : v));
    } catch {
      // Only the unterminated last line can be a write cut short; anything else is damage worth stopping for.
      if (i === lines.length - 1) return { records, dropped: { line: i + 1, text: raw } };
      throw new MonitorError('MONITOR_CORRUPT', `${path}:${i + 1} is not valid JSON: fix or delete that line`);
    }
    const r = value as Partial<JsonlRecord> | null;
    if (r === null || typeof r !== 'object' || Array.isArray(r) || typeof r.step !== 'number' || typeof r.time !== 'number') {
      throw new MonitorError('MONITOR_CORRUPT', `${path}:${i + 1} is not a {time, step, ...metrics} object`);
    }
    records.push(r as JsonlRecord);
  }
  return { records };
}

// A run killed mid-line leaves an unterminated tail; appending after it would glue the next line onto it and
// turn a harmless cut into a corrupt middle line. A tail that parses only lacked its newline: finish it.
// Otherwise cut the file back to its last complete line.
function repairTail(fd: number): void {
  const size = fstatSync(fd).size;
  if (size === 0) return;
  let end = size;
  let tail = Buffer.alloc(0);
  while (end > 0) {
    const chunk = Buffer.alloc(Math.min(65536, end));
    readSync(fd, chunk, 0, chunk.length, end - chunk.length);
    end -= chunk.length;
    tail = Buffer.concat([chunk, tail]);
    const nl = tail.lastIndexOf(10, tail.length - 1);
    if (nl === tail.length - 1) return;
    if (nl >= 0) {
      tail = tail.subarray(nl + 1);
      end += nl + 1;
      break;
    }
  }
  try {
    JSON.parse(tail.toString('utf8'));
    writeSync(fd, '\n');
  } catch {
    ftruncateSync(fd, end);
  }
}
