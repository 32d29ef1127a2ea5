// Webhook signatures against a vector computed here with node:crypto, and the ways verification must fail.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signatureHeader, verifyWebhookSignature, webhookSignature } from './signing.js';

const SECRET = 'whsec_0123456789abcdef';
const BODY = '{"id":"evt_1","type":"feedback.created","data":{"rating":1,"text":"très bon ✓"}}';
const T = 1_700_000_000;

describe('webhook signatures', () => {
  it('sign HMAC-SHA256 over "<timestamp>.<body>" as t=…,v1=…', () => {
    const expected = createHmac('sha256', SECRET)
      .update(Buffer.from(`${T}.${BODY}`, 'utf8'))
      .digest('hex');
    expect(webhookSignature(SECRET, T, BODY)).toBe(expected);
    expect(webhookSignature(SECRET, T, Buffer.from(BODY))).toBe(expected);
    expect(signatureHeader(SECRET, BODY, T)).toBe(`t=${T},v1=${expected}`);
  });

  it('verify a good signature, also among several v1 entries (secret rotation)', () => {
    const header = signatureHeader(SECRET, BODY, T);
    expect(verifyWebhookSignature(SECRET, header, BODY, 300, T + 10)).toEqual({ ok: true, timestamp: T });
    const rotated = `t=${T},v1=${webhookSignature('old_secret_0123456789', T, BODY)},v1=${webhookSignature(SECRET, T, BODY)}`;
    expect(verifyWebhookSignature(SECRET, rotated, Buffer.from(BODY), 300, T).ok).toBe(true);
    const fresh = signatureHeader(SECRET, BODY);
    expect(verifyWebhookSignature(SECRET, fresh, BODY).ok).toBe(true);
  });

  it('refuse a tampered body, a wrong secret, an old or future timestamp, and malformed headers', () => {
    const header = signatureHeader(SECRET, BODY, T);
    expect(verifyWebhookSignature(SECRET, header, BODY.replace('"rating":1', '"rating":-1'), 300, T)).toEqual({
      ok: false,
      reason: 'the signature does not match the body and secret',
    });
    expect(verifyWebhookSignature('another_secret_0123', header, BODY, 300, T).ok).toBe(false);
    // A re-signed timestamp with the old signature is a forgery: the timestamp is part of what is signed.
    expect(verifyWebhookSignature(SECRET, header.replace(`t=${T}`, `t=${T + 1}`), BODY, 300, T).ok).toBe(false);
    expect(verifyWebhookSignature(SECRET, header, BODY, 300, T + 301)).toEqual({
      ok: false,
      reason: 'the signed timestamp is 301 s old, beyond the tolerance of 300 s: a replay, or the clocks disagree',
    });
    expect(verifyWebhookSignature(SECRET, header, BODY, 300, T - 400).ok).toBe(false);
    expect(verifyWebhookSignature(SECRET, undefined, BODY).ok).toBe(false);
    expect(verifyWebhookSignature(SECRET, `v1=${webhookSignature(SECRET, T, BODY)}`, BODY, 300, T)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('no t='),
    });
    expect(verifyWebhookSignature(SECRET, `t=${T},v1=abc`, BODY, 300, T)).toMatchObject({ ok: false });
  });
});
