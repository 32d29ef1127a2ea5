// Webhook signatures: HMAC-SHA256 over `${timestamp}.${body}` with the endpoint's secret, sent as
// `Promptune-Signature: t=<unix seconds>,v1=<hex>`. The timestamp is signed too, so a receiver that checks it
// (verifyWebhookSignature does) refuses a captured request replayed later.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The signature header: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const SIGNATURE_HEADER = 'Promptune-Signature';
/** The event type, e.g. `feedback.created`. */
export const EVENT_HEADER = 'Promptune-Event';
/** The delivery's id: the same on every retry of one delivery, so receivers can drop duplicates. */
export const DELIVERY_HEADER = 'Promptune-Delivery';

/** How old (or how far in the future) a signed timestamp may be by default: five minutes. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** The hex HMAC-SHA256 of `${timestamp}.${body}` under `secret`. */
export function webhookSignature(secret: string, timestamp: number, body: string | Uint8Array): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/** The Promptune-Signature header value for `body`, signed now (or at `timestamp`, unix seconds). */
export function signatureHeader(secret: string, body: string | Uint8Array, timestamp = Math.floor(Date.now() / 1000)): string {
  return `t=${timestamp},v1=${webhookSignature(secret, timestamp, body)}`;
}

/** The outcome of a check: the signed time when it holds, else why not. */
export type WebhookVerification = { ok: true; timestamp: number } | { ok: false; reason: string };

/**
 * Checks a Promptune-Signature header against the raw request body (the exact bytes received, before any JSON
 * parsing): the signature must match in constant time and the timestamp be within `toleranceSeconds` of now.
 * Several `v1=` entries are allowed (any match passes), so a receiver keeps working while a secret is rotated.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | null | undefined,
  body: string | Uint8Array,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
  nowSeconds = Date.now() / 1000,
): WebhookVerification {
  if (!header) return { ok: false, reason: `no ${SIGNATURE_HEADER} header` };
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  if (timestamp === undefined) return { ok: false, reason: `${SIGNATURE_HEADER} has no t=<unix seconds>` };
  if (!signatures.length) return { ok: false, reason: `${SIGNATURE_HEADER} has no v1=<64 hex digits>` };
  const age = nowSeconds - timestamp;
  if (Math.abs(age) > toleranceSeconds)
    return {
      ok: false,
      reason: `the signed timestamp is ${Math.round(Math.abs(age))} s ${age > 0 ? 'old' : 'in the future'}, beyond the tolerance of ${toleranceSeconds} s: a replay, or the clocks disagree`,
    };
  const expected = Buffer.from(webhookSignature(secret, timestamp, body), 'hex');
  // Every candidate is compared (no early exit), each in constant time.
  let match = false;
  for (const s of signatures) match = timingSafeEqual(s, expected) || match;
  return match ? { ok: true, timestamp } : { ok: false, reason: 'the signature does not match the body and secret' };
}
