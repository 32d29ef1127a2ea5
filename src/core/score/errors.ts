// Typed errors of batch scoring (bad rows are not errors: they are reported as problems and skipped).
import { CodedError } from '../../shared/index.js';

/** Why a scoring job cannot start or continue. */
export type ScoreErrorCode =
  | 'SCORE_FORMAT'
  | 'SCORE_COLUMNS'
  | 'SCORE_OUTPUT_EXISTS'
  | 'SCORE_INPUT_CHANGED'
  | 'SCORE_MODEL_CHANGED'
  | 'SCORE_SETTINGS_CHANGED'
  | 'SCORE_OUTPUT_CHANGED'
  | 'SCORE_STATE_INVALID';

/** A scoring failure; the message names the file, what is wrong and the fix. */
export class ScoreError extends CodedError<ScoreErrorCode> {}
