// Typed errors of the task layer.

/** Why a task file could not be used. */
export type TaskErrorCode = 'TASK_NOT_FOUND' | 'TASK_SYNTAX' | 'TASK_INVALID' | 'TASK_EXISTS';

/** A task-file failure; the message names the file, the field, the value and the fix. */
export class TaskError extends Error {
  override readonly name = 'TaskError';

  constructor(
    readonly code: TaskErrorCode,
    message: string,
  ) {
    super(message);
  }

  /** True for errors raised by the task layer. */
  static isInstance(e: unknown): e is TaskError {
    return e instanceof Error && e.name === 'TaskError';
  }
}
