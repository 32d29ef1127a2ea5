// The hub's HTTP answers mapped to error codes, and the messages users see (inline snapshots).
import { describe, expect, it } from 'vitest';
import { HubError, type HubTarget, hubErrorFromResponse, hubNetworkError, isTransientHubError } from './errors.js';

const target: HubTarget = {
  endpoint: 'https://huggingface.co',
  repo: 'org/model',
  revision: 'main',
  file: 'config.json',
  url: 'https://huggingface.co/org/model/resolve/main/config.json',
  tokenSent: false,
};
const map = (status: number, headers: Record<string, string> = {}, t: HubTarget = target) =>
  hubErrorFromResponse(status, headers, t);

describe('hubErrorFromResponse', () => {
  it('uses X-Error-Code and the status to pick the code', () => {
    expect(map(401, { 'x-error-code': 'RepoNotFound' }).code).toBe('HUB_UNAUTHORIZED');
    expect(map(404, { 'x-error-code': 'RepoNotFound' }, { ...target, tokenSent: true }).code).toBe('HUB_REPO_NOT_FOUND');
    expect(
      map(401, { 'x-error-message': 'Invalid credentials in Authorization header' }, { ...target, tokenSent: true }).code,
    ).toBe('HUB_UNAUTHORIZED');
    expect(map(401, { 'x-error-code': 'GatedRepo' }).code).toBe('HUB_GATED');
    expect(map(403, { 'x-error-code': 'GatedRepo' }, { ...target, tokenSent: true }).code).toBe('HUB_GATED');
    expect(map(403).code).toBe('HUB_FORBIDDEN');
    expect(map(404, { 'x-error-code': 'RevisionNotFound' }).code).toBe('HUB_REVISION_NOT_FOUND');
    expect(map(404, { 'x-error-code': 'EntryNotFound' }).code).toBe('HUB_FILE_NOT_FOUND');
    expect(map(404).code).toBe('HUB_FILE_NOT_FOUND');
    expect(map(404, {}, { ...target, file: undefined }).code).toBe('HUB_REPO_NOT_FOUND');
    expect(map(429).code).toBe('HUB_RATE_LIMITED');
    expect(map(502).code).toBe('HUB_SERVER');
    expect(map(418).code).toBe('HUB_HTTP');
    expect([map(503), map(429), map(404)].map(isTransientHubError)).toEqual([true, true, false]);
    expect(HubError.isInstance(map(500))).toBe(true);
  });

  it('says what to do', () => {
    expect(map(401, { 'x-error-code': 'RepoNotFound' }).message).toMatchInlineSnapshot(
      `"Cannot access config.json in org/model@main (HTTP 401): it may be private and no token was sent: set HF_TOKEN to a token from https://huggingface.co/settings/tokens or run \`huggingface-cli login\`; if it is public, check the spelling of "org/model"."`,
    );
    expect(map(401, { 'x-error-code': 'GatedRepo' }).message).toMatchInlineSnapshot(
      `"org/model is a gated model (HTTP 401): accept its conditions at https://huggingface.co/org/model while logged in; no token was sent: set HF_TOKEN to a token from https://huggingface.co/settings/tokens or run \`huggingface-cli login\`."`,
    );
    expect(map(404, { 'x-error-code': 'RevisionNotFound' }, { ...target, revision: 'v9' }).message).toMatchInlineSnapshot(
      `"Revision "v9" does not exist in org/model: use a branch, tag or full commit hash that exists (see https://huggingface.co/org/model/tree/main), e.g. hf:org/model@main."`,
    );
    expect(hubNetworkError(target, 'ECONNREFUSED', '/home/me/.cache/huggingface/hub').message).toMatchInlineSnapshot(
      `"Could not fetch config.json in org/model@main from https://huggingface.co (ECONNREFUSED): check your connection and HF_ENDPOINT, or set HF_HUB_OFFLINE=1 to use only files already in the cache at /home/me/.cache/huggingface/hub."`,
    );
  });
});
