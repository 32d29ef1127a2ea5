import type { IncomingHttpHeaders } from 'node:http';
// Typed errors of the hub client, and the one place that turns an HTTP answer or a socket failure into one.
import { CodedError } from '../../shared/index.js';

/** Why a hub call failed: lets callers branch without parsing messages. */
export type HubErrorCode =
  | 'HUB_BAD_REF'
  | 'HUB_BAD_PATH'
  | 'HUB_LOCAL_NOT_FOUND'
  | 'HUB_UNAUTHORIZED'
  | 'HUB_FORBIDDEN'
  | 'HUB_GATED'
  | 'HUB_REPO_NOT_FOUND'
  | 'HUB_REVISION_NOT_FOUND'
  | 'HUB_FILE_NOT_FOUND'
  | 'HUB_OFFLINE_MISS'
  | 'HUB_NETWORK'
  | 'HUB_SERVER'
  | 'HUB_RATE_LIMITED'
  | 'HUB_BAD_RESPONSE'
  | 'HUB_HTTP'
  | 'HUB_DISK_FULL'
  | 'HUB_CHECKSUM';

/** What the failing call was about; every field is optional because not every failure has one. */
export interface HubErrorDetails {
  repo?: string;
  revision?: string;
  file?: string;
  url?: string;
  status?: number;
  cause?: unknown;
}

/** A hub failure; the message names what was asked for, what went wrong and what to do next. */
export class HubError extends CodedError<HubErrorCode> {
  readonly repo?: string;
  readonly revision?: string;
  readonly file?: string;
  readonly url?: string;
  readonly status?: number;

  constructor(code: HubErrorCode, message: string, details: HubErrorDetails = {}) {
    super(code, message, details.cause === undefined ? undefined : { cause: details.cause });
    this.repo = details.repo;
    this.revision = details.revision;
    this.file = details.file;
    this.url = details.url;
    this.status = details.status;
  }
}

// Transient failures: worth another try after a pause, and a reason to fall back on the cache.
const TRANSIENT: ReadonlySet<HubErrorCode> = new Set(['HUB_NETWORK', 'HUB_SERVER', 'HUB_RATE_LIMITED']);

/** True when retrying later may succeed (network trouble, 5xx, 429). */
export function isTransientHubError(e: unknown): e is HubError {
  return HubError.isInstance(e) && TRANSIENT.has(e.code);
}

/** What was being fetched, for error messages. */
export interface HubTarget {
  endpoint: string;
  repo: string;
  revision: string;
  file?: string;
  url: string;
  tokenSent: boolean;
}

const header = (h: IncomingHttpHeaders, name: string): string | undefined => {
  const v = h[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};

const what = (t: HubTarget): string => (t.file ? `${t.file} in ${t.repo}@${t.revision}` : `${t.repo}@${t.revision}`);

/** Maps a hub HTTP error answer (status + X-Error-Code) to a HubError that says what to do. */
export function hubErrorFromResponse(status: number, headers: IncomingHttpHeaders, t: HubTarget): HubError {
  const code = header(headers, 'x-error-code');
  const serverMessage = header(headers, 'x-error-message');
  const d: HubErrorDetails = { repo: t.repo, revision: t.revision, file: t.file, url: t.url, status };
  const login = 'set HF_TOKEN to a token from https://huggingface.co/settings/tokens or run `huggingface-cli login`';
  if (code === 'GatedRepo') {
    const fix = t.tokenSent ? 'the account of your token has not been granted access yet' : `no token was sent: ${login}`;
    return new HubError(
      'HUB_GATED',
      `${t.repo} is a gated model (HTTP ${status}): accept its conditions at ${t.endpoint}/${t.repo} while logged in; ${fix}.`,
      d,
    );
  }
  if (code === 'RevisionNotFound') {
    return new HubError(
      'HUB_REVISION_NOT_FOUND',
      `Revision "${t.revision}" does not exist in ${t.repo}: use a branch, tag or full commit hash that exists (see ${t.endpoint}/${t.repo}/tree/main), e.g. hf:${t.repo}@main.`,
      d,
    );
  }
  if (code === 'EntryNotFound' || (status === 404 && !code && t.file)) {
    return new HubError(
      'HUB_FILE_NOT_FOUND',
      `${t.repo}@${t.revision} has no file ${t.file ?? ''}: check the file name (see ${t.endpoint}/${t.repo}/tree/${t.revision}).`,
      d,
    );
  }
  if (status === 401 && (!t.tokenSent || serverMessage === 'Invalid credentials in Authorization header')) {
    const why = t.tokenSent
      ? `the hub rejected the token that was sent (${serverMessage ?? 'invalid credentials'}): check HF_TOKEN or the token file, or run \`huggingface-cli login\` again`
      : `it may be private and no token was sent: ${login}; if it is public, check the spelling of "${t.repo}"`;
    return new HubError('HUB_UNAUTHORIZED', `Cannot access ${what(t)} (HTTP 401): ${why}.`, d);
  }
  if (code === 'RepoNotFound' || status === 401 || (status === 404 && !t.file)) {
    return new HubError(
      'HUB_REPO_NOT_FOUND',
      `Repository ${t.repo} was not found on ${t.endpoint} (HTTP ${status}): check the spelling, e.g. hf:sentence-transformers/all-MiniLM-L6-v2; if it is private, make sure your token's account can read it.`,
      d,
    );
  }
  if (status === 403) {
    return new HubError(
      'HUB_FORBIDDEN',
      `Access to ${what(t)} is forbidden (HTTP 403${serverMessage ? `: ${serverMessage}` : ''}): use a token with read access to ${t.repo} (HF_TOKEN or \`huggingface-cli login\`).`,
      d,
    );
  }
  if (status === 429) {
    return new HubError(
      'HUB_RATE_LIMITED',
      `The hub is rate-limiting requests for ${what(t)} (HTTP 429): wait a few minutes, or log in (HF_TOKEN) for a higher limit.`,
      d,
    );
  }
  if (status >= 500) {
    return new HubError(
      'HUB_SERVER',
      `${t.endpoint} failed while serving ${what(t)} (HTTP ${status}): the hub may be down, try again later or set HF_HUB_OFFLINE=1 to use the cache.`,
      d,
    );
  }
  return new HubError(
    'HUB_HTTP',
    `Unexpected HTTP ${status} for ${t.url}${serverMessage ? ` (${serverMessage})` : ''}: check HF_ENDPOINT (now ${t.endpoint}).`,
    d,
  );
}

/** A socket-level failure (refused, reset, timed out, cut short) while talking to the hub. */
export function hubNetworkError(t: Omit<HubTarget, 'tokenSent'>, detail: string, cacheDir: string, cause?: unknown): HubError {
  return new HubError(
    'HUB_NETWORK',
    `Could not fetch ${what({ ...t, tokenSent: false })} from ${t.endpoint} (${detail}): check your connection and HF_ENDPOINT, or set HF_HUB_OFFLINE=1 to use only files already in the cache at ${cacheDir}.`,
    { repo: t.repo, revision: t.revision, file: t.file, url: t.url, cause },
  );
}
