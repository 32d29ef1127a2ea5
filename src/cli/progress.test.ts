import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ProgressBar, formatBytes, formatDuration } from './progress.js';

function sink(tty: boolean): Writable & { isTTY: boolean; text: string } {
  const w = new Writable({
    write(chunk, _enc, cb) {
      w.text += chunk.toString();
      cb();
    },
  }) as Writable & { isTTY: boolean; text: string };
  w.isTTY = tty;
  w.text = '';
  return w;
}

describe('progress bar', () => {
  it('formats durations', () => {
    expect(formatDuration(12.4)).toBe('12s');
    expect(formatDuration(185)).toBe('3m05s');
    expect(formatDuration(3720)).toBe('1h02m');
    expect(formatDuration(Number.NaN)).toBe('?');
  });

  it('on a terminal redraws one line with bar, rate, ETA and fields', () => {
    let t = 0;
    const out = sink(true);
    const bar = new ProgressBar(out, 100, 'steps', () => t);
    t = 10_000;
    bar.update(25, { loss: '0.5000' });
    bar.finish();
    expect(out.text).toBe(
      '\r[######..................] 25/100 steps 25%  2.5 steps/s  10s elapsed, ETA 30s  loss 0.5000\x1b[K\n',
    );
  });

  it('in a log writes a line per tenth of the work, not per update', () => {
    let t = 0;
    const out = sink(false);
    const bar = new ProgressBar(out, 200, 'examples', () => t);
    for (let i = 1; i <= 200; i++) {
      t += 500;
      bar.update(i);
    }
    const lines = out.text.trim().split('\n');
    expect(lines).toHaveLength(11);
    expect(lines.at(-1)).toBe('200/200 examples 100%  2.0 examples/s  1m40s elapsed, ETA 0s');
    expect(lines[0]).toBe('1/200 examples 1%  2.0 examples/s  1s elapsed, ETA 1m40s');
  });
});

describe('progress bar over bytes', () => {
  it('shows sizes, and a resumed bar rates only the new work', () => {
    let t = 0;
    const out = sink(false);
    const bar = new ProgressBar(out, 10 * 1024 * 1024, 'bytes', () => t).resumeAt(4 * 1024 * 1024);
    t = 2_000;
    bar.update(6 * 1024 * 1024, { rows: '1200', 'rows/s': '600' });
    expect(out.text).toBe('6.0 MB/10.0 MB 60%  1.0 MB/s  2s elapsed, ETA 4s  rows 1200  rows/s 600\n');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
  });
});
