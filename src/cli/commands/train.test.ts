// promptune train through the real command: a recorded run with step metrics, a saved model that loads back,
// a test-set evaluation, and LoRA with a classification head.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readClassifierMeta, readJsonl } from '../../core/train/index.js';
import { openStore } from '../../store/index.js';
import { loadPretrainedDir } from '../../transformers/index.js';
import { type CliRun, reviewProject, runCli } from '../testing.js';

const root = new URL('../../../', import.meta.url).pathname;
const model = join(root, 'src/transformers/models/__fixtures__/tiny-xlmr-with-tokenizer');
const promptune = (cwd: string, ...args: string[]): Promise<CliRun> => runCli(cwd, args);

const project = (): Promise<string> => reviewProject('pt-train-', { prompt: true });

describe('promptune train', () => {
  it('trains with a prompt, records the run and its metrics, evaluates on test and saves a loadable model', async () => {
    const cwd = await project();
    const r = await promptune(cwd, 'train', '--prompt', 'cloze', '--epochs', '1', '--max-length', '48', '--k', '16');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^run run_\S+: prompt-mlm on 32 examples \(dev 32\), 1 epochs\n/);
    expect(r.stderr).toMatch(/2\/2 steps 100% .* ETA 0s {2}loss \d\.\d{4}/);
    expect(r.stdout).toMatch(/completed after 2 steps; best dev macro-f1 \d\.\d{3} \(step 2\); temperature \d+\.\d\d/);
    expect(r.stdout).toMatch(/test: macro-f1 \d\.\d{3}, accuracy \d\.\d{3} on 100 examples/);
    const dir = /model saved to (\S+)/.exec(r.stdout)?.[1] as string;
    expect(dir).toMatch(/^\.promptune\/runs\/run_\S+\/model$/);
    const p = loadPretrainedDir(join(cwd, dir));
    expect(p.model.architecture).toBe('XLMRobertaForMaskedLM');
    p.model.dispose();
    const meta = readClassifierMeta(join(cwd, dir));
    expect(meta).toMatchObject({
      recipe: 'prompt-mlm',
      labels: ['great', 'other'],
      prompt: { template: '{text} It was {mask}.' },
    });
    const log = readJsonl(join(cwd, dir, '..', 'metrics.jsonl')).records;
    expect(log.filter((l) => 'loss' in l).map((l) => l.step)).toEqual([1, 2]);
    expect(log.some((l) => typeof l['dev/macro-f1'] === 'number')).toBe(true);
    const store = await openStore(join(cwd, '.promptune', 'promptune.db'));
    const [run] = await store.runs.list({ taskId: 'spot-five-star-reviews' });
    expect(run).toMatchObject({ status: 'completed', recipe: 'prompt-mlm', checkpointPath: join(cwd, dir) });
    expect((await store.runs.metrics(run?.id as string, { name: 'loss' })).length).toBe(2);
    expect((await store.evaluations.list({ taskId: 'spot-five-star-reviews' })).map((e) => e.kind)).toContain('fine-tune');
    await store.close();
  });

  it('trains LoRA adapters with a classification head and says what a recipe needs', async () => {
    const cwd = await project();
    const r = await promptune(cwd, 'train', '--recipe', 'classification', '--lora', '4', '--epochs', '1', '--max-length', '48');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('classification + LoRA r=4');
    const runDir = join(cwd, /model saved to (\S+)/.exec(r.stdout)?.[1] as string, '..');
    const adapter = JSON.parse(readFileSync(join(runDir, 'adapter', 'adapter_config.json'), 'utf8'));
    expect(adapter).toMatchObject({ peft_type: 'LORA', r: 4, lora_alpha: 8, task_type: 'SEQ_CLS' });
    expect(existsSync(join(runDir, 'adapter', 'adapter_model.safetensors'))).toBe(true);
    expect((await promptune(cwd, 'train', '--recipe', 'prompt-mlm')).stderr).toContain(
      '--prompt: the prompt-mlm recipe needs a prompt version: give its name or hash',
    );
    expect((await promptune(cwd, 'train', '--prompt', 'cloze', '--lr', '0')).stderr).toMatch(/--lr 0: /);
    expect((await promptune(cwd, 'train', '--resume', 'run_x', '--lr', '1')).stderr).toContain(
      '--resume takes no other training options',
    );
  });

  it('trains a two-prompt ensemble with demonstrations, and predict uses both from the saved model', async () => {
    const cwd = await project();
    await promptune(
      cwd,
      'prompt',
      'add',
      'verdict',
      '--template',
      'Review: {text} Verdict: {mask}',
      '--verbalizer',
      'great=good',
      '--verbalizer',
      'other=bad',
    );
    const r = await promptune(
      cwd,
      'train',
      '--prompt',
      'cloze,verdict',
      '--demonstrations',
      '--k',
      '8',
      '--epochs',
      '1',
      '--max-length',
      '96',
    );
    expect(r.status, r.stderr).toBe(0);
    const dir = join(cwd, /model saved to (\S+)/.exec(r.stdout)?.[1] as string);
    const meta = readClassifierMeta(dir);
    expect(meta.prompt?.template).toBe('{text} It was {mask}.');
    expect(meta.morePrompts?.map((p) => p.template)).toEqual(['Review: {text} Verdict: {mask}']);
    expect(meta.demonstrations?.pool.length).toBe(16);
    const pred = await promptune(cwd, 'predict', '--model', dir, '--text', 'Lovely tea.');
    expect(pred.status, pred.stderr).toBe(0);
    expect(pred.stdout).toMatch(/^(great|other) \(/);
  });

  it('multi-label tasks train with one sigmoid per label, thresholds tuned on dev, and predict several labels', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'pt-train-ml-'));
    const rows = ['text,label'];
    const topics = ['taste', 'price', 'delivery'];
    for (let i = 0; i < 120; i++) {
      const on = topics.filter((_, k) => (i >> k) % 2 === 1 || i % 7 === k);
      const words = on.length ? on.map((t) => `${t} comment ${i % 5}`).join(' and ') : 'no comment';
      rows.push(`"${words}",${on.join('|')}`);
    }
    writeFileSync(join(cwd, 'train.csv'), rows.filter((r) => !r.endsWith(',')).join('\n'));
    const init = await promptune(
      cwd,
      'init',
      '--yes',
      '--objective',
      'Topics of reviews',
      '--labels',
      topics.join(','),
      '--multi-label',
      '--train',
      'train.csv',
      '--model',
      model,
    );
    expect(init.status, init.stderr).toBe(0);
    const r = await promptune(cwd, 'train', '--recipe', 'classification', '--epochs', '2', '--max-length', '32', '--lr', '1e-3');
    expect(r.status, r.stderr).toBe(0);
    const dir = join(cwd, /model saved to (\S+)/.exec(r.stdout)?.[1] as string);
    const meta = readClassifierMeta(dir);
    expect(meta.multiLabel).toBe(true);
    expect(meta.thresholds).toHaveLength(3);
    const pred = await promptune(cwd, 'predict', '--model', dir, '--data', 'train.csv', '--out', 'p.jsonl');
    expect(pred.status, pred.stderr).toBe(0);
    const out = readFileSync(join(cwd, 'p.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    // Labels come from one sigmoid per label against its tuned threshold, so rows get several labels or none.
    const thresholds = meta.thresholds as number[];
    for (const row of out) {
      const expected = topics.filter((t, k) => (row[`p:${t}`] as number) >= (thresholds[k] as number));
      expect(row.labels).toEqual(expected);
    }
    expect(out.some((row) => row.labels.length > 1)).toBe(true);
    const ev = await promptune(cwd, 'eval', '--model', dir, '--data', 'train.csv');
    expect(ev.status, ev.stderr).toBe(0);
    expect(ev.stdout).toMatch(/macro-F1 \d\.\d{3} · micro-F1 \d\.\d{3} · subset accuracy \d\.\d{3} · Hamming loss \d\.\d{3}/);
    expect(ev.stdout).toMatch(/ {4}price +P \d\.\d{3}/);
  });

  it('trains SetFit: contrastive pairs, then a head on frozen embeddings; predict loads the head', async () => {
    const cwd = await project();
    const r = await promptune(
      cwd,
      'train',
      '--recipe',
      'setfit',
      '--k',
      '8',
      '--pair-rounds',
      '2',
      '--head-epochs',
      '5',
      '--template',
      'Review: {text}',
      '--max-length',
      '32',
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/pair steps 100%/);
    const dir = join(cwd, /model saved to (\S+)/.exec(r.stdout)?.[1] as string);
    expect(readClassifierMeta(dir)).toMatchObject({ recipe: 'setfit', template: 'Review: {text}' });
    expect(existsSync(join(dir, 'setfit_head.safetensors'))).toBe(true);
    const pred = await promptune(cwd, 'predict', '--model', dir, '--text', 'Lovely tea.');
    expect(pred.status, pred.stderr).toBe(0);
    expect(pred.stdout).toMatch(/^(great|other) \(/);
  });

  it('a run killed with SIGKILL resumes from its checkpoint to the result of an uninterrupted run', async () => {
    const cwd = await project();
    const args = [
      'train',
      '--recipe',
      'classification',
      '--epochs',
      '2',
      '--batch-size',
      '4',
      '--max-length',
      '32',
      '--checkpoint-every',
      '5',
      '--lr',
      '1e-3',
    ];
    const whole = await promptune(cwd, ...args);
    expect(whole.status, whole.stderr).toBe(0);
    const child = spawn(process.execPath, [join(root, 'bin/promptune.mjs'), ...args], {
      cwd,
      env: { ...process.env, PROMPTUNE_STORE_URL: '' },
      stdio: 'ignore',
    });
    const exited = new Promise((r) => child.on('exit', r));
    // Kill as soon as the second checkpoint of the new run is on disk.
    const runs = join(cwd, '.promptune', 'runs');
    const known = new Set(readdirSync(runs));
    let killedAt = '';
    while (!killedAt) {
      await new Promise((r) => setTimeout(r, 5));
      const mine = readdirSync(runs).find((d) => !known.has(d));
      const steps =
        mine && existsSync(join(runs, mine, 'checkpoints'))
          ? readdirSync(join(runs, mine, 'checkpoints')).filter((d) => d.startsWith('step-'))
          : [];
      if (steps.includes('step-0000010')) {
        child.kill('SIGKILL');
        killedAt = mine as string;
      }
    }
    await exited;
    const resumed = await promptune(cwd, 'train', '--resume', killedAt);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`run ${killedAt} (resumed)`);
    const testLine = (out: string): string => /test: .*/.exec(out)?.[0] as string;
    expect(testLine(resumed.stdout)).toBe(testLine(whole.stdout));
    expect(/best dev .*/.exec(resumed.stdout)?.[0]).toBe(/best dev .*/.exec(whole.stdout)?.[0]);
    const store = await openStore(join(cwd, '.promptune', 'promptune.db'));
    expect(await store.runs.get(killedAt)).toMatchObject({ status: 'completed' });
    expect((await store.runs.metrics(killedAt, { name: 'loss' })).map((m) => m.step)).toEqual(
      Array.from({ length: 90 }, (_, i) => i + 1),
    );
    await store.close();
    expect((await promptune(cwd, 'train', '--resume', killedAt)).stderr).toContain('is completed, so it cannot be resumed');
  });
});
