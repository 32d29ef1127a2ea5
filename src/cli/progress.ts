// One progress display for every long command: on a terminal a bar redrawn in place with rate and ETA; in a log
// (not a TTY) a plain line every tenth of the work or every 30 seconds, so CI logs stay short but alive.
import type { Writable } from 'node:stream';

/** Formats seconds as 1h02m, 3m05s or 12s. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/** Formats a byte count as 512 B, 12.3 KB, 4.5 MB or 1.2 GB (powers of 1024). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

/** What the bar shows besides the count: e.g. { loss: '0.4312', lr: '2.0e-5' }. */
export type ProgressFields = Record<string, string>;

/** A progress bar over `total` units of work, written to `out` (stderr); unit 'bytes' shows sizes. */
export class ProgressBar {
  readonly #started: number;
  #base = 0;
  #lastLine = 0;
  #lastDecile = -1;
  #done = 0;
  readonly #tty: boolean;

  constructor(
    private readonly out: Writable & { isTTY?: boolean; columns?: number },
    private readonly total: number,
    private readonly unit = 'steps',
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#started = now();
    this.#tty = out.isTTY === true;
  }

  /** Moves to `done` units and redraws (on a terminal) or logs (at each tenth / 30 s elsewhere). */
  update(done: number, fields: ProgressFields = {}): void {
    this.#done = done;
    const t = this.now();
    const decile = this.total ? Math.floor((10 * done) / this.total) : 0;
    if (this.#tty) {
      this.out.write(`\r${this.line(t, fields)}\x1b[K`);
    } else if (decile !== this.#lastDecile || t - this.#lastLine > 30_000 || done === this.total) {
      this.out.write(`${this.line(t, fields)}\n`);
      this.#lastLine = t;
    }
    this.#lastDecile = decile;
  }

  /** Counts `done` units as already done before this bar started (resumed work), so rate and ETA cover only new work. */
  resumeAt(done: number): this {
    this.#base = done;
    this.#done = done;
    return this;
  }

  /** Ends the bar's line (a final newline on a terminal). */
  finish(): void {
    if (this.#tty) this.out.write('\n');
  }

  /** The text of one update: bar (terminal only), count, percent, rate, elapsed, ETA and fields. */
  line(t: number, fields: ProgressFields = {}): string {
    const elapsed = (t - this.#started) / 1000;
    const frac = this.total ? Math.min(1, this.#done / this.total) : 0;
    const rate = elapsed > 0 ? (this.#done - this.#base) / elapsed : 0;
    const eta = rate > 0 ? (this.total - this.#done) / rate : Number.NaN;
    const width = 24;
    const filled = Math.round(frac * width);
    const bar = this.#tty ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` : '';
    const extra = Object.entries(fields)
      .map(([k, v]) => `${k} ${v}`)
      .join('  ');
    const bytes = this.unit === 'bytes';
    const rateText = bytes
      ? `${formatBytes(Math.round(rate))}/s`
      : rate >= 1 || rate === 0
        ? `${rate.toFixed(1)} ${this.unit}/s`
        : `${(1 / rate).toFixed(1)} s/${this.unit.replace(/s$/, '')}`;
    const count = bytes ? `${formatBytes(this.#done)}/${formatBytes(this.total)}` : `${this.#done}/${this.total} ${this.unit}`;
    return `${bar}${count} ${(frac * 100).toFixed(0)}%  ${rateText}  ${formatDuration(elapsed)} elapsed, ETA ${this.#done >= this.total ? '0s' : formatDuration(eta)}${extra ? `  ${extra}` : ''}`;
  }
}
