// promptune train through the real command: a recorded run with step metrics, a saved model that loads back,
// a test-set evaluation, and LoRA with a classification head.
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../store/index.js';
import { loadPretrainedDir } from '../../transformers/index.js';
import { type CliRun, runCli } from '../testing.js';

const root = new URL('../../../', import.meta.url).pathname;
const model = join(root, 'src/transformers/models/__fixtures__/tiny-xlmr-with-tokenizer');
const promptune = (cwd: string, ...args: string[]): CliRun => runCli(cwd, args);

function project(): string {
  const cwd = mkdtempSync(join(tmpdir(), 'pt-train-'));
  copyFileSync(join(root, 'src/core/data/__fixtures__/reviews-train-200.csv'), join(cwd, 'train.csv'));
  copyFileSync(join(root, 'src/core/data/__fixtures__/reviews-test-100.csv'), join(cwd, 'test.csv'));
  promptune(
    cwd,
    'init',
    '--yes',
    '--objective',
    'Spot five-star reviews',
    '--labels',
    'great,other',
    '--train',
    'train.csv',
    '--test',
    'test.csv',
    '--model',
    model,
  );
  promptune(
    cwd,
    'prompt',
    'add',
    'cloze',
    '--template',
    '{text} It was {mask}.',
    '--verbalizer',
    'great=great',
    '--verbalizer',
    'other=bad',
  );
  return cwd;
}

describe('promptune train', () => {
  it('trains with a prompt, records the run and its metrics, evaluates on test and saves a loadable model', async () => {
    const cwd = project();
    const r = promptune(cwd, 'train', '--prompt', 'cloze', '--epochs', '1', '--max-length', '48', '--k', '16');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^run run_\S+: prompt-mlm on 32 examples \(dev 32\), 1 epochs\n/);
    expect(r.stderr).toMatch(/step 2\/2 {2}loss \d\.\d{4}/);
    expect(r.stdout).toMatch(/completed after 2 steps; best dev macro-f1 \d\.\d{3}/);
    expect(r.stdout).toMatch(/test: macro-f1 \d\.\d{3}, accuracy \d\.\d{3} on 100 examples/);
    const dir = /model saved to (\S+)/.exec(r.stdout)?.[1] as string;
    const p = loadPretrainedDir(join(cwd, dir));
    expect(p.model.architecture).toBe('XLMRobertaForMaskedLM');
    p.model.dispose();
    const store = await openStore(join(cwd, '.promptune', 'promptune.db'));
    const [run] = await store.runs.list({ taskId: 'spot-five-star-reviews' });
    expect(run).toMatchObject({ status: 'completed', recipe: 'prompt-mlm', checkpointPath: join(cwd, dir) });
    expect((await store.runs.metrics(run?.id as string, { name: 'loss' })).length).toBe(2);
    expect((await store.evaluations.list({ taskId: 'spot-five-star-reviews' })).map((e) => e.kind)).toContain('fine-tune');
    await store.close();
  });

  it('trains LoRA adapters with a classification head and says what a recipe needs', () => {
    const cwd = project();
    const r = promptune(cwd, 'train', '--recipe', 'classification', '--lora', '4', '--epochs', '1', '--max-length', '48');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('classification + LoRA r=4');
    expect(promptune(cwd, 'train', '--recipe', 'prompt-mlm').stderr).toContain('the prompt-mlm recipe needs --prompt');
    expect(promptune(cwd, 'train', '--prompt', 'cloze', '--lr', '0').stderr).toMatch(/learningRate: /);
  });
});
