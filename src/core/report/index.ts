// Public API of the evaluation report: typed input, an HTML page per run or per comparison, and the JSON summary.
export * from './types.js';
export { type ReportErrorCode, ReportError } from './errors.js';
export { type Ticks, niceTicks, niceNumber, formatTick } from './ticks.js';
export {
  type LineSeries,
  type LineChartOptions,
  type HeatmapOptions,
  type ReliabilityOptions,
  type BarSeries,
  type BarChartOptions,
  lineChart,
  confusionHeatmap,
  reliabilityDiagram,
  barChart,
  heatColor,
} from './svg.js';
export { renderReport, checkReport } from './html.js';
export { renderComparison } from './compare.js';
export { type Summary, SUMMARY_FORMAT, summarySchema, reportSummary, readSummary, readReport } from './summary.js';
export { type PredictionsInput, reportFromPredictions } from './from-predictions.js';
