import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonlLog, readJsonl } from './jsonl.js';

const root = new URL('../../../../', import.meta.url).pathname;
const tmpFile = () => join(mkdtempSync(join(tmpdir(), 'pt-jsonl-')), 'run', 'metrics.jsonl');

describe('JsonlLog', () => {
  it('writes one {time, step, ...metrics} object per line, at once, and reads them back', () => {
    const path = tmpFile();
    const log = new JsonlLog(path);
    log.log(1, { loss: 0.69, lr: 3e-5, gradNorm: 1.5, examplesPerSecond: 210.4 }, 1700000000.5);
    expect(readFileSync(path, 'utf8')).toBe(
      '{"time":1700000000.5,"step":1,"loss":0.69,"lr":0.00003,"gradNorm":1.5,"examplesPerSecond":210.4}\n',
    );
    log.log(2, { dev: { accuracy: 0.75, perClassF1: [0.5, 1] }, phase: 'eval', best: true }, 1700000001);
    log.close();
    expect(readJsonl(path)).toEqual({
      records: [
        { time: 1700000000.5, step: 1, loss: 0.69, lr: 3e-5, gradNorm: 1.5, examplesPerSecond: 210.4 },
        { time: 1700000001, step: 2, dev: { accuracy: 0.75, perClassF1: [0.5, 1] }, phase: 'eval', best: true },
      ],
    });
  });

  it('keeps NaN and infinities (a diverging loss) as names on disk and numbers when read', () => {
    const path = tmpFile();
    using log = new JsonlLog(path);
    log.log(7, { loss: Number.NaN, gradNorm: Number.POSITIVE_INFINITY, min: -Infinity }, 1);
    expect(readFileSync(path, 'utf8')).toBe('{"time":1,"step":7,"loss":"NaN","gradNorm":"Infinity","min":"-Infinity"}\n');
    expect(readJsonl(path).records).toEqual([{ time: 1, step: 7, loss: Number.NaN, gradNorm: Infinity, min: -Infinity }]);
  });

  it('rejects reserved names, fractional steps and writes after close', () => {
    const log = new JsonlLog(tmpFile());
    expect(() => log.log(1, { step: 3 })).toThrow('JSONL log: "step" is reserved for the line\'s own field; rename the metric');
    expect(() => log.log(1.5, {})).toThrow('JSONL log: step must be an integer, got 1.5');
    log.close();
    log.close();
    expect(() => log.log(1, {})).toThrow(/is closed: open a new JsonlLog/);
  });

  it('a log cut mid-line reads up to the last full line and says which line it dropped', () => {
    const path = tmpFile();
    const log = new JsonlLog(path);
    for (let step = 1; step <= 3; step++) log.log(step, { loss: 1 / step }, step);
    log.close();
    appendFileSync(path, '{"time":4,"step":4,"lo');
    const { records, dropped } = readJsonl(path);
    expect(records.map((r) => r.step)).toEqual([1, 2, 3]);
    expect(dropped).toEqual({ line: 4, text: '{"time":4,"step":4,"lo' });
  });

  it('a damaged line before the end is an error naming the line, not a silent skip', () => {
    const path = tmpFile();
    new JsonlLog(path).close();
    writeFileSync(path, '{"time":1,"step":1}\n{"time":2,\n{"time":3,"step":3}\n');
    expect(() => readJsonl(path)).toThrow(`${path}:2 is not valid JSON: fix or delete that line`);
    writeFileSync(path, '[1,2]\n');
    expect(() => readJsonl(path)).toThrow(`${path}:1 is not a {time, step, ...metrics} object`);
  });

  it('reopening after a kill cuts the partial line off (or finishes a complete one) before appending', () => {
    const path = tmpFile();
    new JsonlLog(path).close();
    writeFileSync(path, '{"time":1,"step":1}\n{"time":2,"st');
    new JsonlLog(path).log(2, { loss: 0.5 }, 3);
    expect(readFileSync(path, 'utf8')).toBe('{"time":1,"step":1}\n{"time":3,"step":2,"loss":0.5}\n');
    writeFileSync(path, '{"time":1,"step":1}');
    new JsonlLog(path).log(2, {}, 2);
    expect(readJsonl(path).records.map((r) => r.step)).toEqual([1, 2]);
    writeFileSync(path, `{"time":1,"step":1,"x":"${'y'.repeat(70000)}`);
    new JsonlLog(path).log(2, {}, 2);
    expect(readFileSync(path, 'utf8')).toBe('{"time":2,"step":2}\n');
    new JsonlLog(path, { append: false }).close();
    expect(readFileSync(path, 'utf8')).toBe('');
  });

  it('a process killed with SIGKILL right after logging has every logged line on disk', () => {
    const path = tmpFile();
    const script = `
      import { JsonlLog } from ${JSON.stringify(join(root, 'src/core/train/monitor/jsonl.ts'))};
      const log = new JsonlLog(${JSON.stringify(path)});
      for (let step = 1; step <= 200; step++) log.log(step, { loss: 1 / step });
      process.kill(process.pid, 'SIGKILL');`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(r.signal).toBe('SIGKILL');
    const { records, dropped } = readJsonl(path);
    expect(dropped).toBeUndefined();
    expect(records.map((x) => x.step)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  });
});
