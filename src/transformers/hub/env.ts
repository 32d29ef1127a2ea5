// The hub settings huggingface_hub reads from the environment, read the same way so both tools share one
// cache, one token and one offline switch.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The hub settings in effect, with where the token came from (never the token itself in messages). */
export interface HubEnv {
  /** HF_HOME: the root of Hugging Face's local state. */
  home: string;
  /** HF_HUB_CACHE: where downloaded repos live (shared with Python). */
  cacheDir: string;
  /** HF_ENDPOINT without a trailing slash. */
  endpoint: string;
  /** The access token, if any. */
  token?: string;
  /** Which variable or file the token came from. */
  tokenSource?: string;
  /** HF_TOKEN_PATH: the file `huggingface-cli login` writes. */
  tokenPath: string;
  /** HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE: never open a socket, use the cache only. */
  offline: boolean;
}

/** The default hub address. */
export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

// huggingface_hub's truthy spellings for boolean variables.
const TRUE = new Set(['1', 'ON', 'YES', 'TRUE']);
const isTrue = (v: string | undefined): boolean => v !== undefined && TRUE.has(v.toUpperCase());

// os.path.expanduser then os.path.expandvars, as huggingface_hub applies them to path variables.
function expandPath(p: string, env: Record<string, string | undefined>, home: string): string {
  const user = p === '~' || p.startsWith('~/') ? home + p.slice(1) : p;
  return user.replace(/\$(\w+)|\$\{(\w+)\}/g, (m, a: string | undefined, b: string | undefined) => env[(a ?? b) as string] ?? m);
}

const clean = (t: string | undefined): string | undefined => (t?.trim() ? t.trim() : undefined);

/** Reads the hub settings from an environment object (process.env by default), following huggingface_hub's rules. */
export function hubEnv(env: Record<string, string | undefined> = process.env): HubEnv {
  const userHome = env.HOME || homedir();
  const home = expandPath(env.HF_HOME || join(env.XDG_CACHE_HOME || join(userHome, '.cache'), 'huggingface'), env, userHome);
  const cacheDir = expandPath(env.HF_HUB_CACHE || env.HUGGINGFACE_HUB_CACHE || join(home, 'hub'), env, userHome);
  const tokenPath = expandPath(env.HF_TOKEN_PATH || join(home, 'token'), env, userHome);
  const endpoint = (env.HF_ENDPOINT || DEFAULT_HUB_ENDPOINT).replace(/\/+$/, '');
  const offline = isTrue(env.HF_HUB_OFFLINE || env.TRANSFORMERS_OFFLINE);
  let token = clean(env.HF_TOKEN);
  let tokenSource = token ? 'HF_TOKEN' : undefined;
  if (!token && clean(env.HUGGING_FACE_HUB_TOKEN)) {
    token = clean(env.HUGGING_FACE_HUB_TOKEN);
    tokenSource = 'HUGGING_FACE_HUB_TOKEN';
  }
  if (!token) {
    try {
      token = clean(readFileSync(tokenPath, 'utf8'));
      if (token) tokenSource = tokenPath;
    } catch {
      // No token file means anonymous access, as in huggingface_hub.
    }
  }
  return { home, cacheDir, endpoint, token, tokenSource, tokenPath, offline };
}
