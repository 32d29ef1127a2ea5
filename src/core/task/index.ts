// Public API of the task definition.
export { TaskError, type TaskErrorCode } from './errors.js';
export { METRICS, type Task, type TaskInput, taskJsonSchema, taskSchema } from './schema.js';
export { TASK_FILE, type LoadedTask, readTask, writeTask, validateTask } from './task-file.js';
