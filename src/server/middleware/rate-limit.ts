// Per-key rate limits: a token bucket per API key holding one minute's allowance, refilled continuously, so a
// client may burst up to its limit and then proceeds at the limit's pace. Limits are per process: behind a load
// balancer with N servers a key gets up to N times its limit (documented).
import type { MiddlewareHandler } from 'hono';
import type { ServerEnv } from '../context.js';
import { ServerError } from '../errors.js';

/** Answers 429 with Retry-After when a key has used its requests per minute. */
export function rateLimit(defaultPerMinute: number, now: () => number = Date.now): MiddlewareHandler<ServerEnv> {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return async (c, next) => {
    const key = c.var.apiKey;
    if (!key) return next();
    const perMinute = key.ratePerMinute ?? defaultPerMinute;
    const t = now();
    const b = buckets.get(key.id) ?? { tokens: perMinute, at: t };
    b.tokens = Math.min(perMinute, b.tokens + ((t - b.at) / 60_000) * perMinute);
    b.at = t;
    buckets.set(key.id, b);
    if (b.tokens < 1) {
      const wait = Math.ceil(((1 - b.tokens) / perMinute) * 60);
      throw new ServerError(
        429,
        'RATE_LIMITED',
        `API key "${key.name}" is limited to ${perMinute} requests per minute: retry after ${wait} s, or ask for a higher limit.`,
        wait,
      );
    }
    b.tokens -= 1;
    return next();
  };
}
