// Reads a request's JSON body defensively: stops reading past the size limit (even without Content-Length),
// refuses invalid UTF-8 instead of silently replacing bytes, and names the parse error's position.
import type { Context } from 'hono';
import type { z } from 'zod';
import { type Problem, problemsFromZod } from '../../shared/index.js';
import { ServerError } from '../errors.js';

/** The body's bytes, at most `limit` of them (413 beyond). */
async function readBytes(c: Context, limit: number): Promise<Uint8Array> {
  const declared = Number(c.req.header('content-length'));
  const tooLarge = () =>
    new ServerError(
      413,
      'BODY_TOO_LARGE',
      `the request body is over ${limit} bytes: send fewer or shorter examples per request.`,
    );
  if (declared > limit) throw tooLarge();
  const body = c.req.raw.body;
  if (!body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** The body parsed as JSON and checked against `schema`; every failure is a 4xx naming the field and the fix. */
export async function readJson<S extends z.ZodType>(c: Context, schema: S, limit: number): Promise<z.infer<S>> {
  const bytes = await readBytes(c, limit);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ServerError(400, 'BAD_UTF8', 'the request body is not valid UTF-8: encode texts as UTF-8 before sending.');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ServerError(
      400,
      'BAD_JSON',
      `the request body is not valid JSON (${(e as Error).message}): send a JSON object with Content-Type: application/json.`,
    );
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const problems = problemsFromZod(parsed.error, value, { fix: 'see /openapi.json for the request format' });
    throw new ServerError(400, 'BAD_REQUEST', describeProblems(problems), undefined, problems);
  }
  return parsed.data;
}

/** Every validation problem in one line: each field's path, the value found, what was expected. */
function describeProblems(problems: readonly Problem[]): string {
  if (!problems.length) return 'the request is invalid';
  const each = problems.map(
    (p) =>
      `${p.path || '(body)'}: ${p.message} — got ${p.received ?? (p.code === 'unrecognized_keys' ? 'extra fields' : 'missing')}`,
  );
  return `${each.join('; ')}. See /openapi.json for the request format.`;
}
