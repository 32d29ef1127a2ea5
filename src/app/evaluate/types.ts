// What evaluateModel() produces: per model, the metrics, per-class and per-language scores, calibration, the
// evaluation recorded in the store and the files written. Plain JSON, so a job can store it as it is.
import type { MultiLabelMetrics } from '../../core/eval/index.js';
import type { ClassRow, GroupRow, Intervals, ReliabilityBin, ReportMetrics, RunReport } from '../../core/report/index.js';

/** The labelled data the models were evaluated on (stored as a dataset version). */
export interface EvaluatedDataset {
  /** The file read. */
  source: string;
  /** The dataset version's hash (what the evaluations name). */
  hash: string;
  rows: number;
  /** The dataset version's role: eval (a file given), test or dev (the task's files). */
  role: 'eval' | 'test' | 'dev';
}

/** Calibration of a single-label model on this data. */
export interface EvaluationCalibration {
  /** The temperature the probabilities were computed with (1: none). */
  temperature: number;
  /** Expected calibration error. */
  ece?: number;
  /** The reliability diagram's bins. */
  reliability?: ReliabilityBin[];
  /** Selective prediction: the "not sure" threshold used (or found for the target precision), its coverage and precision. */
  abstain?: { threshold: number; coverage: number; precision: number };
  /** With `calibrate`: what was fitted on this data and saved in the model's promptune.json. */
  saved?: { temperature: number; abstainBelow?: number };
}

/** The evaluation of one single-label model. */
export interface SingleLabelEvaluation {
  kind: 'single-label';
  modelDir: string;
  runId?: string;
  /** The evaluation recorded in the store. */
  evaluationId: string;
  /** The metrics as recorded with the evaluation (accuracy, macro-f1, ece, roc-auc). */
  recorded: Record<string, number>;
  /** Examples scored: those whose label the model knows. */
  n: number;
  /** Examples left out because the model does not know their label. */
  leftOut: number;
  metrics: ReportMetrics;
  /** 95 % bootstrap intervals by metric. */
  intervals?: Intervals;
  perClass: ClassRow[];
  /** Scores per detected language, when broken down by language. */
  byLanguage?: GroupRow[];
  calibration: EvaluationCalibration;
  /** Everything the HTML report shows (errors, confusion matrix, learning curve). */
  report: RunReport;
  /** report.html and summary.json. */
  paths: { report: string; summary: string };
}

/** The evaluation of one multi-label model: per-label scores at the saved thresholds. */
export interface MultiLabelEvaluation {
  kind: 'multi-label';
  modelDir: string;
  runId?: string;
  /** The evaluation recorded in the store. */
  evaluationId: string;
  /** The metrics as recorded with the evaluation (macro-f1, micro-f1, subset-accuracy, hamming-loss). */
  recorded: Record<string, number>;
  n: number;
  metrics: MultiLabelMetrics;
  /** The per-label thresholds the model predicts with. */
  thresholds?: number[];
  /** summary.json. */
  paths: { summary: string };
}

/** The evaluation of one model. */
export type ModelEvaluation = SingleLabelEvaluation | MultiLabelEvaluation;

/** What evaluateModel() produced. */
export interface EvaluateResult {
  dataset: EvaluatedDataset;
  /** One per model, in the input's order (model directories, then runs). */
  models: ModelEvaluation[];
  /** comparison.html, when several single-label models were evaluated. */
  comparison?: string;
}
