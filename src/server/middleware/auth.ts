// API-key authentication and scope checks. Keys come as "Authorization: Bearer <key>" or "X-API-Key: <key>";
// verified keys are cached briefly so a busy server does not hash-and-query on every request (a revoked key stops
// working within cacheMs).
import type { MiddlewareHandler } from 'hono';
import type { ApiKey, ApiKeyScope, Store } from '../../store/index.js';
import type { ServerEnv } from '../context.js';
import { ServerError } from '../errors.js';

/** Authenticates every request (unless disabled) and sets c.var.apiKey. */
export function authenticate(store: Store, opts: { disabled: boolean; cacheMs?: number }): MiddlewareHandler<ServerEnv> {
  const cache = new Map<string, { key: ApiKey; until: number }>();
  const cacheMs = opts.cacheMs ?? 10_000;
  return async (c, next) => {
    if (opts.disabled) {
      c.set('apiKey', null);
      return next();
    }
    const header = c.req.header('authorization');
    const secret = header?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? c.req.header('x-api-key');
    if (!secret)
      throw new ServerError(
        401,
        'UNAUTHENTICATED',
        'no API key: send "Authorization: Bearer <key>" (make one with promptune keys create).',
      );
    const hit = cache.get(secret);
    let key = hit && hit.until > Date.now() ? hit.key : undefined;
    if (!key) {
      key = await store.apiKeys.verify(secret);
      if (!key) throw new ServerError(401, 'UNAUTHENTICATED', 'the API key is unknown or revoked: check it, or make a new one.');
      if (cache.size > 10_000) cache.clear();
      cache.set(secret, { key, until: Date.now() + cacheMs });
    }
    c.set('apiKey', key);
    return next();
  };
}

/** Refuses (403) a caller whose key lacks `scope`; admin implies every scope. */
export function requireScope(scope: ApiKeyScope): MiddlewareHandler<ServerEnv> {
  return async (c, next) => {
    const key = c.var.apiKey;
    if (key && !key.scopes.includes(scope) && !key.scopes.includes('admin'))
      throw new ServerError(
        403,
        'FORBIDDEN',
        `API key "${key.name}" has scopes ${key.scopes.join(', ')}; this route needs "${scope}": use a key with that scope.`,
      );
    return next();
  };
}
