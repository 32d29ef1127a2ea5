// GET /openapi.json: the API described from the route declarations — the same zod schemas and access rules that
// validate and guard the requests — so the document cannot drift from the code.
import { openApiDocument } from '../api/document.js';
import type { RouteTable } from '../api/route.js';

/** Mounts GET /openapi.json; the document covers every route declared on `routes`, including ones added later. */
export function openApiRoutes(routes: RouteTable, version: string): void {
  let doc: Record<string, unknown> | undefined;
  routes.route(
    { method: 'get', path: '/openapi.json', access: 'public', tag: 'meta', summary: 'This document (OpenAPI 3.1)' },
    (c) => {
      doc ??= openApiDocument(routes.specs, version);
      return c.json(doc);
    },
  );
}
