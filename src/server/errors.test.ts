import { describe, expect, it } from 'vitest';
import { AppError } from '../app/errors.js';
import { StoreError } from '../store/index.js';
import { HTTP_ERRORS, ServerError, toServerError } from './errors.js';

describe('toServerError', () => {
  it('answers a store outage 503 with Retry-After and without the database details', () => {
    const e = toServerError(new StoreError('STORE_CONNECT', 'connect ECONNREFUSED 10.0.0.7:5432 (user promptune)'));
    expect(e.status).toBe(503);
    expect(e.code).toBe('UNAVAILABLE');
    expect(e.retryAfter).toBe(5);
    expect(e.message).not.toContain('10.0.0.7');
  });

  it('keeps the message and every problem of an error the client caused', () => {
    const problems = [{ code: 'INVALID_INPUT' as const, path: 'labels.0', message: 'labels.0 is empty: name the label.' }];
    const e = toServerError(new AppError('INVALID_INPUT', problems));
    expect(e.status).toBe(400);
    expect(e.problems).toEqual(problems);
    expect(toServerError(new StoreError('STORE_CONFLICT', 'run r1 is running')).status).toBe(409);
  });

  it('hides an unknown failure behind 500 INTERNAL', () => {
    const e = toServerError(new Error('secret path /srv/x'));
    expect(e).toBeInstanceOf(ServerError);
    expect([e.status, e.code]).toEqual([500, 'INTERNAL']);
    expect(e.message).not.toContain('/srv/x');
  });

  it('gives every 503 in the table a Retry-After', () => {
    for (const [code, answer] of Object.entries(HTTP_ERRORS))
      if (answer.status === 503) expect(answer.retryAfter, code).toBeGreaterThan(0);
  });
});
