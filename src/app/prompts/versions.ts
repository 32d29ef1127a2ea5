// Prompt versions of a project: find one by name or hash, add a new prompt, derive a version from a parent. A
// spec that does not fit the task (a field it does not have, a label without words) is refused with the problem.
import { type CheckedPrompt, PromptError, type PromptSpec, checkPrompt } from '../../core/prompts/index.js';
import type { PromptVersion } from '../../store/index.js';
import { AppError } from '../errors.js';
import type { Project } from '../project.js';

/** The newest version of the prompt named `ref`, or the version a hash (or unique prefix) names. */
export async function resolvePromptVersion(project: Project, ref: string): Promise<PromptVersion> {
  const taskId = project.loaded.task.name;
  const byName = await project.store.prompts.list(taskId, { name: ref });
  if (byName[0]) return byName[0];
  if (/^[0-9a-f]{4,64}$/i.test(ref)) return project.store.prompts.get(ref);
  const names = [...new Set((await project.store.prompts.list(taskId)).map((v) => v.name))];
  throw new AppError('NOT_FOUND', [
    {
      code: 'NO_PROMPT',
      path: 'prompt',
      message: `no prompt named "${ref}"${names.length ? ` (prompts: ${names.join(', ')})` : ''}`,
      received: JSON.stringify(ref),
      fix: 'add one first (promptune prompt add, or POST /v1/tasks/{id}/prompts)',
    },
  ]);
}

/** A stored spec checked against the task as it is now (the task may have changed since it was stored). */
export function checkedPrompt(project: Project, v: Pick<PromptVersion, 'spec'>): CheckedPrompt {
  return asAppError(() => checkPrompt(v.spec, project.loaded.task));
}

/** What a new version needs. */
export interface PromptVersionInput {
  name: string;
  spec: PromptSpec;
  /** The version this one changes (an edit); absent for a new prompt. */
  parent?: string;
  author?: string | null;
  note?: string | null;
}

/** Stores a version; `created` is false when the same spec was already stored. A new name must not exist yet. */
export async function addPromptVersion(
  project: Project,
  input: PromptVersionInput,
): Promise<{ version: PromptVersion; created: boolean }> {
  const taskId = project.loaded.task.name;
  const parent = input.parent ? await resolvePromptVersion(project, input.parent) : undefined;
  if (!parent && (await project.store.prompts.list(taskId, { name: input.name })).length)
    throw new AppError('INVALID_INPUT', [
      {
        code: 'PROMPT_EXISTS',
        path: 'name',
        message: `a prompt named "${input.name}" exists`,
        received: JSON.stringify(input.name),
        fix: 'give its newest version as the parent to change it',
      },
    ]);
  const p = checkedPrompt(project, { spec: input.spec });
  return project.store.prompts.save({
    hash: p.hash,
    taskId,
    name: parent?.name ?? input.name,
    ...(parent ? { parentHash: parent.hash } : {}),
    spec: p.spec,
    author: input.author ?? null,
    note: input.note ?? null,
  });
}

/** Runs `fn`, turning a prompt that does not fit the task into INVALID_INPUT naming the problem. */
function asAppError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (PromptError.isInstance(e))
      throw new AppError('INVALID_INPUT', [{ code: e.code, path: 'spec', message: e.message }], { cause: e });
    throw e;
  }
}
