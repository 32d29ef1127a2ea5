// Typed errors of the training monitors (event files and JSONL logs).
import { CodedError } from '../../../shared/index.js';

/** What went wrong: a bad argument, a write after close, or a file that is not what it should be. */
export type MonitorErrorCode = 'MONITOR_VALUE' | 'MONITOR_CLOSED' | 'MONITOR_CORRUPT';

/** A monitor failure; the message names the file or argument, what is wrong and the fix. */
export class MonitorError extends CodedError<MonitorErrorCode> {}
