// Typed errors of the evaluation report.
import { CodedError } from '../../shared/index.js';

/** Why a report could not be rendered or a saved summary could not be read back. */
export type ReportErrorCode = 'REPORT_INVALID' | 'SUMMARY_SYNTAX' | 'SUMMARY_INVALID';

/** A report failure; the message names the field, the value and the fix. */
export class ReportError extends CodedError<ReportErrorCode> {}
