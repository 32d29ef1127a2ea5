// Typed errors of the task layer.
import { CodedError } from '../../shared/index.js';

/** Why a task file could not be used. */
export type TaskErrorCode = 'TASK_NOT_FOUND' | 'TASK_SYNTAX' | 'TASK_INVALID' | 'TASK_EXISTS';

/** A task-file failure; the message names the file, the field, the value and the fix. */
export class TaskError extends CodedError<TaskErrorCode> {}
