// A run killed with SIGKILL at any point and resumed from its checkpoints ends exactly where the same run
// without interruption ends: same weights, same losses, same dev evaluations.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProcess } from '../../shared/testing.js';
import { listCheckpoints } from './index.js';

const child = new URL('./testing/resume-child.ts', import.meta.url).pathname;
const tsx = new URL('../../../node_modules/.bin/tsx', import.meta.url).pathname;

async function runToEnd(dir: string, out: string, resume = false): Promise<Record<string, unknown>> {
  const r = await runProcess(tsx, [child, dir, out, ...(resume ? ['--resume'] : [])]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(readFileSync(out, 'utf8'));
}

/** Starts the run and kills it with SIGKILL once it has printed `step <n>`. */
function killAtStep(dir: string, out: string, n: number): Promise<string> {
  return new Promise((resolve) => {
    const proc = spawn(tsx, [child, dir, out], { stdio: ['ignore', 'pipe', 'inherit'] });
    let seen = '';
    proc.stdout.on('data', (d: Buffer) => {
      seen += d.toString();
      if (seen.includes(`step ${n}\n`)) proc.kill('SIGKILL');
    });
    proc.on('exit', (_code, signal) => resolve(`${signal} after: ${seen.trim().split('\n').at(-1)}`));
  });
}

describe('resume after kill -9', () => {
  it('continues to the same final result as an uninterrupted run with the same seed', async () => {
    const root = mkdtempSync(join(tmpdir(), 'promptune-resume-'));
    const whole = await runToEnd(join(root, 'whole'), join(root, 'whole.json'));
    expect(whole.steps).toBe(18);
    // Killed between checkpoints (step 4: the newest is step 3) and right after one (step 13 → 12 kept).
    for (const at of [4, 13]) {
      const dir = join(root, `killed-${at}`);
      const how = await killAtStep(dir, join(root, 'never.json'), at);
      expect(how).toMatch(/^SIGKILL/);
      // The newest checkpoint is from before the kill, not the end of the run.
      expect(listCheckpoints(dir).at(-1)).toBe(`step-${String(at - (at % 3)).padStart(7, '0')}`);
      const resumed = await runToEnd(dir, join(root, `resumed-${at}.json`), true);
      expect(resumed.digest).toBe(whole.digest);
      expect(resumed.history).toEqual(whole.history);
      expect(resumed.evals).toEqual(whole.evals);
      expect(resumed.best).toEqual(whole.best);
    }
    // Resuming a finished run changes nothing.
    const again = await runToEnd(join(root, 'whole'), join(root, 'again.json'), true);
    expect(again.digest).toBe(whole.digest);
  });
});
