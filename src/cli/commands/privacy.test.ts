// promptune prune and promptune erase on a store, and the retention window checked at the boundary (prune's flag,
// serve's flag and its environment variable) with a message naming the flag, the value and the fix.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { openDriver, openStore } from '../../store/index.js';
import { sampleTask } from '../../store/testing/fixtures.js';
import type { CliIO } from '../command.js';
import { main } from '../main.js';
import { parseRetention } from './privacy.js';

const dir = mkdtempSync(join(tmpdir(), 'pt-privacy-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(argv: string[], env: Record<string, string> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (d: Buffer) => out.push(d.toString()));
  stderr.on('data', (d: Buffer) => err.push(d.toString()));
  const io: CliIO = { stdin: new PassThrough(), stdout, stderr, cwd: dir, env };
  const status = await main(argv, io);
  return { status, stdout: out.join(''), stderr: err.join('') };
}

/** A store with two subjects' predictions, one of them 40 days old, and feedback on each. */
async function seeded(name: string): Promise<string> {
  const url = `sqlite:${join(dir, `${name}.db`)}`;
  const store = await openStore(url);
  await store.tasks.upsert(sampleTask('reviews'));
  const base = { taskId: 'reviews', modelVersion: 'reviews@1', probs: { positive: 0.8, negative: 0.2 }, confidence: 0.8 };
  const [a, b] = await store.predictions.recordMany([
    { ...base, input: { text: 'alice, long ago' }, label: 'positive', subject: 'alice' },
    { ...base, input: { text: 'bob, today' }, label: 'positive', subject: 'bob' },
  ]);
  for (const p of [a, b])
    await store.feedback.record({ taskId: 'reviews', predictionId: p?.id, input: p?.input, correctLabel: 'positive' });
  await store.close();
  const raw = await openDriver(url);
  await raw.run('UPDATE predictions SET created_at = ? WHERE id = ?', [
    new Date(Date.now() - 40 * 86_400_000).toISOString(),
    a?.id as string,
  ]);
  await raw.close();
  return url;
}

describe('promptune prune and erase', () => {
  it('prune --dry-run counts, prune blanks old texts and reports per table', async () => {
    const url = await seeded('prune');
    const dry = await cli(['prune', '--texts-older-than', '30d', '--dry-run', '--json', '--store', url]);
    expect(dry.status).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({
      dryRun: true,
      blanked: { predictions: 1, feedback: 1, webhook_deliveries: 0 },
    });
    const real = await cli(['prune', '--texts-older-than', '30d', '--store', url]);
    expect(real.status).toBe(0);
    expect(real.stdout).toMatch(/^blanked texts stored before \S+Z:\n {2}predictions {10}1\n {2}feedback {13}1\n/);
    const store = await openStore(url);
    try {
      expect((await store.predictions.list()).map((p) => [p.subject, p.input])).toEqual(
        expect.arrayContaining([
          ['alice', null],
          ['bob', { text: 'bob, today' }],
        ]),
      );
    } finally {
      await store.close();
    }
  });

  it('erase --subject deletes that subject everywhere and says how many rows per table', async () => {
    const url = await seeded('erase');
    const r = await cli(['erase', '--subject', 'alice', '--json', '--store', url]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ subject: 'alice', deleted: { predictions: 1, feedback: 1, webhook_deliveries: 0 } });
    const again = await cli(['erase', '--subject', 'alice', '--store', url]);
    expect(again.stdout).toBe(
      'erased subject "alice":\n  predictions          0\n  feedback             0\n  webhook_deliveries   0\n',
    );
    const store = await openStore(url);
    try {
      expect((await store.predictions.list()).map((p) => p.subject)).toEqual(['bob']);
      expect((await store.feedback.list()).map((f) => f.subject)).toEqual(['bob']);
    } finally {
      await store.close();
    }
    const missing = await cli(['erase', '--store', url]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('promptune erase needs --subject <id>');
  });

  it('refuses a window it cannot read, naming the flag or variable, the value and the fix', async () => {
    const prune = await cli(['prune', '--texts-older-than', '30']);
    expect(prune.status).toBe(2);
    expect(prune.stderr).toContain(
      'promptune prune: --texts-older-than "30": expected a whole number and a unit — m (minutes), h (hours) or d (days) — e.g. 12h or 30d',
    );
    expect((await cli(['prune'])).stderr).toContain('promptune prune needs --texts-older-than <duration>');
    const serve = await cli(['serve', '--retain-texts', '1w']);
    expect(serve.status).toBe(2);
    expect(serve.stderr).toContain('--retain-texts "1w": expected a whole number and a unit');
    const env = await cli(['serve'], { PROMPTUNE_RETAIN_TEXTS: 'soon' });
    expect(env.status).toBe(2);
    expect(env.stderr).toContain('PROMPTUNE_RETAIN_TEXTS="soon": expected');
    expect(parseRetention('12h', 'x')).toBe(12 * 3_600_000);
    expect(parseRetention('30d', 'x')).toBe(30 * 86_400_000);
    expect(parseRetention('90m', 'x')).toBe(90 * 60_000);
    for (const bad of ['0d', '-1d', '1.5h', 'd', ''])
      expect(() => parseRetention(bad, '--x')).toThrow('expected a whole number and a unit');
  });
});
