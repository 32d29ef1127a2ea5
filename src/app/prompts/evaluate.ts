// Trying prompts before training: zero-shot scores of one prompt (or a PET-style ensemble) on the task's labelled
// data, and A/B tests of two versions on the same examples with a verdict (bootstrap interval, McNemar) and the
// examples that flipped between them. Each is recorded as an evaluation that names the prompts, the exact
// dataset version and the model.
import { z } from 'zod';
import { makeDataset } from '../../core/data/index.js';
import { classificationMetrics, metricValue } from '../../core/eval/index.js';
import { abTest, zeroShotMlm, zeroShotSimilarity } from '../../core/prompts/index.js';
import type { Evaluation, PromptVersion } from '../../store/index.js';
import type { Pretrained } from '../../transformers/index.js';
import { AppError } from '../errors.js';
import type { OnProgress } from '../progress.js';
import { type Project, importTaskSplit, saveDataset } from '../project.js';
import { checkedPrompt, resolvePromptVersion } from './versions.js';

const common = {
  split: z.enum(['train', 'dev', 'test']).optional().describe("Which of the task's files (default test, else train)"),
  limit: z.number().int().positive().optional().describe('Only the first N examples'),
  model: z.string().optional().describe("A masked LM other than the task's"),
  calibrate: z.boolean().default(false).describe('Contextual calibration (divide by the empty input’s scores)'),
};

/** What a zero-shot evaluation takes: one prompt, or several for an ensemble; or no prompt, by label descriptions. */
export const promptEvalInputSchema = z
  .object({
    prompts: z.array(z.string().min(1)).default([]).describe('Prompt names or version hashes'),
    method: z
      .enum(['mlm', 'similarity'])
      .default('mlm')
      .describe("mlm: the prompts' masks; similarity: an encoder's cosine between input and label descriptions"),
    ...common,
  })
  .strict()
  .superRefine((x, ctx) => {
    if (x.method === 'mlm' && !x.prompts.length)
      ctx.addIssue({ code: 'custom', path: ['prompts'], message: 'give at least one prompt (or method "similarity")' });
    if (x.method === 'similarity' && x.prompts.length)
      ctx.addIssue({
        code: 'custom',
        path: ['prompts'],
        message: 'method "similarity" uses the label descriptions, not prompts',
      });
  });
/** The input of evaluatePrompts. */
export type PromptEvalInput = z.input<typeof promptEvalInputSchema>;

/** What an A/B test takes: two prompt versions. */
export const promptAbInputSchema = z.object({ a: z.string().min(1), b: z.string().min(1), ...common }).strict();
/** The input of abTestPrompts. */
export type PromptAbInput = z.input<typeof promptAbInputSchema>;

/** Labelled examples of one of the task's files, the version scored recorded (a prefix is its own version). */
export async function labelledSplit(
  project: Project,
  split: 'train' | 'dev' | 'test' | undefined,
  limit: number | undefined,
): Promise<{ examples: { inputs: Record<string, string>; label: string }[]; hash: string; split: string }> {
  const which = split ?? (project.loaded.dataPaths.test ? 'test' : 'train');
  const r = await importTaskSplit(project, which);
  if (!r)
    throw new AppError('PRECONDITION', [
      { code: 'NO_DATA', path: 'split', message: `the task names no data.${which} file`, fix: `add data.${which} to the task` },
    ]);
  await saveDataset(project, r.dataset, which, null);
  const n = Math.min(limit ?? r.dataset.examples.length, r.dataset.examples.length);
  const used =
    n < r.dataset.examples.length ? makeDataset(r.dataset.examples.slice(0, n), `${r.dataset.source} (first ${n})`) : r.dataset;
  if (used !== r.dataset) await saveDataset(project, used, `${which}-first-${n}`, r.dataset.hash);
  return {
    examples: used.examples.map((e) => ({ inputs: e.inputs, label: e.labels[0] as string })),
    hash: used.hash,
    split: which,
  };
}

/** The task's model (or `override`) with its masked-LM head; PRECONDITION when that head would be random. */
export async function maskedLm(project: Project, override: string | undefined): Promise<Pretrained> {
  const p = await project.model({ ...(override ? { override } : {}), head: 'masked-lm' });
  const fresh = p.report.initialised.filter((k) => !k.includes('pooler'));
  if (fresh.length)
    throw new AppError('PRECONDITION', [
      {
        code: 'NO_MLM_HEAD',
        path: 'model',
        message: `${override ?? project.loaded.task.model} has no masked-LM head (${fresh.length} head weights would be random)`,
        fix: 'score by label descriptions (promptune prompt eval --method similarity), or use a model with a masked-LM head (e.g. hf:distilroberta-base)',
      },
    ]);
  return p;
}

const scores = (project: Project, m: ReturnType<typeof classificationMetrics>) => {
  const metric = project.loaded.task.metric;
  return { [metric]: metricValue(m, metric), accuracy: m.accuracy, 'macro-f1': m.macroF1 };
};

/** Zero-shot scores of a prompt (several: their averaged label distributions, none: by label descriptions), recorded. */
export async function evaluatePrompts(
  project: Project,
  input: PromptEvalInput,
  opts: { onProgress?: OnProgress } = {},
): Promise<{ evaluation: Evaluation; versions: PromptVersion[]; metrics: ReturnType<typeof classificationMetrics> }> {
  const x = promptEvalInputSchema.parse(input);
  const task = project.loaded.task;
  const labels = task.labels.map((l) => l.name);
  const versions = await Promise.all(x.prompts.map((ref) => resolvePromptVersion(project, ref)));
  const data = await labelledSplit(project, x.split, x.limit);
  const inputs = data.examples.map((e) => e.inputs);
  const onProgress = (done: number, total: number) => opts.onProgress?.({ type: 'examples', done, total });
  const runs =
    x.method === 'similarity'
      ? [zeroShotSimilarity(await project.model(x.model ? { override: x.model } : {}), inputs, task.labels, { onProgress })]
      : await (async () => {
          const p = await maskedLm(project, x.model);
          return versions.map((v) =>
            zeroShotMlm(p, checkedPrompt(project, v), inputs, labels, { calibrate: x.calibrate, onProgress }),
          );
        })();
  const probs = data.examples.map((_, i) =>
    labels.map((_, l) => runs.reduce((sum, r) => sum + (r.probs[i]?.[l] as number), 0) / runs.length),
  );
  const predictions = probs.map((row) => labels[row.indexOf(Math.max(...row))] as string);
  const m = classificationMetrics(
    data.examples.map((e) => e.label),
    predictions,
    labels,
  );
  const evaluation = await project.store.evaluations.record({
    taskId: task.name,
    kind: versions.length > 1 ? 'zero-shot-ensemble' : 'zero-shot',
    promptHashes: versions.map((v) => v.hash),
    datasetHash: data.hash,
    modelRef: x.model ?? task.model,
    metrics: scores(project, m),
    details: {
      method: x.method,
      ...(x.method === 'mlm' ? { calibrate: x.calibrate } : {}),
      split: data.split,
      perClass: m.perClass,
      confusion: m.confusion,
    },
  });
  return { evaluation, versions, metrics: m };
}

/** How many flipped examples an A/B evaluation keeps (the counts are always complete). */
export const MAX_FLIPS_KEPT = 200;

/** A/B test of two prompt versions on the same labelled examples, recorded with the examples that flipped. */
export async function abTestPrompts(project: Project, input: PromptAbInput, opts: { onProgress?: OnProgress } = {}) {
  const x = promptAbInputSchema.parse(input);
  const task = project.loaded.task;
  const labels = task.labels.map((l) => l.name);
  const [va, vb] = [await resolvePromptVersion(project, x.a), await resolvePromptVersion(project, x.b)];
  const data = await labelledSplit(project, x.split, x.limit);
  const p = await maskedLm(project, x.model);
  const names: [string, string] = [`${va.name}@${va.hash.slice(0, 10)}`, `${vb.name}@${vb.hash.slice(0, 10)}`];
  const r = abTest(p, [checkedPrompt(project, va), checkedPrompt(project, vb)], data.examples, labels, {
    names,
    metric: task.metric,
    calibrate: x.calibrate,
    onProgress: (done: number, total: number) => opts.onProgress?.({ type: 'examples', done, total }),
  });
  // The examples one version gets right and the other wrong: what a person reads to see why B differs from A.
  const flips = data.examples.flatMap((e, i) => {
    const a = r.predictions.a.predictions[i] as string;
    const b = r.predictions.b.predictions[i] as string;
    return (a === e.label) !== (b === e.label)
      ? [{ index: i, inputs: e.inputs, label: e.label, a, b, better: a === e.label ? 'a' : 'b' }]
      : [];
  });
  const evaluation = await project.store.evaluations.record({
    taskId: task.name,
    kind: 'ab-test',
    promptHashes: [va.hash, vb.hash],
    datasetHash: data.hash,
    modelRef: x.model ?? task.model,
    metrics: {
      a: r.bootstrap.a,
      b: r.bootstrap.b,
      diff: r.bootstrap.diff,
      'ci-low': r.bootstrap.ci[0],
      'ci-high': r.bootstrap.ci[1],
      'mcnemar-p': r.mcnemar.pValue,
    },
    details: {
      metric: task.metric,
      split: data.split,
      verdict: r.verdict,
      aOnly: r.mcnemar.aOnly,
      bOnly: r.mcnemar.bOnly,
      flips: flips.slice(0, MAX_FLIPS_KEPT),
    },
  });
  return { evaluation, a: va, b: vb, names, result: r, flips };
}
