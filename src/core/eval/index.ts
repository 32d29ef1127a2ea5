// Public API of evaluation: metrics, significance tests and verdicts, ranking and calibration, abstention,
// bootstrap intervals, per-group and error analysis, multi-label metrics and thresholds.
export { type ClassScores, type Metrics, classificationMetrics, metricValue } from './metrics.js';
export { type McNemar, type BootstrapDiff, mcnemar, bootstrapDiff, verdict, erfc } from './significance.js';
export { type EvaluationErrorCode, EvaluationError } from './errors.js';
export { rocAuc, rocAucOvr } from './roc-auc.js';
export { type CalibrationBin, reliability, expectedCalibrationError } from './calibration.js';
export { TEMPERATURE_RANGE, fitTemperature, applyTemperature } from './temperature.js';
export { type AbstainThreshold, abstainThreshold } from './abstain.js';
export { type BootstrapCi, type BootstrapCiOptions, bootstrapCi } from './bootstrap-ci.js';
export { metricsByGroup } from './by-group.js';
export { type PredictionCase, type ErrorAnalysis, errorAnalysis } from './error-analysis.js';
export { type MultiLabelMetrics, multiLabelMetrics } from './multi-label.js';
export { tuneThresholds } from './tune-thresholds.js';
export { type SequentialOptions, type SequentialResult, type SuccessCount, sequentialComparison } from './sequential.js';
