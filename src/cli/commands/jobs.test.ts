// promptune jobs and promptune worker on the default SQLite store: queue a batch-scoring job from the command
// line, run it with a worker until the queue is empty, follow it, and the errors a user meets.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tinyClassifierDir } from '../../server/testing.js';
import { runCli } from '../testing.js';

describe('promptune jobs / worker', () => {
  it('queues a score job, runs it with a worker, and shows the result', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'pt-jobs-'));
    const model = tinyClassifierDir('classification', 31);
    writeFileSync(join(cwd, 'in.csv'), 'text\nLovely tea.\nStale bread.\n"Fine, ""ok"" rice."\n');
    expect((await runCli(cwd, ['jobs', 'add', 'score', '--data', 'in.csv', '--model', model])).stderr).toContain(
      'promptune jobs add score needs --out <…>: where the predictions go (.csv or .jsonl)',
    );
    const added = await runCli(cwd, ['jobs', 'add', 'score', '--data', 'in.csv', '--out', 'out.csv', '--model', model]);
    expect(added.status, added.stderr).toBe(0);
    const id = added.stdout.trim();
    expect(id).toMatch(/^job_/);
    expect((await runCli(cwd, ['jobs', 'list'])).stdout).toMatch(new RegExp(`^${id}\\tscore\\tqueued\\tattempt 0/3\\t-\\t`));

    const worker = await runCli(cwd, ['worker', '--until-empty', '--id', 'w1']);
    expect(worker.status, worker.stderr).toBe(0);
    expect(worker.stderr).toContain('promptune worker: 1 job(s) completed');
    const logs = worker.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string; workerId: string });
    expect(logs.map((l) => l.msg)).toEqual(['worker started', 'job claimed', 'job completed', 'worker stopped']);
    const job = JSON.parse((await runCli(cwd, ['jobs', 'show', id])).stdout) as { status: string; result: { rows: number } };
    expect(job).toMatchObject({ status: 'completed', workerId: 'w1', result: { rows: 3, completed: true } });
    expect(readFileSync(join(cwd, 'out.csv'), 'utf8').trim().split('\n')).toHaveLength(4);
    expect(existsSync(join(cwd, 'out.csv.score-state.json'))).toBe(false);

    expect((await runCli(cwd, ['worker', '--kinds', 'frobnicate'])).stderr).toContain(
      '--kinds frobnicate: unknown frobnicate; use score, train, retrain, prompt-eval, prompt-ab, prompt-search, search, export, pretrain, eval',
    );
    // The job's log: who claimed it, and that it completed.
    expect((await runCli(cwd, ['jobs', 'logs', id])).stdout).toMatch(
      /^\S+\tinfo\tclaimed by w1 \(attempt 1 of 3\)\n\S+\tinfo\tcompleted by w1\n$/,
    );
    expect((await runCli(cwd, ['jobs', 'show', 'job_nope'])).stderr).toContain('job "job_nope" is not in the store');

    // Deferred, prioritised, cancelled: the worker never runs it; a finished job cannot be cancelled.
    const args = ['jobs', 'add', 'score', '--data', 'in.csv', '--out', 'later.csv', '--model', model];
    expect((await runCli(cwd, [...args, '--start-after', 'tomorrow'])).stderr).toContain(
      '--start-after tomorrow: expected an ISO 8601 time',
    );
    expect((await runCli(cwd, [...args, '--priority', '1.5'])).stderr).toContain('--priority 1.5: expected a whole number');
    const later = (await runCli(cwd, [...args, '--start-after', '2999-01-01T00:00:00Z', '--priority', '3'])).stdout.trim();
    expect(JSON.parse((await runCli(cwd, ['jobs', 'show', later])).stdout)).toMatchObject({
      status: 'queued',
      priority: 3,
      startAfter: '2999-01-01T00:00:00.000Z',
    });
    expect((await runCli(cwd, ['worker', '--until-empty'])).stderr).toContain('0 job(s) completed');
    expect((await runCli(cwd, ['jobs', 'cancel', later])).stdout).toBe(`${later}\tcancelled\n`);
    expect((await runCli(cwd, ['jobs', 'list', '--status', 'cancelled'])).stdout).toContain(later);
    const refused = await runCli(cwd, ['jobs', 'cancel', id]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('is completed: only a queued or running job can be cancelled');
  }, 120_000);
});
