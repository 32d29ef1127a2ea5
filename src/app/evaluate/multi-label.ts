// One multi-label model on labelled data: per-label precision / recall / F1 at the saved thresholds, micro and macro
// F1, subset accuracy and Hamming loss; summary.json written and the evaluation recorded in the store.
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Dataset } from '../../core/data/index.js';
import { multiLabelMetrics } from '../../core/eval/index.js';
import { loadClassifier } from '../../core/train/index.js';
import type { OnProgress } from '../progress.js';
import type { Project } from '../project.js';
import type { MultiLabelEvaluation } from './types.js';

/** Evaluates the multi-label model in `dir` on `data`; summary.json goes to `outDir` (default its reports folder). */
export async function evaluateMultiLabel(
  project: Project,
  dir: string,
  data: Dataset,
  outDir: string | undefined,
  emit: OnProgress,
): Promise<MultiLabelEvaluation> {
  const classifier = loadClassifier(dir);
  try {
    const labels = classifier.meta.labels;
    const preds = classifier.predict(data.examples.map((e) => e.inputs));
    // One event once every example is scored (predicted in one call); none opens it, so the CLI draws no bar here.
    if (data.examples.length) emit({ type: 'examples', done: data.examples.length, total: data.examples.length });
    const m = multiLabelMetrics(
      data.examples.map((e) => labels.map((l) => e.labels.includes(l))),
      preds.map((p) => labels.map((l) => p.labels?.includes(l) === true)),
      labels,
    );
    const out = outDir ?? join(project.projectDir, '.promptune', 'reports', classifier.meta.runId ?? basename(dir));
    mkdirSync(out, { recursive: true });
    const summary = {
      format: 'promptune.multi-label-summary/1',
      model: dir,
      dataset: { name: basename(data.source), n: m.n },
      thresholds: classifier.meta.thresholds,
      ...m,
    };
    const summaryPath = join(out, 'summary.json');
    writeFileSync(summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
    const evaluation = await project.store.evaluations.record({
      taskId: project.loaded.task.name,
      kind: 'evaluation',
      promptHashes: [],
      datasetHash: data.hash,
      modelRef: dir,
      runId: classifier.meta.runId ?? null,
      metrics: {
        'macro-f1': m.macroF1,
        'micro-f1': m.microF1,
        'subset-accuracy': m.subsetAccuracy,
        'hamming-loss': m.hammingLoss,
      },
      details: summary,
    });
    return {
      kind: 'multi-label',
      modelDir: dir,
      ...(classifier.meta.runId ? { runId: classifier.meta.runId } : {}),
      evaluationId: evaluation.id,
      recorded: evaluation.metrics,
      n: m.n,
      metrics: m,
      ...(classifier.meta.thresholds ? { thresholds: classifier.meta.thresholds } : {}),
      paths: { summary: summaryPath },
    };
  } finally {
    classifier.dispose();
  }
}
