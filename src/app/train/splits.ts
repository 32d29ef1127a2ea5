// The train / dev / test sets of a run, rebuilt the same way every time from the task's files and the spec
// (so a resumed run or a search trial sees exactly the data the run started with), each version kept in the store.
import { type Dataset, kShot, stratifiedSplit } from '../../core/data/index.js';
import { AppError } from '../errors.js';
import { type Project, importTaskSplit, saveDataset } from '../project.js';
import type { RunSpec } from './spec.js';

/** The data of one run. */
export interface RunSplits {
  train: Dataset;
  dev: Dataset;
  test?: Dataset;
}

/** The error for a task file without training data. */
export function noTrainData(): AppError {
  return new AppError('PRECONDITION', [
    {
      code: 'NO_TRAIN_DATA',
      path: '',
      message: 'the task file names no data.train file',
      fix: 'add data.train to promptune.yaml',
    },
  ]);
}

/** Builds (and records) the run's splits: K-shot samples, the task's dev file, or a seeded 10 % of train. */
export async function runSplits(project: Project, spec: RunSpec): Promise<RunSplits> {
  const imported = await importTaskSplit(project, 'train', false, spec.trainFile);
  if (!imported) throw noTrainData();
  const full = imported.dataset;
  await saveDataset(project, full, spec.trainFile ? 'train-retrain' : 'train', null);
  const devFile = (await importTaskSplit(project, 'dev'))?.dataset;
  let train: Dataset;
  let dev: Dataset;
  if (spec.k) {
    const sample = kShot(full, spec.k, spec.seed);
    await saveDataset(project, sample.train, `k${spec.k}-seed${spec.seed}-train`, full.hash);
    await saveDataset(project, sample.dev, `k${spec.k}-seed${spec.seed}-dev`, full.hash);
    [train, dev] = [sample.train, sample.dev];
  } else if (devFile) {
    await saveDataset(project, devFile, 'dev', null);
    [train, dev] = [full, devFile];
  } else {
    const parts = stratifiedSplit(full, { train: 0.9, dev: 0.1 }, spec.seed);
    await saveDataset(project, parts.train as Dataset, `train-seed-${spec.seed}`, full.hash);
    await saveDataset(project, parts.dev as Dataset, `dev-seed-${spec.seed}`, full.hash);
    [train, dev] = [parts.train as Dataset, parts.dev as Dataset];
  }
  const test = (await importTaskSplit(project, 'test'))?.dataset;
  if (test) await saveDataset(project, test, 'test', null);
  return { train, dev, ...(test ? { test } : {}) };
}
