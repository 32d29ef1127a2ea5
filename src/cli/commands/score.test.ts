// promptune score through the real command with a model trained by promptune train: the same file predict
// writes, warnings for bad rows, usage errors naming the flag; kill -9 mid-run and a rerun that ends byte for
// byte where an uninterrupted run ends; Ctrl-C, then a changed input refused until --restart.
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readState, stateFileOf } from '../../core/score/index.js';
import { type CliRun, reviewProject, runCli } from '../testing.js';

const bin = new URL('../../../bin/promptune.mjs', import.meta.url).pathname;
let cwd: string;
let model: string;
const promptune = (...args: string[]): Promise<CliRun> => runCli(cwd, args);

/** `n` short reviews (some with quoted commas and multi-byte text): about 3 s of scoring for 15 000. */
function bigCsv(path: string, n: number): void {
  const words = ['great', 'lovely', 'stale', 'awful', 'fresh', 'bland'];
  const rows = ['id,text'];
  for (let i = 0; i < n; i++)
    rows.push(`${i},${i % 9 === 0 ? `"Tea ${i}, ""${words[i % 6]}"""` : `Crème ${i} was ${words[i % 6]} 😀`}`);
  writeFileSync(path, `${rows.join('\n')}\n`);
}

/** Starts `promptune score ...args` without waiting for it. */
function start(args: string[]): ChildProcess {
  return spawn(process.execPath, [bin, 'score', ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PROMPTUNE_STORE_URL: '', PROMPTUNE_DEBUG: '' },
  });
}

/** Resolves once the job's state file records scored rows (its first flush), with the rows it records. */
async function progressed(out: string, child: ChildProcess): Promise<number> {
  const state = stateFileOf(join(cwd, out));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the scoring ended (exit ${child.exitCode}) before it could be interrupted`);
    if (existsSync(state)) {
      const rows = readState(state).rows;
      if (rows > 0) return rows;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

const exited = (child: ChildProcess): Promise<{ code: number | null; signal: string | null; stderr: string }> =>
  new Promise((done) => {
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    child.on('exit', (code, signal) => done({ code, signal, stderr }));
  });

beforeAll(async () => {
  cwd = await reviewProject('pt-score-');
  const r = await promptune('train', '--recipe', 'classification', '--epochs', '1', '--max-length', '32', '--lr', '1e-3');
  if (r.status !== 0) throw new Error(r.stderr);
  model = /model saved to (\S+)/.exec(r.stdout)?.[1] as string;
  bigCsv(join(cwd, 'big.csv'), 15_000);
});

describe('promptune score', () => {
  it('writes the file predict writes, warns about bad rows, and names the flag in usage errors', async () => {
    const r = await promptune('score', '--data', 'test.csv', '--out', 'scored.csv');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^scored 100 rows into scored.csv in \d+\.\ds \(\d+\.\d rows\/s\); no rows skipped\n(great|other): \d+/,
    );
    expect(r.stderr).toMatch(/44\.7 KB\/44\.7 KB 100% .* rows 100 /);
    expect((await promptune('predict', '--data', 'test.csv', '--out', 'predicted.csv')).status).toBe(0);
    expect(readFileSync(join(cwd, 'scored.csv'), 'utf8')).toBe(readFileSync(join(cwd, 'predicted.csv'), 'utf8'));

    writeFileSync(join(cwd, 'bad.jsonl'), '{"text": "Lovely tea"}\n{"text": \n{"title": "no text"}\n{"text": "Stale"}\n');
    const bad = await promptune('score', '--model', model, '--data', 'bad.jsonl', '--out', 'bad-out.jsonl');
    expect(bad.status, bad.stderr).toBe(0);
    expect(bad.stderr).toContain('warning: bad.jsonl:2: not valid JSON');
    expect(bad.stderr).toContain(
      'warning: bad.jsonl:3: "text" is empty or missing: the model reads it; fill it in or remove the row. (row skipped)',
    );
    expect(bad.stdout).toMatch(/^scored 2 rows into bad-out.jsonl .*; 2 rows skipped \(see warnings\)/);
    expect(readFileSync(join(cwd, 'bad-out.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);

    const usage = async (args: string[], message: string): Promise<void> => {
      const u = await promptune('score', ...args);
      expect(u.status).toBe(2);
      expect(u.stderr).toContain(`promptune score: ${message}`);
    };
    await usage(['--out', 'x.csv'], '--data is required: the .csv or .jsonl file to score');
    await usage(['--data', 'test.csv'], '--out is required');
    await usage(['--data', 'test.csv', '--out', 'x.txt'], '--out x.txt: use a .csv or .jsonl file');
    await usage(['--data', 'nope.csv', '--out', 'x.csv'], '--data nope.csv: no such file');
    await usage(['--data', 'test.csv', '--out', 'x.csv', '--batch-size', '0'], '--batch-size 0: expected a whole number ≥ 1');
    await usage(
      ['--data', 'test.csv', '--out', 'x.csv', '--model', model, '--run', 'r'],
      'give --model <dir> or --run <id>, not both',
    );
    const again = await promptune('score', '--data', 'test.csv', '--out', 'scored.csv');
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('scored.csv already exists and there is no interrupted scoring to continue');
  });

  it('after kill -9 mid-run, the same command finishes with exactly the uninterrupted output', async () => {
    const whole = await promptune('score', '--model', model, '--data', 'big.csv', '--out', 'whole.jsonl', '--batch-size', '16');
    expect(whole.status, whole.stderr).toBe(0);
    const child = start(['--model', model, '--data', 'big.csv', '--out', 'killed.jsonl', '--batch-size', '16']);
    const end = exited(child);
    const rows = await progressed('killed.jsonl', child);
    child.kill('SIGKILL');
    expect((await end).signal).toBe('SIGKILL');
    const state = readState(stateFileOf(join(cwd, 'killed.jsonl')));
    expect(state.rows).toBeGreaterThanOrEqual(rows);
    expect(state.rows).toBeLessThan(15_000);

    const resumed = await promptune(
      'score',
      '--model',
      model,
      '--data',
      'big.csv',
      '--out',
      'killed.jsonl',
      '--batch-size',
      '16',
    );
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`resuming: ${state.rows} rows were scored before the interruption`);
    expect(resumed.stdout).toMatch(new RegExp(`^scored 15000 rows \\(${state.rows} before the interruption\\)`));
    expect(readFileSync(join(cwd, 'killed.jsonl')).equals(readFileSync(join(cwd, 'whole.jsonl')))).toBe(true);
    expect(existsSync(stateFileOf(join(cwd, 'killed.jsonl')))).toBe(false);
  });

  it('stops cleanly on Ctrl-C, then refuses a changed input until --restart', async () => {
    copyFileSync(join(cwd, 'big.csv'), join(cwd, 'big2.csv'));
    const child = start(['--model', model, '--data', 'big2.csv', '--out', 'stopped.csv']);
    const end = exited(child);
    await progressed('stopped.csv', child);
    child.kill('SIGINT');
    const stopped = await end;
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stderr).toContain('stopped: run the same command again to continue where it left off');

    appendFileSync(join(cwd, 'big2.csv'), '15000,One more lovely tea\n');
    const refused = await promptune('score', '--model', model, '--data', 'big2.csv', '--out', 'stopped.csv');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/big2\.csv changed since the interrupted scoring \(size \d+ → \d+ bytes, .*pass --restart/);
    const restarted = await promptune('score', '--model', model, '--data', 'big2.csv', '--out', 'stopped.csv', '--restart');
    expect(restarted.status, restarted.stderr).toBe(0);
    expect(restarted.stdout).toMatch(/^scored 15001 rows into stopped.csv/);
    expect(readFileSync(join(cwd, 'stopped.csv'), 'utf8').trim().split('\n')).toHaveLength(15_002);
  });
});
