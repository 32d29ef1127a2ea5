// Defining the loop's inputs over the API: a task from a form, its data files by upload, prompt versions. The
// project lands in the server's workspace as the files `promptune init` makes, so queued jobs (zero-shot, A/B,
// training) name the task file the answer gives, exactly as `promptune jobs add` does.
import { z } from 'zod';
import {
  AppError,
  addPromptVersion,
  dataRoleSchema,
  defineTask,
  openProject,
  uploadFormatSchema,
  uploadTaskData,
  workspaceTaskFile,
} from '../../app/index.js';
import { promptSpecSchema } from '../../core/prompts/index.js';
import { taskSchema } from '../../core/task/index.js';
import { type RouteTable, pathParam } from '../api/route.js';
import type { ServerContext } from '../context.js';
import { ServerError } from '../errors.js';

const uploadSchema = z
  .object({
    format: uploadFormatSchema.describe('csv (a header row) or jsonl (one object per line)'),
    content: z.string().min(1).describe('The whole file, as text'),
  })
  .strict();

const promptRequestSchema = z
  .object({
    name: z.string().min(1).max(100).describe('The prompt’s name (a new name, or the name of the parent)'),
    spec: promptSpecSchema,
    parent: z.string().optional().describe('The version this one changes (an edit)'),
    author: z.string().max(200).optional(),
    note: z.string().max(2000).optional(),
  })
  .strict();

/** Mounts PUT /v1/tasks/{id}, POST /v1/tasks/{id}/data/{role} and POST /v1/tasks/{id}/prompts (admin). */
export function workspaceRoutes(routes: RouteTable, ctx: ServerContext): void {
  const workspace = (): string => {
    if (!ctx.workspace)
      throw new ServerError(
        409,
        'PRECONDITION_FAILED',
        'this server has no workspace: start it with promptune serve --workspace <dir>.',
      );
    return ctx.workspace;
  };
  routes.route(
    {
      method: 'put',
      path: '/v1/tasks/:id',
      access: 'admin',
      tag: 'project',
      summary: 'Define or change a task (inputs, labels with descriptions, languages, metric, model); answers its task file',
      body: taskSchema,
      status: 200,
      errors: [409],
    },
    async (c, { body }) => {
      const id = pathParam(c, 'id');
      if (body.name !== id)
        throw new AppError('INVALID_INPUT', [
          {
            code: 'NAME',
            path: 'name',
            message: `the task in the path is "${id}"`,
            received: JSON.stringify(body.name),
            fix: `use name "${id}"`,
          },
        ]);
      const r = await defineTask(workspace(), body, ctx.store);
      ctx.logger.log('info', 'task defined', { requestId: c.var.requestId, task: id, created: r.created });
      return c.json({ task: r.task, taskFile: r.taskFile, created: r.created });
    },
  );
  routes.route(
    {
      method: 'post',
      path: '/v1/tasks/:id/data/:role',
      access: 'admin',
      tag: 'project',
      summary:
        "Upload the task's train, dev or test file: stored as a dataset version, with its data report and the rows left out",
      body: uploadSchema,
      status: 201,
      errors: [409],
    },
    async (c, { body }) => {
      const role = dataRoleSchema.safeParse(pathParam(c, 'role'));
      if (!role.success)
        throw new ServerError(404, 'NOT_FOUND', `no data role "${pathParam(c, 'role')}": use train, dev or test.`);
      const r = await uploadTaskData(workspace(), pathParam(c, 'id'), { role: role.data, ...body }, ctx.store);
      return c.json(r, 201);
    },
  );
  routes.route(
    {
      method: 'post',
      path: '/v1/tasks/:id/prompts',
      access: 'admin',
      tag: 'prompts',
      summary: 'Add a prompt, or a new version of one (give its parent): template and verbalizer, checked against the task',
      body: promptRequestSchema,
      status: 201,
      errors: [409],
    },
    async (c, { body }) => {
      const project = await openProject({
        task: workspaceTaskFile(workspace(), pathParam(c, 'id')),
        cwd: workspace(),
        store: ctx.store,
      }).catch((e: Error) => {
        throw new AppError('NOT_FOUND', [
          { code: 'NO_TASK', path: 'task', message: e.message, fix: 'define it first (PUT /v1/tasks/{id})' },
        ]);
      });
      try {
        const r = await addPromptVersion(project, {
          name: body.name,
          spec: body.spec,
          ...(body.parent ? { parent: body.parent } : {}),
          author: body.author ?? c.var.apiKey?.name ?? null,
          note: body.note ?? null,
        });
        return c.json(r, 201);
      } finally {
        await project.close();
      }
    },
  );
}
