// The blob lock: holders never overlap, and a lock left by a dead process is taken over.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withFileLock } from './lock.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('withFileLock', () => {
  it('runs holders of the same lock one at a time and removes the lock file after', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pt-lock-')), 'sub', 'x.lock');
    const events: string[] = [];
    const hold = (name: string) =>
      withFileLock(
        path,
        async () => {
          events.push(`${name} in`);
          await sleep(30);
          events.push(`${name} out`);
          return name;
        },
        { pollMs: 5 },
      );
    expect(await Promise.all([hold('a'), hold('b'), hold('c')])).toEqual(['a', 'b', 'c']);
    for (let i = 0; i < events.length; i += 2) expect(events[i]?.split(' ')[0]).toBe(events[i + 1]?.split(' ')[0]);
    expect(existsSync(path)).toBe(false);
  });

  it('takes over a lock whose holder has exited, or that went stale', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pt-lock-'));
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(dir, 'dead.lock'), JSON.stringify({ pid: Number(dead.stdout), host: hostname() }));
    expect(await withFileLock(join(dir, 'dead.lock'), async () => 'ok', { pollMs: 5 })).toBe('ok');
    writeFileSync(join(dir, 'stale.lock'), JSON.stringify({ pid: process.pid, host: 'elsewhere' }));
    await sleep(60);
    expect(await withFileLock(join(dir, 'stale.lock'), async () => 'ok', { pollMs: 5, staleMs: 50 })).toBe('ok');
  });
});
