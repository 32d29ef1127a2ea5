// What every project job's payload shares: the task file as the workers see it, checked at the boundary with every
// problem named under "payload".
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { problemsFromZod } from '../../shared/index.js';
import { AppError } from '../errors.js';

/** The task file of a job: absolute, since the worker that runs it may be another machine. */
export const jobTaskFileSchema = z
  .string()
  .min(1)
  .refine(isAbsolute, { message: 'expected an absolute path (workers may run elsewhere)' })
  .describe('The task file, as the workers see it');

/** A job's payload validated by `schema`, or an AppError naming each wrong field. */
export function parsePayload<S extends z.ZodType>(schema: S, payload: unknown): z.infer<S> {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) throw new AppError('INVALID_INPUT', problemsFromZod(parsed.error, payload, { prefix: 'payload' }));
  return parsed.data;
}
