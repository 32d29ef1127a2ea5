// The application layer: one typed function per workflow, shared by every surface (CLI, server, studio, worker).
// Inputs are validated here, long work reports progress as events, failures are AppErrors with their problems.
export { AppError, type AppErrorCode } from './errors.js';
export { resolveModelDir } from './models.js';
export { type OnProgress, type ProgressEvent, etaClock } from './progress.js';
export {
  type Project,
  type ProjectLocation,
  type TaskDataIssue,
  checkTaskData,
  importTaskSplit,
  openProject,
  saveDataset,
} from './project.js';
export {
  type RetrainComparison,
  type RetrainDataset,
  type RetrainInput,
  type RetrainResult,
  retrain,
  retrainInputSchema,
} from './retrain/retrain.js';
export { type RunRecipe, asTrainExamples, metaForRun, recipeForRun } from './train/recipe-for-run.js';
export { type ModelHead, RECIPE_POLICIES, type RecipePolicy } from './train/recipes/index.js';
export {
  type OpenedRun,
  type RunOutcome,
  enqueueRun,
  executeRun,
  openRun,
  reopenRun,
  resolvePromptHash,
  runDirOf,
  specOfRun,
} from './train/run.js';
export {
  TRAIN_OPTIONS,
  type TrainOptionName,
  type TrainOptionValues,
  isSwitchOption,
  specFromOptions,
} from './train/options.js';
export { type RunSpec, loraSchema, parseSpec, runSpecSchema } from './train/spec.js';
export { type RunSplits, runSplits } from './train/splits.js';
export { type JobHandler, type JobLogger, type WorkerOptions, runWorker } from './jobs/worker.js';
export { type ScoreJob, scoreJobHandler, scoreJobSchema } from './jobs/score-job.js';
export { type RetrainJob, retrainJobHandler, retrainJobSchema } from './jobs/retrain-job.js';
export {
  type TrainJob,
  type TrainJobHooks,
  type TrainJobResult,
  trainJobHandler,
  trainJobHandlerWith,
  trainJobSchema,
} from './jobs/train-job.js';
export {
  type OptionProblemText,
  SAMPLERS,
  SEARCHABLE_OPTIONS,
  type Sampler,
  type SearchPlanInput,
  type SearchState,
  TPE_STARTUP,
  type TrialTag,
  continueSearch,
  planSearch,
  queueTrials,
  readSearch,
  saveSearch,
  searchDir,
  searchTrials,
  trialOptions,
  trialSpec,
  trialTagOf,
} from './search/search.js';
export {
  type TrialRow,
  formatParam,
  paramsText,
  resultTable,
  saveSearchResults,
  searchResults,
} from './search/results.js';
export { type MetricPointOut, datasetReport, promptDiff, promptVersionText, runMetrics } from './read/read-models.js';
export {
  type PromptVersionInput,
  addPromptVersion,
  checkedPrompt,
  resolvePromptVersion,
} from './prompts/versions.js';
export {
  MAX_FLIPS_KEPT,
  type PromptAbInput,
  type PromptEvalInput,
  abTestPrompts,
  evaluatePrompts,
  labelledSplit,
  maskedLm,
  promptAbInputSchema,
  promptEvalInputSchema,
} from './prompts/evaluate.js';
export {
  type PromptSearchInput,
  type PromptSearchResult,
  type StoredWinner,
  promptSearchInputSchema,
  searchPrompt,
} from './prompts/search.js';
export {
  promptAbJobHandler,
  promptAbJobSchema,
  promptEvalJobHandler,
  promptEvalJobSchema,
  promptSearchJobHandler,
  promptSearchJobSchema,
} from './jobs/prompt-jobs.js';
export { JOB_HANDLERS } from './jobs/handlers.js';
export { EXPORT_FORMATS, type ExportInput, type ExportResult, exportInputSchema, exportModel } from './export/export.js';
export { type ExportJob, exportJobHandler, exportJobSchema } from './jobs/export-job.js';
export { type SearchJob, searchJobHandler, searchJobSchema } from './jobs/search-job.js';
export {
  type EvaluateInput,
  type EvaluateResult,
  type EvaluatedDataset,
  type EvaluationCalibration,
  type ModelEvaluation,
  type MultiLabelEvaluation,
  type SingleLabelEvaluation,
  evaluateInputSchema,
  evaluateModel,
} from './evaluate/evaluate.js';
export { type EvalJob, evalJobHandler, evalJobSchema } from './jobs/eval-job.js';
export {
  type PretrainInput,
  type PretrainOptions,
  type PretrainResult,
  parsePretrainInput,
  pretrain,
  pretrainInputSchema,
} from './pretrain/pretrain.js';
export { type PretrainJob, type PretrainJobResult, pretrainJobHandler, pretrainJobSchema } from './jobs/pretrain-job.js';
export {
  type UploadResult,
  dataRoleSchema,
  defineTask,
  uploadFormatSchema,
  uploadTaskData,
  workspaceTaskFile,
} from './workspace/workspace.js';
