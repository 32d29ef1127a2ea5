// Public API of batch scoring: stream a CSV/JSONL file through a classifier into a CSV/JSONL file, resumably.
export { ScoreError, type ScoreErrorCode } from './errors.js';
export {
  type ScoreOptions,
  type ScoreHooks,
  type ScoreProgress,
  type ScoreProblem,
  type ScoreSummary,
  score,
  scoreColumns,
  predictionLine,
} from './score.js';
export { type ScoreState, scoreStateSchema, stateFileOf, readState } from './state.js';
