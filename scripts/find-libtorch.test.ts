// libtorch discovery: an explicit LIBTORCH wins or fails loudly; otherwise a usable install is found.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url).pathname;

function run(script: string, env: Record<string, string>): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [`scripts/${script}`], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('libtorch discovery and the native build', () => {
  it('finds this machine’s libtorch and names its BLAS', () => {
    const { status, out } = run('find-libtorch.mjs', {});
    expect(status).toBe(0);
    const found = JSON.parse(out) as { usable: boolean; version: string; blas: string; includeDirs: string[] };
    expect(found.usable).toBe(true);
    expect(found.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(found.blas).toMatch(/blas|mkl/i);
  });

  it('a broken LIBTORCH is an error that says what is missing and how to fix it', () => {
    const find = run('find-libtorch.mjs', { LIBTORCH: '/nonexistent/libtorch' });
    expect(find.status).toBe(1);
    expect(find.out).toContain('/nonexistent/libtorch/include/ATen/ATen.h');
    const build = run('build-native.mjs', { LIBTORCH: '/nonexistent/libtorch' });
    expect(build.status).toBe(1);
    expect(build.out).toMatch(/no usable libtorch found/);
    expect(build.out).toMatch(/LIBTORCH=\/nonexistent\/libtorch: missing/);
    expect(build.out).toMatch(/Fix: run `bash scripts\/setup.sh`/);
  });
});
