// What every hub call shares: settings merged from options and the environment, one HTTP request helper
// over Node's http/https (no redirects followed implicitly, through HTTPS_PROXY / HTTP_PROXY unless NO_PROXY
// lists the host), the headers, and bounded retries.
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { type ProxyEnv, ProxyError, proxiedRequest } from '../../shared/proxy.js';
import { hubEnv } from './env.js';
import { type HubTarget, hubNetworkError, isTransientHubError } from './errors.js';

/** Progress of one file: bytes on disk so far and the file's full size. */
export interface HubProgress {
  repo: string;
  file: string;
  done: number;
  total: number;
  /** True when the file was already in the cache and nothing was downloaded. */
  cached?: boolean;
}

/** Options shared by every hub call; anything left out comes from the environment (see hubEnv). */
export interface HubClientOptions {
  /** Environment to read HF_* settings and the proxy variables (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Cache directory (default HF_HUB_CACHE). */
  cacheDir?: string;
  /** Hub address (default HF_ENDPOINT or https://huggingface.co). */
  endpoint?: string;
  /** Access token, or false to send none (default HF_TOKEN, then the token file). */
  token?: string | false;
  /** Use only the cache and never open a socket (default HF_HUB_OFFLINE). */
  offline?: boolean;
  /** Tries per request for transient failures (network, 5xx, 429), and the backoff between them. */
  retry?: { attempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** Give up on a silent connection after this long (default 10 s for metadata, 60 s while downloading). */
  timeoutMs?: number;
  /** Called as bytes arrive, for progress bars. */
  onProgress?: (p: HubProgress) => void;
  /** Called for things the user should know that are not errors (e.g. falling back on the cache). */
  onWarning?: (message: string) => void;
}

/** HubClientOptions with every default filled in. */
export interface HubSettings {
  cacheDir: string;
  endpoint: string;
  token?: string;
  offline: boolean;
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs?: number;
  onProgress?: (p: HubProgress) => void;
  onWarning: (message: string) => void;
  /** Where the proxy variables are read from. */
  proxyEnv?: ProxyEnv;
}

/** Merges explicit options over the environment. */
export function hubSettings(opts: HubClientOptions = {}): HubSettings {
  const env = hubEnv(opts.env ?? process.env);
  return {
    cacheDir: opts.cacheDir ?? env.cacheDir,
    endpoint: (opts.endpoint ?? env.endpoint).replace(/\/+$/, ''),
    token: opts.token === false ? undefined : (opts.token ?? env.token),
    offline: opts.offline ?? env.offline,
    attempts: Math.max(1, opts.retry?.attempts ?? 5),
    baseDelayMs: opts.retry?.baseDelayMs ?? 500,
    maxDelayMs: opts.retry?.maxDelayMs ?? 8_000,
    timeoutMs: opts.timeoutMs,
    onProgress: opts.onProgress,
    onWarning: opts.onWarning ?? (() => {}),
    proxyEnv: opts.env,
  };
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The user-agent sent with every request, so hub operators can tell Promptune's traffic apart. */
export const HUB_USER_AGENT = `promptune/${packageVersion()}; node/${process.versions.node}`;

/** Request headers for `url`: the token only goes to the hub's own origin, never to a CDN it redirects to. */
export function hubHeaders(s: HubSettings, url: string, extra: Record<string, string> = {}): Record<string, string> {
  const headers: Record<string, string> = { 'user-agent': HUB_USER_AGENT, 'accept-encoding': 'identity', ...extra };
  if (s.token && new URL(url).origin === new URL(s.endpoint).origin) headers.authorization = `Bearer ${s.token}`;
  return headers;
}

/**
 * Sends one request (through the proxy the environment names for `url`, if any) and resolves with the response
 * head; the body is left to the caller.
 */
export function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  timeoutMs: number,
  env: ProxyEnv = process.env,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = proxiedRequest(url, { method, headers, timeout: timeoutMs, env }, resolve);
    // A socket idle timeout: it also covers a body that stops arriving half-way.
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error(`no data for ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end();
  });
}

/** Reads a whole (small) response body. */
export async function readBody(res: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A short description of a socket error for messages (e.g. "ECONNREFUSED"). */
export function describeSocketError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code
    ? `${err.code}${err.message && !err.message.includes(err.code) ? `: ${err.message}` : ''}`
    : String(err.message ?? e);
}

/** Sends a request, turning socket failures into HUB_NETWORK errors about `target`. */
export async function sendOrNetworkError(
  s: HubSettings,
  target: Omit<HubTarget, 'tokenSent'>,
  method: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<IncomingMessage> {
  try {
    return await send(target.url, method, headers, timeoutMs, s.proxyEnv);
  } catch (e) {
    // A proxy that wants other credentials or refuses the host: retrying cannot help, the message says what to fix.
    if (ProxyError.isInstance(e) && e.code !== 'PROXY_UNREACHABLE') throw e;
    throw hubNetworkError(
      target,
      ProxyError.isInstance(e) ? e.message.replace(/\.$/, '') : describeSocketError(e),
      s.cacheDir,
      e,
    );
  }
}

/** A request's answer with the URL and headers that produced it (after any relative redirects). */
export interface SentRequest {
  res: IncomingMessage;
  url: string;
  headers: Record<string, string>;
}

/**
 * Sends a request, following only relative redirects (the hub's answer for a renamed repo), as huggingface_hub
 * does for metadata: an absolute Location (a CDN) is left for the caller to read.
 */
export async function sendFollowingRelative(
  s: HubSettings,
  target: Omit<HubTarget, 'tokenSent'>,
  method: string,
  extra: Record<string, string>,
  timeoutMs: number,
): Promise<SentRequest> {
  let url = target.url;
  for (let hops = 0; ; hops++) {
    const headers = hubHeaders(s, url, extra);
    const res = await sendOrNetworkError(s, { ...target, url }, method, headers, timeoutMs);
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (status < 300 || status >= 400 || !location || /^[a-z][a-z0-9+.-]*:/i.test(location) || hops >= 5) {
      return { res, url, headers };
    }
    res.resume();
    url = new URL(location, url).href;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `fn`, trying again with exponential backoff while it fails transiently, at most `attempts` times. */
export async function withRetries<T>(s: HubSettings, fn: (attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (!isTransientHubError(e) || attempt >= s.attempts) throw e;
      await sleep(Math.min(s.maxDelayMs, s.baseDelayMs * 2 ** (attempt - 1)));
    }
  }
}
