// Public API of evaluation: metrics, significance tests and verdicts.
export { type ClassScores, type Metrics, classificationMetrics, metricValue } from './metrics.js';
export { type McNemar, type BootstrapDiff, mcnemar, bootstrapDiff, verdict, erfc } from './significance.js';
