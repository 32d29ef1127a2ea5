// Hub settings from the environment, read as huggingface_hub reads them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hubEnv } from './env.js';

describe('hubEnv', () => {
  it('defaults to ~/.cache/huggingface/hub, huggingface.co, online, no token', () => {
    const home = mkdtempSync(join(tmpdir(), 'pt-home-'));
    expect(hubEnv({ HOME: home })).toEqual({
      home: join(home, '.cache', 'huggingface'),
      cacheDir: join(home, '.cache', 'huggingface', 'hub'),
      endpoint: 'https://huggingface.co',
      token: undefined,
      tokenSource: undefined,
      tokenPath: join(home, '.cache', 'huggingface', 'token'),
      offline: false,
    });
  });

  it('honours XDG_CACHE_HOME, then HF_HOME, then HF_HUB_CACHE, with ~ and $VAR expansion', () => {
    expect(hubEnv({ HOME: '/h', XDG_CACHE_HOME: '/xdg' }).cacheDir).toBe('/xdg/huggingface/hub');
    expect(hubEnv({ HOME: '/h', XDG_CACHE_HOME: '/xdg', HF_HOME: '~/hf' })).toMatchObject({
      home: '/h/hf',
      cacheDir: '/h/hf/hub',
    });
    expect(hubEnv({ HOME: '/h', HF_HOME: '/hf', HUGGINGFACE_HUB_CACHE: '/legacy' }).cacheDir).toBe('/legacy');
    expect(hubEnv({ HOME: '/h', HF_HUB_CACHE: '$DISK/cache', DISK: '/mnt/big', HUGGINGFACE_HUB_CACHE: '/legacy' }).cacheDir).toBe(
      '/mnt/big/cache',
    );
  });

  it('takes HF_TOKEN first, then the token file (HF_TOKEN_PATH or $HF_HOME/token)', () => {
    const home = mkdtempSync(join(tmpdir(), 'pt-hf-'));
    writeFileSync(join(home, 'token'), 'hf_from_file\n');
    expect(hubEnv({ HF_HOME: home })).toMatchObject({ token: 'hf_from_file', tokenSource: join(home, 'token') });
    expect(hubEnv({ HF_HOME: home, HF_TOKEN: ' hf_env ' })).toMatchObject({ token: 'hf_env', tokenSource: 'HF_TOKEN' });
    expect(hubEnv({ HF_HOME: home, HF_TOKEN: '' }).token).toBe('hf_from_file');
    const other = join(home, 'other-token');
    writeFileSync(other, 'hf_other');
    expect(hubEnv({ HF_HOME: home, HF_TOKEN_PATH: other }).token).toBe('hf_other');
    expect(hubEnv({ HF_HOME: join(home, 'nowhere') }).token).toBeUndefined();
  });

  it('reads offline switches and the endpoint like huggingface_hub', () => {
    for (const v of ['1', 'true', 'YES', 'on']) expect(hubEnv({ HF_HUB_OFFLINE: v }).offline, v).toBe(true);
    for (const v of ['0', 'false', '', 'nope']) expect(hubEnv({ HF_HUB_OFFLINE: v }).offline, v).toBe(false);
    expect(hubEnv({ TRANSFORMERS_OFFLINE: '1' }).offline).toBe(true);
    expect(hubEnv({ HF_ENDPOINT: 'http://127.0.0.1:8080/' }).endpoint).toBe('http://127.0.0.1:8080');
  });
});
