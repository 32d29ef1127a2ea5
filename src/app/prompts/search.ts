// Searching a prompt before training (LM-BFF): single-token label words for a version's template, found on the
// training data and re-ranked on dev, or the best of candidate templates on dev. The winner is stored as a child
// version of the prompt searched, and the search is recorded as an evaluation that names the data and the model.
import { z } from 'zod';
import {
  type PromptSpec,
  type SearchCandidate,
  type Verbalizer,
  checkPrompt,
  searchLabelWords,
  searchTemplates,
} from '../../core/prompts/index.js';
import type { Evaluation, PromptVersion } from '../../store/index.js';
import type { OnProgress } from '../progress.js';
import type { Project } from '../project.js';
import { labelledSplit, maskedLm } from './evaluate.js';
import { checkedPrompt, resolvePromptVersion } from './versions.js';

/** What a prompt search takes: label words (the default) or, given `templates`, the best template. */
export const promptSearchInputSchema = z
  .object({
    prompt: z.string().min(1).describe('The prompt name or version hash searched from'),
    templates: z
      .array(z.string().min(1))
      .optional()
      .describe("Candidate templates scored on dev (the version's own is always one); absent: label-word search"),
    perLabel: z.number().int().positive().default(8).describe('Label-word search: candidate words per label'),
    keep: z.number().int().positive().default(20).describe('Label-word search: combinations re-ranked on dev'),
    limit: z.number().int().positive().optional().describe('Only the first N examples of each split'),
    model: z.string().optional().describe("A masked LM other than the task's"),
  })
  .strict();
/** The input of searchPrompt. */
export type PromptSearchInput = z.input<typeof promptSearchInputSchema>;

/** What a search found: candidates best first, and the version stored for the winner (null: the searched one won). */
export type PromptSearchResult =
  | { kind: 'label-words'; from: PromptVersion; candidates: SearchCandidate<Verbalizer>[]; stored: StoredWinner }
  | { kind: 'templates'; from: PromptVersion; candidates: SearchCandidate<string>[]; stored: StoredWinner | null };

/** The winner as a stored version (created false: that spec was stored already) and the search's evaluation. */
export interface StoredWinner {
  version: PromptVersion;
  created: boolean;
  evaluation: Evaluation;
}

/** How many label-word candidates the evaluation keeps. */
const CANDIDATES_KEPT = 20;

/** Runs a label-word or template search from a prompt version and stores the best prompt as its child. */
export async function searchPrompt(
  project: Project,
  input: PromptSearchInput,
  opts: { onProgress?: OnProgress } = {},
): Promise<PromptSearchResult> {
  const x = promptSearchInputSchema.parse(input);
  const task = project.loaded.task;
  const from = await resolvePromptVersion(project, x.prompt);
  const spec = from.spec as PromptSpec;
  const hasDev = Boolean(project.loaded.dataPaths.dev);
  if (x.templates?.length) {
    const dev = await labelledSplit(project, hasDev ? 'dev' : 'train', x.limit);
    const p = await maskedLm(project, x.model);
    opts.onProgress?.({
      type: 'note',
      level: 'info',
      message: `scoring ${x.templates.length + 1} templates on ${dev.examples.length} ${dev.split} examples`,
    });
    const candidates = searchTemplates(p, [spec.template, ...x.templates], spec.verbalizer, dev.examples, task, {
      metric: task.metric,
    });
    const best = candidates[0] as SearchCandidate<string>;
    const prompt = checkPrompt({ template: best.value, verbalizer: spec.verbalizer }, task);
    if (prompt.hash === from.hash) return { kind: 'templates', from, candidates, stored: null };
    const stored = await storeWinner(project, from, prompt.spec, {
      what: 'template',
      score: best.devScore,
      datasetHash: dev.hash,
      model: x.model,
      details: { templates: candidates },
    });
    return { kind: 'templates', from, candidates, stored };
  }
  const train = await labelledSplit(project, 'train', x.limit);
  const dev = hasDev ? await labelledSplit(project, 'dev', x.limit) : train;
  const p = await maskedLm(project, x.model);
  opts.onProgress?.({
    type: 'note',
    level: 'info',
    message: `searching label words on ${train.examples.length} train examples, re-ranked on ${dev.examples.length} ${dev.split}`,
  });
  const labels = task.labels.map((l) => l.name);
  const candidates = searchLabelWords(p, checkedPrompt(project, from), train.examples, dev.examples, labels, {
    perLabel: x.perLabel,
    keep: x.keep,
    metric: task.metric,
  });
  // Every label has at least one word-like candidate in any real vocabulary, so an empty list is a bug, not input.
  const best = candidates[0];
  if (!best) throw new Error('label-word search found no candidate');
  const stored = await storeWinner(
    project,
    from,
    { template: spec.template, verbalizer: best.value },
    {
      what: 'label-word',
      score: best.devScore,
      datasetHash: dev.hash,
      model: x.model,
      details: { candidates: candidates.slice(0, CANDIDATES_KEPT) },
    },
  );
  return { kind: 'label-words', from, candidates, stored };
}

async function storeWinner(
  project: Project,
  parent: PromptVersion,
  spec: PromptSpec,
  r: { what: string; score: number; datasetHash: string; model: string | undefined; details: unknown },
): Promise<StoredWinner> {
  const task = project.loaded.task;
  const prompt = checkedPrompt(project, { spec });
  const { created } = await project.store.prompts.save({
    hash: prompt.hash,
    taskId: task.name,
    name: parent.name,
    parentHash: parent.hash,
    spec: prompt.spec,
    author: 'promptune search',
    note: `${r.what} search: dev ${task.metric} ${r.score.toFixed(3)}`,
  });
  const evaluation = await project.store.evaluations.record({
    taskId: task.name,
    kind: 'search',
    promptHashes: [prompt.hash],
    datasetHash: r.datasetHash,
    modelRef: r.model ?? task.model,
    metrics: { [task.metric]: r.score },
    details: r.details,
  });
  return { version: await project.store.prompts.get(prompt.hash), created, evaluation };
}
