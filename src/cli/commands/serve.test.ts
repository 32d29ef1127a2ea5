// promptune keys and promptune serve as a user runs them: a key made on the command line, a real server process,
// a prediction with that key, a refusal without it, and a clean stop on SIGTERM.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tinyClassifierDir } from '../../server/testing.js';
import { reviewProject, runCli } from '../testing.js';

const bin = join(new URL('../../../', import.meta.url).pathname, 'bin/promptune.mjs');
const children: ReturnType<typeof spawn>[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

describe('promptune serve', () => {
  it('serves a model with a key made by promptune keys, and stops gracefully on SIGTERM', async () => {
    const cwd = await reviewProject('pt-serve-cli-');
    const created = await runCli(cwd, ['keys', 'create', 'crm', '--scopes', 'predict,feedback']);
    expect(created.status, created.stderr).toBe(0);
    const secret = created.stdout.trim();
    expect(secret).toMatch(/^ptk_/);
    expect(created.stderr).toContain('shown only now');
    const listed = await runCli(cwd, ['keys', 'list']);
    expect(listed.stdout).toMatch(/^crm\tkey_\S+\tpredict,feedback\tdefault\/min/);
    expect(listed.stdout).not.toContain(secret);
    expect((await runCli(cwd, ['keys', 'create', 'x', '--scopes', 'root'])).stderr).toContain(
      '--scopes root: unknown root; use predict, feedback, admin',
    );

    const dir = tinyClassifierDir('classification', 5);
    const child = spawn(process.execPath, [bin, 'serve', '--model', `live=${dir}`, '--port', '0', '--threads', '1'], {
      cwd,
      env: { ...process.env, PROMPTUNE_STORE_URL: '' },
    });
    children.push(child);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const stdout: string[] = [];
    child.stdout.on('data', (d: Buffer) => stdout.push(d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "listening" line: ${stderr}`)), 60_000);
      child.stderr.on('data', () => {
        const m = stderr.match(/listening on (http:\/\/\S+) /);
        if (m) {
          clearTimeout(timer);
          resolve(m[1] as string);
        }
      });
    });
    const predict = (key?: string) =>
      fetch(`${url}/v1/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify({ text: 'The tea was lovely.' }),
      });
    const ok = await predict(secret);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { model: { name: string } }).model.name).toBe('live');
    expect((await predict()).status).toBe(401);

    const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(stderr).toContain('SIGTERM: finishing in-flight requests, then stopping');
    expect(stderr).toContain('promptune serve: stopped');
    const logs = stdout
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logs.some((l) => l.msg === 'request' && l.status === 200 && l.key === 'crm')).toBe(true);
    expect(stdout.join('')).not.toContain('lovely');

    const open = await runCli(cwd, ['serve', '--model', dir, '--no-auth', '--host', '0.0.0.0']);
    expect(open.status).toBe(2);
    expect(open.stderr).toContain('auth can be turned off only on a loopback address, not 0.0.0.0');
  }, 120_000);
});
