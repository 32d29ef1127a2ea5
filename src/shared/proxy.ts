// Outbound HTTP through a forward proxy, as corporate networks need: HTTPS_PROXY / HTTP_PROXY / NO_PROXY read the
// way curl reads them, one request helper over node:http/https (plain-HTTP targets as absolute-URI requests to the
// proxy, HTTPS targets through a CONNECT tunnel with TLS to the target over it) and a small fetch look-alike on top
// of it for code written against fetch. No dependency: Node 20's fetch ignores these variables and its bundled
// undici is not importable, and the few lines here let every error name the variable to fix.
import http, { type ClientRequest, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { BlockList, type Socket, isIP, connect as netConnect } from 'node:net';
import { Readable } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { CodedError } from './coded-error.js';

/** Where proxy settings are read from (default process.env). */
export type ProxyEnv = Readonly<Record<string, string | undefined>>;

/** Why a request could not go through the proxy. */
export type ProxyErrorCode = 'PROXY_BAD_URL' | 'PROXY_UNREACHABLE' | 'PROXY_AUTH' | 'PROXY_REFUSED';

/** A proxy failure; the message names the proxy, the variable it came from and what to change. */
export class ProxyError extends CodedError<ProxyErrorCode> {
  constructor(
    code: ProxyErrorCode,
    message: string,
    /** The proxy's URL, password masked. */
    readonly proxy: string,
    /** The environment variable the proxy came from, as spelled there (e.g. `https_proxy`). */
    readonly variable: string,
    readonly status?: number,
    cause?: unknown,
  ) {
    super(code, message, cause === undefined ? undefined : { cause });
  }
}

/** The proxy to use for one target, and which variable said so. */
export interface ProxyChoice {
  proxy: URL;
  variable: string;
}

// Lower case first, as curl, Python and undici read them.
const VARIABLES = { 'https:': ['https_proxy', 'HTTPS_PROXY'], 'http:': ['http_proxy', 'HTTP_PROXY'] } as const;

const DEFAULT_PORT: Record<string, number> = { 'http:': 80, 'https:': 443 };

const unbracket = (host: string): string => host.replace(/^\[(.*)\]$/, '$1');
const portOf = (u: URL): number => (u.port ? Number(u.port) : (DEFAULT_PORT[u.protocol] ?? 0));

/** `url` with its password masked, for messages and logs. */
export function redactProxy(url: URL): string {
  if (!url.password) return url.href.replace(/\/$/, '');
  const copy = new URL(url.href);
  copy.password = '***';
  return copy.href.replace(/\/$/, '');
}

/** The first set variable of `names` in `env` (an empty value counts as unset). */
function firstSet(env: ProxyEnv, names: readonly string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return { name, value };
  }
  return undefined;
}

/** Parses a proxy variable's value: `http://[user:pass@]host[:port]`, `https://…`, or a bare `host:port` (http). */
export function parseProxyUrl(value: string, variable: string): URL {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch (e) {
    throw new ProxyError(
      'PROXY_BAD_URL',
      `${variable}="${value}" is not a URL: give the proxy as http://host:port, e.g. ${variable}=http://proxy.example.com:3128.`,
      value,
      variable,
      undefined,
      e,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ProxyError(
      'PROXY_BAD_URL',
      `${variable} names a ${url.protocol.replace(/:$/, '')} proxy (${redactProxy(url)}), which Promptune cannot use: give an http:// or https:// proxy, e.g. ${variable}=http://proxy.example.com:3128.`,
      redactProxy(url),
      variable,
    );
  }
  return url;
}

interface NoProxyRule {
  /** Lower-case name (leading dots removed), or an IP literal; undefined for a CIDR range. */
  host?: string;
  subnet?: BlockList;
  port?: number;
}

function parseNoProxyEntry(raw: string): NoProxyRule | undefined {
  let entry = raw.toLowerCase();
  const cidr = /^\[?([0-9a-f:.]+)\]?\/(\d{1,3})$/.exec(entry);
  if (cidr) {
    const family = isIP(cidr[1] as string);
    if (!family) return undefined;
    const subnet = new BlockList();
    subnet.addSubnet(cidr[1] as string, Number(cidr[2]), family === 6 ? 'ipv6' : 'ipv4');
    return { subnet };
  }
  let port: number | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) {
    entry = bracketed[1] as string;
    if (bracketed[2]) port = Number(bracketed[2]);
  } else if (!isIP(entry)) {
    const withPort = /^(.*):(\d+)$/.exec(entry);
    if (withPort) {
      entry = withPort[1] as string;
      port = Number(withPort[2]);
    }
  }
  // curl's reading: ".example.com" and "*.example.com" mean the same as "example.com" (it and its subdomains).
  const host = entry.replace(/^\*/, '').replace(/^\.+/, '').replace(/\.$/, '');
  return host ? { host, port } : undefined;
}

/**
 * True when NO_PROXY (`noProxy`) says `hostname`:`port` is reached directly. Entries are separated by commas or
 * spaces; `*` matches every host; `example.com`, `.example.com` and `*.example.com` all match example.com and its
 * subdomains (as curl and Python read them); an IP address matches itself; `10.0.0.0/8` matches IPs in the range;
 * a `:port` suffix limits an entry to that port. Case is ignored. localhost and 127.0.0.1 are not special: list
 * them to keep local traffic off the proxy (curl and undici behave the same way).
 */
export function noProxyMatches(noProxy: string, hostname: string, port: number): boolean {
  const host = unbracket(hostname.toLowerCase()).replace(/\.$/, '');
  const family = isIP(host);
  for (const raw of noProxy.split(/[\s,]+/)) {
    if (!raw) continue;
    if (raw === '*') return true;
    const rule = parseNoProxyEntry(raw);
    if (!rule || (rule.port !== undefined && rule.port !== port)) continue;
    if (rule.subnet) {
      if (family && rule.subnet.check(host, family === 6 ? 'ipv6' : 'ipv4')) return true;
    } else if (rule.host && (host === rule.host || (!family && host.endsWith(`.${rule.host}`)))) {
      return true;
    }
  }
  return false;
}

/**
 * The proxy for `target`, or undefined to connect directly: https_proxy/HTTPS_PROXY for https URLs,
 * http_proxy/HTTP_PROXY for http URLs (no fallback from one to the other, as with curl), unless no_proxy/NO_PROXY
 * lists the host. Throws a PROXY_BAD_URL ProxyError for a value that is not an http(s) proxy URL.
 */
export function proxyForUrl(target: string | URL, env: ProxyEnv = process.env): ProxyChoice | undefined {
  const url = typeof target === 'string' ? new URL(target) : target;
  const names = VARIABLES[url.protocol as keyof typeof VARIABLES];
  if (!names) return undefined;
  const set = firstSet(env, names);
  if (!set) return undefined;
  const noProxy = firstSet(env, ['no_proxy', 'NO_PROXY']);
  if (noProxy && noProxyMatches(noProxy.value, url.hostname, portOf(url))) return undefined;
  return { proxy: parseProxyUrl(set.value, set.name), variable: set.name };
}

/** The Proxy-Authorization header for credentials in the proxy URL (percent-decoded), if any. */
export function proxyAuthorization(proxy: URL): string | undefined {
  if (!proxy.username && !proxy.password) return undefined;
  const pair = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
}

function noProxyHint(target: URL, variable: string): string {
  const no = variable === variable.toLowerCase() ? 'no_proxy' : 'NO_PROXY';
  return `list ${target.hostname} in ${no} to connect to it directly`;
}

/** The error for a 407 answer: the credentials in the variable are missing or wrong. */
export function proxyAuthError(choice: ProxyChoice, target: URL): ProxyError {
  const { proxy, variable } = choice;
  const p = redactProxy(proxy);
  const why = proxy.username
    ? `rejected the credentials in ${variable}: check the user name and password there (percent-encode characters such as @ : / as %40 %3A %2F)`
    : `wants credentials and ${variable} has none: put them in the URL, e.g. ${variable}=http://user:password@${proxy.host}`;
  return new ProxyError(
    'PROXY_AUTH',
    `The proxy ${p} (from ${variable}) answered 407 Proxy Authentication Required for ${target.host}: it ${why}; or ${noProxyHint(target, variable)}.`,
    p,
    variable,
    407,
  );
}

function unreachableError(choice: ProxyChoice, target: URL, cause: unknown): ProxyError {
  const p = redactProxy(choice.proxy);
  const err = cause as NodeJS.ErrnoException;
  const detail = err?.code ?? err?.message ?? String(cause);
  return new ProxyError(
    'PROXY_UNREACHABLE',
    `Cannot connect to the proxy ${p} (from ${choice.variable}) for ${target.host} (${detail}): check the proxy's address in ${choice.variable}, unset it if this network needs no proxy, or ${noProxyHint(target, choice.variable)}.`,
    p,
    choice.variable,
    undefined,
    cause,
  );
}

function tunnelRefusedError(choice: ProxyChoice, target: URL, status: number, statusText: string): ProxyError {
  const p = redactProxy(choice.proxy);
  return new ProxyError(
    'PROXY_REFUSED',
    `The proxy ${p} (from ${choice.variable}) would not open a tunnel to ${target.hostname}:${portOf(target)} (HTTP ${status}${statusText ? ` ${statusText}` : ''}): ask its administrators to allow that host, or ${noProxyHint(target, choice.variable)}.`,
    p,
    choice.variable,
    status,
  );
}

/** Options of proxiedRequest: those of https.request, and where to read the proxy variables. */
export interface ProxiedRequestOptions extends https.RequestOptions {
  env?: ProxyEnv;
}

type Oncreate = (err: Error | null, socket: Socket) => void;

/** Opens a socket to the proxy itself (TLS for an https:// proxy) and calls back once it is connected. */
function connectToProxy(choice: ProxyChoice, target: URL, timeoutMs: number, done: (err: Error | null, s?: Socket) => void) {
  const { proxy } = choice;
  const host = unbracket(proxy.hostname);
  const port = portOf(proxy);
  const socket =
    proxy.protocol === 'https:'
      ? tlsConnect({ host, port, servername: isIP(host) ? undefined : host })
      : netConnect({ host, port });
  const ready = proxy.protocol === 'https:' ? 'secureConnect' : 'connect';
  const fail = (e: unknown) => {
    socket.destroy();
    done(ProxyError.isInstance(e) ? e : unreachableError(choice, target, e));
  };
  socket.setTimeout(timeoutMs, () => fail(Object.assign(new Error(`no answer in ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
  socket.once('error', fail);
  socket.once(ready, () => {
    socket.setTimeout(0);
    socket.off('error', fail);
    done(null, socket);
  });
  return socket;
}

/** Opens a CONNECT tunnel through the proxy to the target and runs TLS to the target over it. */
function tunnel(choice: ProxyChoice, target: URL, opts: https.RequestOptions, timeoutMs: number, oncreate: Oncreate): void {
  const authority = `${target.hostname}:${portOf(target)}`;
  const auth = proxyAuthorization(choice.proxy);
  const fail = (e: Error) => oncreate(e, undefined as unknown as Socket);
  connectToProxy(choice, target, timeoutMs, (err, proxySocket) => {
    if (err || !proxySocket) return fail(err ?? new Error('no socket'));
    const req = http.request({
      method: 'CONNECT',
      path: authority,
      headers: { host: authority, ...(auth ? { 'proxy-authorization': auth } : {}) },
      createConnection: () => proxySocket,
    });
    req.setTimeout(timeoutMs, () =>
      req.destroy(Object.assign(new Error(`no answer to CONNECT in ${timeoutMs} ms`), { code: 'ETIMEDOUT' })),
    );
    req.once('error', (e) => fail(unreachableError(choice, target, e)));
    req.once('connect', (res: IncomingMessage, socket: Socket, head: Buffer) => {
      req.setTimeout(0);
      const status = res.statusCode ?? 0;
      if (status !== 200) {
        socket.destroy();
        return fail(
          status === 407 ? proxyAuthError(choice, target) : tunnelRefusedError(choice, target, status, res.statusMessage ?? ''),
        );
      }
      if (head.length) socket.unshift(head);
      const host = unbracket(target.hostname);
      // Only the TLS options the caller set: an explicit undefined would override Node's defaults.
      const given = Object.fromEntries(
        (['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'checkServerIdentity'] as const)
          .filter((k) => opts[k] !== undefined)
          .map((k) => [k, opts[k]]),
      );
      const servername = opts.servername ?? (isIP(host) ? undefined : host);
      const secure = tlsConnect({ ...given, socket, host, ...(servername ? { servername } : {}) });
      oncreate(null, secure);
    });
    req.end();
  });
}

/**
 * https.request / http.request for `url`, through the proxy the environment names for it (see proxyForUrl). Proxy
 * failures (unreachable, 407, a refused tunnel) reach the request's 'error' listeners as ProxyErrors; so does a
 * proxy variable that is not a proxy URL (thrown synchronously).
 */
export function proxiedRequest(
  url: string | URL,
  options: ProxiedRequestOptions,
  onResponse: (res: IncomingMessage) => void,
): ClientRequest {
  const target = typeof url === 'string' ? new URL(url) : url;
  const { env = process.env, ...opts } = options;
  const choice = proxyForUrl(target, env);
  const mod = target.protocol === 'https:' ? https : http;
  if (!choice) return mod.request(target, opts, onResponse);
  const timeoutMs = opts.timeout ?? 60_000;
  const { agent: _agent, ...rest } = opts;
  const common = { ...rest, protocol: target.protocol, hostname: unbracket(target.hostname), port: portOf(target) };
  if (target.protocol === 'https:') {
    return https.request(
      {
        ...common,
        path: `${target.pathname}${target.search}`,
        createConnection: ((_o: unknown, oncreate: Oncreate) => {
          tunnel(choice, target, opts, timeoutMs, oncreate);
          return undefined;
        }) as unknown as https.RequestOptions['createConnection'],
      },
      onResponse,
    );
  }
  // A plain-HTTP target: the whole URL goes to the proxy as the request target (RFC 9112 absolute-form).
  const auth = proxyAuthorization(choice.proxy);
  const req: ClientRequest = http.request(
    {
      ...common,
      path: target.href,
      headers: { ...(opts.headers as Record<string, string> | undefined), ...(auth ? { 'proxy-authorization': auth } : {}) },
      createConnection: ((_o: unknown, oncreate: Oncreate) => {
        connectToProxy(choice, target, timeoutMs, (err, s) => oncreate(err, s as Socket));
        return undefined;
      }) as unknown as http.RequestOptions['createConnection'],
    },
    (res) => {
      if (res.statusCode === 407) {
        res.resume();
        req.emit('error', proxyAuthError(choice, target));
        return;
      }
      onResponse(res);
    },
  );
  return req;
}

/** What proxiedFetch takes of fetch's RequestInit. */
export interface ProxiedFetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  redirect?: 'follow' | 'manual' | 'error';
  signal?: AbortSignal;
}

const NULL_BODY = new Set([101, 204, 205, 304]);

/**
 * fetch(url, init), through the proxy the environment names for `url` (see proxyForUrl); with no proxy for it, it is
 * the global fetch itself. Through a proxy it speaks HTTP/1.1 over node:http (no automatic decompression: it asks
 * for none), follows redirects like fetch unless `redirect` says otherwise, and rejects with a ProxyError for proxy
 * failures, with signal.reason when aborted, and with TypeError('fetch failed') otherwise, as fetch does.
 */
export async function proxiedFetch(
  url: string | URL,
  init: ProxiedFetchInit = {},
  env: ProxyEnv = process.env,
): Promise<Response> {
  return fetchHop(new URL(url), init, env, 0);
}

async function fetchHop(url: URL, init: ProxiedFetchInit, env: ProxyEnv, hops: number): Promise<Response> {
  if (!proxyForUrl(url, env)) {
    const res = await fetch(url, { ...init, redirect: hops ? 'manual' : init.redirect });
    return hops
      ? followOrReturn(url, init, env, hops, res.status, res.headers.get('location'), res, () => res.body?.cancel())
      : res;
  }
  const method = (init.method ?? 'GET').toUpperCase();
  const headers: Record<string, string> = { ...init.headers };
  const body = init.body === undefined ? undefined : Buffer.from(init.body);
  if (body && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length'))
    headers['content-length'] = String(body.length);
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const onError = (e: unknown) =>
      reject(
        init.signal?.aborted ? init.signal.reason : ProxyError.isInstance(e) ? e : new TypeError('fetch failed', { cause: e }),
      );
    let req: ClientRequest;
    try {
      req = proxiedRequest(url, { method, headers, env, signal: init.signal }, resolve);
    } catch (e) {
      return onError(e);
    }
    req.on('error', onError);
    req.end(body);
  });
  const status = res.statusCode ?? 0;
  const out = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) out.append(name, v);
  }
  const response = new Response(
    NULL_BODY.has(status) || method === 'HEAD' ? null : (Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>),
    { status, statusText: res.statusMessage, headers: out },
  );
  return followOrReturn(url, init, env, hops, status, res.headers.location ?? null, response, () => response.body?.cancel());
}

function followOrReturn(
  url: URL,
  init: ProxiedFetchInit,
  env: ProxyEnv,
  hops: number,
  status: number,
  location: string | null,
  res: Response,
  drain: () => unknown,
): Promise<Response> | Response {
  const redirect = init.redirect ?? 'follow';
  if (![301, 302, 303, 307, 308].includes(status) || !location || redirect === 'manual') return res;
  drain();
  if (redirect === 'error') throw new TypeError('fetch failed', { cause: new Error(`redirected to ${location}`) });
  if (hops >= 20) throw new TypeError('fetch failed', { cause: new Error('too many redirects') });
  const method = (init.method ?? 'GET').toUpperCase();
  const toGet = status === 303 ? method !== 'HEAD' : (status === 301 || status === 302) && method === 'POST';
  const next: ProxiedFetchInit = toGet ? { ...init, method: 'GET', body: undefined } : init;
  return fetchHop(new URL(location, url), next, env, hops + 1);
}
