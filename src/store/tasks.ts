// Tasks: the task file's content, keyed by the task's name, so every other record can say which task it serves.
import type { Task } from '../core/task/index.js';
import type { Executor } from './driver.js';
import { StoreError } from './errors.js';
import { checkText, fromJson, now, toJson } from './values.js';

/** A stored task. */
export interface TaskRecord {
  /** The task's name. */
  id: string;
  spec: Task;
  createdAt: string;
  updatedAt: string;
}

/** Tasks in the store. */
export interface TaskRepository {
  /** Saves a task under its name; a changed spec replaces the stored one and moves updatedAt. */
  upsert(spec: Task): Promise<TaskRecord>;
  /** The task with this name, or undefined. */
  find(id: string): Promise<TaskRecord | undefined>;
  /** The task with this name; STORE_NOT_FOUND when absent. */
  get(id: string): Promise<TaskRecord>;
  /** All tasks, by name. */
  list(): Promise<TaskRecord[]>;
}

interface Row {
  id: string;
  spec: string;
  created_at: string;
  updated_at: string;
}

const toRecord = (r: Row): TaskRecord => ({
  id: r.id,
  spec: fromJson<Task>(r.spec),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** The task repository over one executor. */
export function taskRepository(ex: Executor): TaskRepository {
  const repo: TaskRepository = {
    async upsert(spec) {
      const id = checkText(spec?.name, 'task name');
      const at = now();
      // Same statement in both databases (SQLite has had upserts since 3.24); an unchanged spec keeps updatedAt.
      await ex.run(
        `INSERT INTO tasks (id, spec, created_at, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET spec = excluded.spec, updated_at = excluded.updated_at
         WHERE tasks.spec <> excluded.spec`,
        [id, toJson(spec, `task "${id}"`), at, at],
      );
      return repo.get(id);
    },
    async find(id) {
      const [row] = await ex.query<Row>('SELECT id, spec, created_at, updated_at FROM tasks WHERE id = ?', [id]);
      return row && toRecord(row);
    },
    async get(id) {
      const task = await repo.find(id);
      if (!task)
        throw new StoreError('STORE_NOT_FOUND', `task "${id}" is not in the store: save it with store.tasks.upsert(task).`);
      return task;
    },
    async list() {
      return (await ex.query<Row>('SELECT id, spec, created_at, updated_at FROM tasks ORDER BY id')).map(toRecord);
    },
  };
  return repo;
}
