// promptune search through the real command: trials are runs in the store tagged with their search, the table is
// sorted best-first, best.json is the best run's spec and the printed train command reproduces its score, a
// diverged trial is recorded as failed while the search goes on, --queue-only leaves queued runs that --resume
// works through (TPE proposing after the first ones finish), and a search killed mid-trial resumes that trial.
// Every trial is a train job on the store's one job queue.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Run, openStore } from '../../store/index.js';
import { type CliRun, reviewProject, runCli } from '../testing.js';
import { parseSpec } from '../training/spec.js';

const root = new URL('../../../', import.meta.url).pathname;
const model = join(root, 'src/transformers/models/__fixtures__/tiny-xlmr-with-tokenizer');
const promptune = (cwd: string, ...args: string[]): Promise<CliRun> => runCli(cwd, args);
const TINY = ['--epochs', '1', '--max-length', '32', '--recipe', 'classification', '--batch-size', '32'];

const project = (): Promise<string> => reviewProject('pt-search-');

interface TrialTag {
  id: string;
  trial: number;
  sampler: string;
  params: Record<string, unknown>;
}
const tag = (r: Run): TrialTag | undefined => (r.config as { search?: TrialTag }).search;

/** The search's trials in the store, by trial number. */
async function trials(cwd: string, id: string): Promise<Run[]> {
  const store = await openStore(join(cwd, '.promptune', 'promptune.db'));
  try {
    const runs = (await store.runs.list()).filter((r) => tag(r)?.id === id);
    return runs.sort((a, b) => (tag(a)?.trial ?? 0) - (tag(b)?.trial ?? 0));
  } finally {
    await store.close();
  }
}

/** The train jobs of the store's one job queue: status, attempts and the run each trains. */
async function trainJobs(cwd: string): Promise<{ runId: string; status: string; attempts: number }[]> {
  const store = await openStore(join(cwd, '.promptune', 'promptune.db'));
  try {
    const jobs = await store.jobs.list({ kind: 'train' });
    return jobs.map((j) => ({ runId: (j.payload as { runId: string }).runId, status: j.status, attempts: j.attempts }));
  } finally {
    await store.close();
  }
}

/** The results table's rows as cells, header first. */
function table(stdout: string): string[][] {
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => l.startsWith('trial  '));
  const end = lines.indexOf('', start);
  return lines.slice(start, end).map((l) => l.split(/ {2,}/));
}

const searchId = (stdout: string): string => /^search (search_\S+):/m.exec(stdout)?.[1] as string;

describe('promptune search', () => {
  it('runs a grid as tagged runs, sorts the table, saves best.json and prints a train command that reproduces it', async () => {
    const cwd = await project();
    writeFileSync(join(cwd, 'space.yaml'), '# two learning rates, two warm-ups\nlr: [1e-4, 1e-3]\nwarmup: [0, 0.2]\n');
    const r = await promptune(cwd, 'search', '--space', 'space.yaml', ...TINY);
    expect(r.status, r.stderr).toBe(0);
    const id = searchId(r.stdout);
    expect(r.stdout).toContain(`search ${id}: grid, 4 trials over lr, warmup`);
    expect(r.stdout).toMatch(
      /^trial 1\/4 lr=1e-4 warmup=0: dev macro-f1 \d\.\d{3}, test \d\.\d{3}, 6 steps, \d+s \(run run_\S+\)$/m,
    );

    const runs = await trials(cwd, id);
    expect(runs.map((t) => [t.status, tag(t)?.trial, tag(t)?.sampler])).toEqual(
      [1, 2, 3, 4].map((n) => ['completed', n, 'grid']),
    );
    // Each trial was a train job on the one job queue.
    const jobs = await trainJobs(cwd);
    expect(runs.map((t) => jobs.find((j) => j.runId === t.id))).toEqual(
      runs.map((t) => ({ runId: t.id, status: 'completed', attempts: 1 })),
    );
    expect(runs.map((t) => tag(t)?.params)).toEqual([
      { lr: 1e-4, warmup: 0 },
      { lr: 1e-4, warmup: 0.2 },
      { lr: 1e-3, warmup: 0 },
      { lr: 1e-3, warmup: 0.2 },
    ]);
    expect(runs.map((t) => (t.config as { learningRate: number }).learningRate)).toEqual([1e-4, 1e-4, 1e-3, 1e-3]);

    const rows = table(r.stdout);
    expect(rows[0]).toEqual(['trial', 'lr', 'warmup', 'dev macro-f1', 'test macro-f1', 'steps', 'status']);
    const devs = rows.slice(1).map((c) => Number(c[3]));
    expect(devs).toHaveLength(4);
    expect(devs).toEqual([...devs].sort((a, b) => b - a));
    const dir = join(cwd, '.promptune', 'search', id);
    const json = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(json.trials.map((t: { dev: number }) => t.dev.toFixed(3))).toEqual(devs.map((d) => d.toFixed(3)));
    const csv = readFileSync(join(dir, 'results.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('trial,lr,warmup,dev macro-f1,test macro-f1,steps,status,run,error');
    expect(csv).toHaveLength(5);

    const best = runs.find((t) => t.id === json.best.run) as Run;
    expect(best.bestMetric?.value).toBe(Math.max(...runs.map((t) => t.bestMetric?.value ?? 0)));
    const spec = parseSpec(JSON.parse(readFileSync(join(dir, 'best.json'), 'utf8')));
    const { search: _s, ...bestConfig } = best.config as Record<string, unknown>;
    expect(spec).toEqual(bestConfig);
    expect(r.stdout).toContain(`its model: .promptune/runs/${best.id}/model (promptune predict --run ${best.id}`);

    const command = /train it again: promptune train (.*)/.exec(r.stdout)?.[1] as string;
    expect(command).toContain('--recipe classification --epochs 1 --batch-size 32');
    const again = await promptune(cwd, 'train', ...command.split(' '));
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain(`best dev macro-f1 ${best.bestMetric?.value.toFixed(3)}`);
  });

  it('records a diverged trial as failed and goes on; a bad space names the line and the fix', async () => {
    const cwd = await project();
    writeFileSync(join(cwd, 'space.yaml'), 'lr: [1e6, 1e-4]\n');
    const r = await promptune(cwd, 'search', '--space', 'space.yaml', ...TINY);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^trial 1\/2 lr=1000000: failed: the loss became NaN at step \d/m);
    expect(r.stdout).toMatch(/^trial 2\/2 lr=1e-4: dev macro-f1/m);
    expect(table(r.stdout).map((c) => [c[0], c[4]])).toEqual([
      ['trial', 'steps'],
      ['2', '6'],
      ['1', expect.stringMatching(/^\d$/)],
    ]);
    expect(table(r.stdout).map((c) => c.at(-1))).toEqual(['status', 'completed', 'failed']);
    const [failed] = await trials(cwd, searchId(r.stdout));
    expect(failed).toMatchObject({ status: 'failed', error: expect.stringContaining('the loss became NaN') });
    // Divergence is not retried: the trial's job failed on its first attempt.
    expect((await trainJobs(cwd)).find((j) => j.runId === failed?.id)).toMatchObject({ status: 'failed', attempts: 1 });

    const bad = async (space: string, ...args: string[]): Promise<string> => {
      writeFileSync(join(cwd, 'bad.yaml'), space);
      const b = await promptune(cwd, 'search', '--space', 'bad.yaml', '--recipe', 'classification', ...args);
      expect(b.status).not.toBe(0);
      return b.stderr.split('\n')[0] as string;
    };
    expect(await bad('epochs: [1]\nlr: {min: 1e-3, max: 1e-5, log: true}\n')).toBe(
      'promptune search: bad.yaml:2: lr.max is 0.00001: min must be below max: swap them, or use a list for one value.',
    );
    expect(await bad('learning_rate: [1e-5]')).toMatch(
      /^promptune search: bad.yaml: learning_rate is not a training option a search can vary: use one of recipe, .*, lr, /,
    );
    expect(await bad('lr: [0, 1e-5]')).toBe('promptune search: bad.yaml: lr: 0: --lr 0: Too small: expected number to be >0');
    expect(await bad('epochs: {min: 1, max: 3}')).toBe(
      'promptune search: bad.yaml: epochs takes whole numbers: add int: true to its range',
    );
    expect(await bad('lr: {min: 1e-5, max: 1e-3}', '--sampler', 'grid')).toBe(
      'promptune search: lr is a range (0.00001 to 0.001): a grid needs a list of values, e.g. lr: [0.00001, 0.001], or use the random or tpe sampler.',
    );
    expect(await bad('lr: [1e-5]', '--out', 'x')).toContain('--out does not apply to a search');
    expect(await bad('prompt: [cloze, missing]')).toMatch(/^promptune search: bad.yaml: cloze: /);
    // Nothing was queued or saved for a space that failed its checks.
    expect(readdirSync(join(cwd, '.promptune', 'search'))).toHaveLength(1);
    expect((await trials(cwd, 'none')).length).toBe(0);
  });

  it('--queue-only leaves queued trials that --resume runs, TPE proposing the rest after they finish', async () => {
    const cwd = await project();
    writeFileSync(join(cwd, 'space.yaml'), 'lr: {min: 1e-5, max: 1e-3, log: true}\nwarmup: {min: 0, max: 0.3}\n');
    const q = await promptune(cwd, 'search', '--space', 'space.yaml', '--trials', '6', '--queue-only', ...TINY);
    expect(q.status, q.stderr).toBe(0);
    const id = searchId(q.stdout);
    expect(q.stdout).toContain(`search ${id}: tpe, 6 trials over lr, warmup`);
    expect(q.stdout).toContain(`queued 5 trials; run them with: promptune search --resume ${id}`);
    expect((await trials(cwd, id)).map((t) => t.status)).toEqual(Array(5).fill('queued'));

    const r = await promptune(cwd, 'search', '--resume', id);
    expect(r.status, r.stderr).toBe(0);
    const runs = await trials(cwd, id);
    expect(runs.map((t) => [tag(t)?.trial, t.status])).toEqual([1, 2, 3, 4, 5, 6].map((n) => [n, 'completed']));
    // The sixth trial (TPE's own) was proposed after the first five had finished.
    const fifthDone = Math.max(...runs.slice(0, 5).map((t) => Date.parse(t.finishedAt as string)));
    expect(Date.parse(runs[5]?.createdAt as string)).toBeGreaterThanOrEqual(fifthDone);
    expect(table(r.stdout)).toHaveLength(7);

    const again = await promptune(cwd, 'search', '--resume', id);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).not.toMatch(/^trial \d/m);
    expect(table(again.stdout)).toEqual(table(r.stdout));
    expect((await promptune(cwd, 'search', '--resume', 'search_x')).stderr).toContain(
      `no search "search_x" in this project: searches here are ${id}`,
    );
  });

  it('a search killed mid-trial resumes that trial from its checkpoint and runs the rest', async () => {
    const cwd = await project();
    writeFileSync(join(cwd, 'space.yaml'), 'warmup: [0, 0.1]\n');
    const args = ['search', '--space', 'space.yaml', '--recipe', 'classification', '--epochs', '2', '--batch-size', '8'];
    const child = spawn(
      process.execPath,
      [join(root, 'bin/promptune.mjs'), ...args, '--max-length', '32', '--checkpoint-every', '5'],
      { cwd, env: { ...process.env, PROMPTUNE_STORE_URL: '' }, stdio: 'ignore' },
    );
    const exited = new Promise((r) => child.on('exit', r));
    const runsDir = join(cwd, '.promptune', 'runs');
    let killed = '';
    while (!killed) {
      await new Promise((r) => setTimeout(r, 5));
      const mine = existsSync(runsDir) ? readdirSync(runsDir)[0] : undefined;
      const checkpoints = mine ? join(runsDir, mine, 'checkpoints') : '';
      if (mine && existsSync(checkpoints) && readdirSync(checkpoints).includes('step-0000010')) {
        child.kill('SIGKILL');
        killed = mine;
      }
    }
    await exited;
    const id = readdirSync(join(cwd, '.promptune', 'search'))[0] as string;
    expect((await trials(cwd, id)).map((t) => t.status)).toEqual(['running', 'queued']);

    const r = await promptune(cwd, 'search', '--resume', id);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`trial 1/2 warmup=0: resuming run ${killed}`);
    expect(r.stderr).toContain(`run ${killed} (resumed)`);
    const runs = await trials(cwd, id);
    expect(runs.map((t) => [t.id === killed, t.status])).toEqual([
      [true, 'completed'],
      [false, 'completed'],
    ]);
    const store = await openStore(join(cwd, '.promptune', 'promptune.db'));
    expect((await store.runs.metrics(killed, { name: 'loss' })).map((m) => m.step)).toEqual(
      Array.from({ length: 46 }, (_, i) => i + 1),
    );
    await store.close();
  });
});
