// TensorBoard event files written from the (synchronous) training loop: one file per writer, records buffered
// in memory and written with one syscall per batch, flushed every N records, every few seconds and at close.
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { MonitorError } from './errors.js';
import { type TbEvent, decodeEvent, encodeFileVersionEvent, encodeScalarEvent } from './event.js';
import { type RecordScan, frameRecord, readRecords } from './tfrecord.js';

/** Where the event file goes and how often buffered records reach the disk. */
export interface TensorBoardWriterOptions {
  /** A subdirectory of `dir` for this run; TensorBoard shows each subdirectory as its own run. */
  runName?: string;
  /** Write buffered records once this many are waiting (default 50). */
  flushEvery?: number;
  /** Write buffered records once the oldest has waited this long, checked on each record (default 5 s). */
  flushSeconds?: number;
  /** Wall time (Unix seconds) for the file name and the file-version event; default now (fixed in tests). */
  startTime?: number;
}

/** Writes scalar summaries to `<dir>[/<runName>]/events.out.tfevents.<unix seconds>.<hostname>`. */
export class TensorBoardWriter {
  /** The event file being written. */
  readonly path: string;
  private fd: number | undefined;
  private pending: Uint8Array[] = [];
  private pendingSince = 0;
  private readonly flushEvery: number;
  private readonly flushMs: number;

  constructor(dir: string, options: TensorBoardWriterOptions = {}) {
    this.flushEvery = positive('flushEvery', options.flushEvery ?? 50);
    this.flushMs = positive('flushSeconds', options.flushSeconds ?? 5) * 1000;
    const start = options.startTime ?? Date.now() / 1000;
    const runDir = options.runName === undefined ? dir : join(dir, runDirName(options.runName));
    mkdirSync(runDir, { recursive: true });
    const base = join(runDir, `events.out.tfevents.${String(Math.floor(start)).padStart(10, '0')}.${hostname()}`);
    [this.path, this.fd] = openFresh(base);
    this.push(encodeFileVersionEvent(start));
    this.flush();
  }

  /** Records `value` under `tag` at `step` (`wallTime` in Unix seconds, default now); stored as float32. */
  scalar(tag: string, value: number, step: number, wallTime = Date.now() / 1000): void {
    if (typeof tag !== 'string' || tag === '') {
      throw new MonitorError('MONITOR_VALUE', `scalar tag must be a non-empty string, got ${JSON.stringify(tag)}`);
    }
    if (typeof value !== 'number') {
      throw new MonitorError('MONITOR_VALUE', `scalar "${tag}": value must be a number, got ${typeof value}`);
    }
    if (!Number.isSafeInteger(step)) {
      throw new MonitorError('MONITOR_VALUE', `scalar "${tag}": step must be an integer, got ${step}`);
    }
    if (!Number.isFinite(wallTime)) {
      throw new MonitorError('MONITOR_VALUE', `scalar "${tag}": wallTime must be finite Unix seconds, got ${wallTime}`);
    }
    this.push(encodeScalarEvent(tag, value, step, wallTime));
    if (this.pending.length >= this.flushEvery || performance.now() - this.pendingSince >= this.flushMs) this.flush();
  }

  /** Records every entry of `values` at `step` (one event each, same wall time). */
  scalars(values: Record<string, number>, step: number, wallTime = Date.now() / 1000): void {
    for (const [tag, value] of Object.entries(values)) this.scalar(tag, value, step, wallTime);
  }

  /** Writes buffered records to the file (one write call). */
  flush(): void {
    const fd = this.open();
    if (this.pending.length === 0) return;
    const bytes = Buffer.concat(this.pending);
    this.pending = [];
    for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
  }

  /** Flushes and closes the file; later calls do nothing. */
  close(): void {
    if (this.fd === undefined) return;
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }

  /** `using tb = new TensorBoardWriter(...)` closes it at the end of the scope, even on a throw. */
  [Symbol.dispose](): void {
    this.close();
  }

  private push(record: Uint8Array): void {
    this.open();
    if (this.pending.length === 0) this.pendingSince = performance.now();
    this.pending.push(frameRecord(record));
  }

  private open(): number {
    if (this.fd === undefined) {
      throw new MonitorError('MONITOR_CLOSED', `event file ${this.path} is closed: make a new TensorBoardWriter`);
    }
    return this.fd;
  }
}

/** The events of an event file; a record cut off by a killed writer is left out and reported in `truncated`. */
export function readEventFile(path: string): { events: TbEvent[]; truncated?: RecordScan['truncated'] } {
  const { records, truncated } = readRecords(readFileSync(path), path);
  const events = records.map(decodeEvent);
  return truncated ? { events, truncated } : { events };
}

// Two writers started in the same second on one host would share a name: the second gets a numeric suffix,
// which still sorts after the first (TensorBoard reads a run's files in name order).
function openFresh(base: string): [string, number] {
  for (let n = 0; ; n++) {
    const path = n === 0 ? base : `${base}.${n}`;
    try {
      return [path, openSync(path, 'wx')];
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

// Nested names (`sweep/lr-3e-5`) are fine and show as nested runs; escaping `dir` is not.
function runDirName(name: string): string {
  const parts = name.split(/[/\\]/);
  if (name === '' || isAbsolute(name) || parts.some((p) => p === '..' || p === '')) {
    throw new MonitorError('MONITOR_VALUE', `runName ${JSON.stringify(name)} must be a relative path inside dir, without ".."`);
  }
  return name;
}

function positive(field: string, v: number): number {
  if (!(v > 0)) throw new MonitorError('MONITOR_VALUE', `${field} must be a positive number, got ${v}`);
  return v;
}
