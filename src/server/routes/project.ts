// The project as the API shows it: tasks, dataset versions with their reports and rows, prompt versions with
// their history and diffs, and evaluations (zero-shot scores, A/B tests with the examples that flipped, fine-tunes).
// Read by anyone who judges the model (the feedback scope); the rows of a dataset only by admins.
import { z } from 'zod';
import { datasetReport, promptDiff } from '../../app/index.js';
import { type RouteTable, pathParam } from '../api/route.js';
import type { ServerContext } from '../context.js';

const READ = 'feedback' as const;
// A hash or prefix that is malformed or names several versions is the caller's mistake: 400.
const HASH = [400] as const;

/** Mounts /v1/tasks, /v1/datasets, /v1/prompts and /v1/evaluations. */
export function projectRoutes(routes: RouteTable, ctx: ServerContext): void {
  const { store } = ctx;
  routes.route(
    { method: 'get', path: '/v1/tasks', access: READ, tag: 'project', summary: 'Every task in the store' },
    async (c) => c.json({ tasks: await store.tasks.list() }),
  );
  routes.route(
    {
      method: 'get',
      path: '/v1/tasks/:id',
      access: READ,
      tag: 'project',
      summary: 'A task: inputs, labels and their descriptions, languages, metric',
    },
    async (c) => c.json(await store.tasks.get(pathParam(c, 'id'))),
  );
  routes.route(
    {
      method: 'get',
      path: '/v1/tasks/:id/datasets',
      access: READ,
      tag: 'project',
      summary: "A task's dataset versions (imports, splits, K-shot samples, feedback sets), newest first",
      query: z.object({ role: z.string().optional().describe('Only this role, e.g. train'), parent: z.string().optional() }),
    },
    async (c, { query }) => {
      const id = (await store.tasks.get(pathParam(c, 'id'))).id;
      return c.json({
        datasets: await store.datasets.list(id, {
          ...(query.role ? { role: query.role } : {}),
          ...(query.parent ? { parentHash: query.parent } : {}),
        }),
      });
    },
  );
  routes.route(
    {
      method: 'get',
      path: '/v1/datasets/:hash',
      errors: HASH,
      access: READ,
      tag: 'project',
      summary: 'A dataset version: role, source, rows per label, parent',
    },
    async (c) => c.json(await store.datasets.get(pathParam(c, 'hash'))),
  );
  routes.route(
    {
      method: 'get',
      path: '/v1/datasets/:hash/report',
      errors: HASH,
      access: READ,
      tag: 'project',
      summary: 'The data report of a dataset version: duplicates, conflicts, empty rows, imbalance, languages',
    },
    async (c) => {
      const record = await store.datasets.get(pathParam(c, 'hash'));
      const task = await store.tasks.find(record.taskId);
      return c.json(await datasetReport(store, record.hash, task?.spec.languages ? { languages: task.spec.languages } : {}));
    },
  );
  routes.route(
    {
      method: 'get',
      path: '/v1/datasets/:hash/rows',
      errors: HASH,
      access: 'admin',
      tag: 'project',
      summary: "A dataset version's rows by position (customer texts: admin only)",
      query: z.object({
        offset: z.coerce.number().int().min(0).default(0),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
      }),
    },
    async (c, { query }) => {
      const record = await store.datasets.get(pathParam(c, 'hash'));
      const rows = await store.datasets.rows(record.hash, { offset: query.offset, limit: query.limit });
      return c.json({ total: record.rowCount, offset: query.offset, rows });
    },
  );
  routes.route(
    {
      method: 'get',
      path: '/v1/tasks/:id/prompts',
      access: READ,
      tag: 'prompts',
      summary: "A task's prompt versions, newest first",
      query: z.object({ name: z.string().optional().describe('Only versions of this prompt') }),
    },
    async (c, { query }) => {
      const id = (await store.tasks.get(pathParam(c, 'id'))).id;
      return c.json({ prompts: await store.prompts.list(id, query.name ? { name: query.name } : {}) });
    },
  );
  routes.route(
    {
      method: 'get',
      path: '/v1/prompts/:hash',
      errors: HASH,
      access: READ,
      tag: 'prompts',
      summary: 'A prompt version (hash or unique prefix)',
    },
    async (c) => c.json(await store.prompts.get(pathParam(c, 'hash'))),
  );
  routes.route(
    {
      method: 'get',
      path: '/v1/prompts/:hash/history',
      errors: HASH,
      access: READ,
      tag: 'prompts',
      summary: 'A prompt version and its ancestors, newest first (author, note, time of each)',
    },
    async (c) => c.json({ versions: await store.prompts.history(pathParam(c, 'hash')) }),
  );
  routes.route(
    {
      method: 'get',
      path: '/v1/prompts/:hash/diff',
      access: READ,
      tag: 'prompts',
      summary: 'What changed from another version (?against=, default its parent) to this one, line by line',
      query: z.object({ against: z.string().optional().describe("The older version (default: this one's parent)") }),
      errors: HASH,
    },
    async (c, { query }) => {
      const v = await store.prompts.get(pathParam(c, 'hash'));
      const against = query.against ?? v.parentHash;
      if (!against) return c.json({ a: null, b: v, lines: [] });
      return c.json(await promptDiff(store, against, v.hash));
    },
  );
  routes.route(
    {
      method: 'get',
      path: '/v1/evaluations',
      access: READ,
      tag: 'evaluations',
      summary:
        'Evaluations, newest first: zero-shot scores, A/B tests (details hold the verdict and the flipped examples), fine-tunes',
      query: z.object({
        task: z.string().optional(),
        kind: z.string().optional().describe('zero-shot, ab-test, fine-tune, search, …'),
        prompt: z.string().optional().describe('Involving this prompt version'),
        run: z.string().optional(),
        limit: z.coerce.number().int().min(1).max(500).default(50),
      }),
    },
    async (c, { query }) =>
      c.json({
        evaluations: await store.evaluations.list({
          ...(query.task ? { taskId: query.task } : {}),
          ...(query.kind ? { kind: query.kind } : {}),
          ...(query.prompt ? { promptHash: query.prompt } : {}),
          ...(query.run ? { runId: query.run } : {}),
          limit: query.limit,
        }),
      }),
  );
  routes.route(
    {
      method: 'get',
      path: '/v1/evaluations/:id',
      access: READ,
      tag: 'evaluations',
      summary: 'An evaluation with its metrics and details',
    },
    async (c) => c.json(await store.evaluations.get(pathParam(c, 'id'))),
  );
}
