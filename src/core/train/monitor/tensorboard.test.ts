import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MonitorError } from './errors.js';
import { TensorBoardWriter, readEventFile } from './tensorboard.js';

const fixtures = new URL('./__fixtures__/', import.meta.url).pathname;
const root = new URL('../../../../', import.meta.url).pathname;
const python = join(root, '.venv-ref', 'bin', 'python');
const tmp = () => mkdtempSync(join(tmpdir(), 'pt-tb-'));

interface Golden {
  startTime: number;
  scalars: { tag: string; value: number | string; step: number; wallTime: number }[];
}
const golden = JSON.parse(readFileSync(join(fixtures, 'scalars.json'), 'utf8')) as Golden;
const num = (v: number | string) => (typeof v === 'number' ? v : Number(v)); // "NaN", "Infinity", "-Infinity"
const f32 = (v: number) => Math.fround(v);

describe('TensorBoardWriter', () => {
  it('writes byte-for-byte the file tensorboard’s protobuf classes and RecordWriter produce (golden)', () => {
    const tb = new TensorBoardWriter(tmp(), { startTime: golden.startTime });
    for (const s of golden.scalars) tb.scalar(s.tag, num(s.value), s.step, s.wallTime);
    tb.close();
    expect(Buffer.compare(readFileSync(tb.path), readFileSync(join(fixtures, 'scalars.tfevents')))).toBe(0);
  });

  it('reads the golden file back: header, steps, wall times and float32 values', () => {
    const { events, truncated } = readEventFile(join(fixtures, 'scalars.tfevents'));
    expect(truncated).toBeUndefined();
    expect(events[0]).toEqual({ wallTime: golden.startTime, step: 0, fileVersion: 'brain.Event:2', scalars: [] });
    expect(events.slice(1)).toEqual(
      golden.scalars.map((s) => ({ wallTime: s.wallTime, step: s.step, scalars: [{ tag: s.tag, value: f32(num(s.value)) }] })),
    );
  });

  it('names the file as TensorBoard does and puts a named run in its own subdirectory', () => {
    const dir = tmp();
    const a = new TensorBoardWriter(dir, { runName: 'lr-3e-5', startTime: 1700000000.9 });
    const b = new TensorBoardWriter(dir, { runName: 'lr-3e-5', startTime: 1700000000.2 });
    a.close();
    b.close();
    expect(a.path).toBe(join(dir, 'lr-3e-5', `events.out.tfevents.1700000000.${hostname()}`));
    expect(basename(b.path)).toBe(`events.out.tfevents.1700000000.${hostname()}.1`);
    expect(readdirSync(join(dir, 'lr-3e-5')).sort()).toEqual([basename(a.path), basename(b.path)]);
    expect(new TensorBoardWriter(dir, { runName: 'sweep/a' }).path.startsWith(join(dir, 'sweep', 'a'))).toBe(true);
    expect(() => new TensorBoardWriter(dir, { runName: '../elsewhere' })).toThrow(/relative path inside dir/);
  });

  it('buffers records and writes them every flushEvery records, on flush() and at close', () => {
    const tb = new TensorBoardWriter(tmp(), { flushEvery: 3, flushSeconds: 3600 });
    const size = () => statSync(tb.path).size;
    const header = size();
    expect(header).toBeGreaterThan(0); // the header is on disk at once
    tb.scalar('loss', 1, 1);
    tb.scalar('loss', 2, 2);
    expect(size()).toBe(header);
    tb.scalar('loss', 3, 3);
    const three = size();
    expect(three).toBeGreaterThan(header);
    tb.scalar('loss', 4, 4);
    expect(size()).toBe(three);
    tb.flush();
    expect(size()).toBeGreaterThan(three);
    tb.scalars({ loss: 5, lr: 0.1 }, 5, 1700000000);
    tb.close();
    tb.close();
    const { events } = readEventFile(tb.path);
    expect(events.slice(1).map((e) => [e.step, e.scalars[0]!.tag, e.scalars[0]!.value])).toEqual([
      [1, 'loss', 1],
      [2, 'loss', 2],
      [3, 'loss', 3],
      [4, 'loss', 4],
      [5, 'loss', 5],
      [5, 'lr', f32(0.1)],
    ]);
  });

  it('writes a record that has waited flushSeconds without waiting for flushEvery', async () => {
    const tb = new TensorBoardWriter(tmp(), { flushEvery: 1000, flushSeconds: 0.05 });
    const header = statSync(tb.path).size;
    tb.scalar('loss', 1, 1);
    expect(statSync(tb.path).size).toBe(header);
    await new Promise((r) => setTimeout(r, 80));
    tb.scalar('loss', 2, 2);
    expect(readEventFile(tb.path).events.length).toBe(3);
    tb.close();
  });

  it('rejects bad arguments and writes after close with typed errors', () => {
    const tb = new TensorBoardWriter(tmp());
    expect(() => tb.scalar('', 1, 1)).toThrow(MonitorError);
    expect(() => tb.scalar('loss', 1, 1.5)).toThrow('scalar "loss": step must be an integer, got 1.5');
    expect(() => tb.scalar('loss', '1' as unknown as number, 1)).toThrow('scalar "loss": value must be a number, got string');
    expect(() => new TensorBoardWriter(tmp(), { flushEvery: 0 })).toThrow('flushEvery must be a positive number, got 0');
    tb.close();
    const e = (() => {
      try {
        tb.scalar('loss', 1, 1);
      } catch (err) {
        return err;
      }
    })();
    expect(MonitorError.isInstance(e) && e.code).toBe('MONITOR_CLOSED');
  });

  it('a file cut mid-record (writer killed) reads up to the last complete record', () => {
    const tb = new TensorBoardWriter(tmp(), { startTime: 1, flushEvery: 1 });
    const ends = [statSync(tb.path).size];
    for (let step = 1; step <= 4; step++) {
      tb.scalar('loss', step / 10, step, 1 + step);
      ends.push(statSync(tb.path).size);
    }
    tb.close();
    truncateSync(tb.path, ends[4]! - 5);
    const { events, truncated } = readEventFile(tb.path);
    expect(events.map((e) => [e.step, e.scalars[0]?.value])).toEqual([
      [0, undefined],
      [1, f32(0.1)],
      [2, f32(0.2)],
      [3, f32(0.3)],
    ]);
    expect(truncated).toEqual({ offset: ends[3], bytes: ends[4]! - 5 - ends[3]! });
  });
});

describe.skipIf(!existsSync(python))('TensorBoard reads our files (reference venv)', () => {
  it('event_file_loader and EventAccumulator see the tags, steps, wall times and float32 values written here', () => {
    const dir = tmp();
    const scalars = [
      { tag: 'train/loss', value: Math.LN2, step: 1, wallTime: 1700000000.5 },
      { tag: 'train/lr', value: 3e-5, step: 1, wallTime: 1700000000.5 },
      { tag: 'train/loss', value: 0.1, step: 2, wallTime: 1700000001.25 },
      { tag: 'dev/macro_f1', value: 0.8125, step: 2, wallTime: 1700000002 },
      { tag: 'train/examples_per_second', value: 1234.5678, step: 3, wallTime: 1700000003 },
      { tag: 'train/loss', value: Number.NaN, step: 2 ** 40, wallTime: 1700000004 },
      { tag: 'perte/échec ✓', value: Number.NEGATIVE_INFINITY, step: 2 ** 40 + 1, wallTime: 1700000005 },
    ];
    const tb = new TensorBoardWriter(dir, { runName: 'run-a', flushEvery: 2 });
    for (const s of scalars) tb.scalar(s.tag, s.value, s.step, s.wallTime);
    tb.close();
    const expected = join(dir, 'expected.json');
    writeFileSync(expected, JSON.stringify({ scalars: scalars.map((s) => ({ ...s, value: String(s.value) })) }));
    const r = spawnSync(python, [join(root, 'scripts/fixtures/check_tensorboard.py'), tb.path, expected], { encoding: 'utf8' });
    if (/No module named 'tensorboard'/.test(r.stderr)) {
      throw new Error(
        'tensorboard is missing from .venv-ref: run `.venv-ref/bin/pip install -r scripts/fixtures/requirements.txt`',
      );
    }
    expect(r.stderr + r.stdout).toContain('OK 7 scalars, 5 tags');
    expect(r.status).toBe(0);
  });
});
