// Sends what the outbox holds: polls the store for due deliveries (leased, so several server processes share one
// outbox without sending anything twice at once), POSTs each with a timeout, and on failure schedules a retry with
// exponential back-off and jitter (or when the receiver's Retry-After says), up to a bounded number of attempts;
// then the delivery is marked failed and logged. stop() lets a delivery in flight finish.
import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Counter, type Registry } from 'prom-client';
import { type ProxyEnv, ProxyError, proxiedFetch } from '../../shared/proxy.js';
import type { Store, WebhookDelivery, WebhookDeliveryInput } from '../../store/index.js';
import type { Logger } from '../monitoring/logger.js';
import type { DeliveryPolicy, WebhookEndpointConfig } from './config.js';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signatureHeader } from './signing.js';

/** Something that happened, for the endpoints subscribed to its type. */
export interface WebhookEvent {
  /** e.g. `feedback.created`, `drift.alert`. */
  type: string;
  /** The event's JSON-serialisable details. */
  data: unknown;
  /** Whom the details are about (a prediction's subject), so erasing the subject deletes the deliveries too. */
  subject?: string | null;
}

/** What other parts of the server need to send an event: the drift monitor, the routes. */
export interface WebhookEmitter {
  /** Queues the event for every endpoint subscribed to its type; never rejects (a failure is logged). */
  emit(event: WebhookEvent): Promise<void>;
}

/** How to send to one named destination: its secret (to sign) and extra headers. */
export interface DeliveryTarget {
  name: string;
  secret?: string;
  headers?: Record<string, string>;
}

/** Everything a dispatcher needs. */
export interface DispatcherOptions {
  store: Store;
  /** Webhook endpoints: they get emitted events. */
  endpoints: readonly WebhookEndpointConfig[];
  /** Other destinations deliveries may name (the CRM write-back). */
  targets?: readonly DeliveryTarget[];
  policy: DeliveryPolicy;
  logger: Logger;
  /** Where to count deliveries (promptune_webhook_deliveries_total). */
  registry?: Registry;
  /** Jitter source (tests). */
  random?: () => number;
  /** Where the proxy variables HTTPS_PROXY, HTTP_PROXY and NO_PROXY are read from (default process.env). */
  env?: ProxyEnv;
}

// Answers that no retry will change: the request itself is wrong, or the resource is gone.
const PERMANENT = new Set([400, 404, 405, 410, 413, 422]);
// A receiver's answer body, as far as the error message needs it.
const MAX_ANSWER_CHARS = 300;

/**
 * The wait before attempt `attempt + 1` after `attempt` failures: exponential (base · 2^(attempt-1), capped),
 * with "equal jitter" — half fixed, half random — so retries spread out yet each wait is at least the previous.
 */
export function retryDelayMs(
  policy: Pick<DeliveryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
  attempt: number,
  random = Math.random,
): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(cap / 2 + random() * (cap / 2));
}

/** A Retry-After header (seconds, or an HTTP date) in milliseconds from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** Reads at most `limit` characters of a response body, then drops the rest. */
async function answerSnippet(res: Response, limit: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (text.length < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return text.replace(/\s+/g, ' ').trim().slice(0, limit);
}

/** Sends the outbox's deliveries; also the server's webhook emitter. */
export class WebhookDispatcher implements WebhookEmitter {
  /** This process's lease owner id. */
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  readonly #opts: DispatcherOptions;
  readonly #targets = new Map<string, DeliveryTarget>();
  readonly #counter: Counter<'endpoint' | 'outcome'> | undefined;
  #loop: Promise<void> | undefined;
  #stopping = false;
  #wake: (() => void) | undefined;
  #kicked = false;

  constructor(opts: DispatcherOptions) {
    this.#opts = opts;
    for (const t of [...opts.endpoints, ...(opts.targets ?? [])]) this.#targets.set(t.name, t);
    if (opts.registry)
      this.#counter = new Counter({
        name: 'promptune_webhook_deliveries_total',
        help: 'Outgoing webhook and write-back attempts by endpoint and outcome (delivered, retry, failed)',
        labelNames: ['endpoint', 'outcome'],
        registers: [opts.registry],
      });
  }

  /** Starts polling the outbox. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Queues an event for every endpoint subscribed to its type (durably: it survives a restart). */
  async emit(event: WebhookEvent): Promise<void> {
    const endpoints = this.#opts.endpoints.filter((e) => e.events.some((t) => t === '*' || t === event.type));
    if (!endpoints.length) return;
    const payload = { id: `evt_${randomUUID()}`, type: event.type, createdAt: new Date().toISOString(), data: event.data };
    try {
      await this.send(
        endpoints.map((e) => ({
          endpoint: e.name,
          url: e.url,
          eventType: event.type,
          payload,
          subject: event.subject ?? null,
        })),
      );
    } catch (e) {
      this.#opts.logger.log('error', 'webhook event not queued', { event: event.type, error: (e as Error).message });
    }
  }

  /** Queues deliveries to named targets and wakes the sender; rejects when the store cannot take them. */
  async send(deliveries: readonly WebhookDeliveryInput[]): Promise<WebhookDelivery[]> {
    for (const d of deliveries)
      if (!this.#targets.has(d.endpoint))
        throw new Error(`no webhook endpoint or target named "${d.endpoint}" is configured: add it to the integrations file.`);
    const queued = await this.#opts.store.webhooks.enqueue(deliveries);
    this.#kick();
    return queued;
  }

  /** Stops polling; a delivery in flight finishes (bounded by the timeout) and its outcome is recorded. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    await this.#loop;
  }

  #kick(): void {
    this.#kicked = true;
    this.#wake?.();
  }

  async #run(): Promise<void> {
    const { policy, logger } = this.#opts;
    while (!this.#stopping) {
      let claimed = 0;
      try {
        claimed = await this.#tick();
      } catch (e) {
        logger.log('error', 'webhook outbox poll failed', { error: (e as Error).message });
      }
      // A full batch suggests more are due: go again at once. Otherwise wait for the poll interval or a kick.
      if (this.#stopping || claimed === policy.concurrency) continue;
      if (this.#kicked) {
        this.#kicked = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, policy.pollMs);
        timer.unref();
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
      this.#kicked = false;
    }
  }

  async #tick(): Promise<number> {
    const { policy, store } = this.#opts;
    const due = await store.webhooks.claimDue({
      owner: this.owner,
      // Longer than any attempt can take, so no other process picks the row up while this one still sends it.
      leaseMs: policy.timeoutMs + 60_000,
      limit: policy.concurrency,
      endpoints: [...this.#targets.keys()],
    });
    await Promise.all(due.map((d) => this.#deliver(d)));
    return due.length;
  }

  async #deliver(d: WebhookDelivery): Promise<void> {
    const { policy, store, logger } = this.#opts;
    const target = this.#targets.get(d.endpoint) as DeliveryTarget;
    const body = JSON.stringify(d.payload);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'Promptune-Webhooks/1',
      [EVENT_HEADER]: d.eventType,
      [DELIVERY_HEADER]: d.id,
      'idempotency-key': d.id,
      ...(target.secret ? { [SIGNATURE_HEADER]: signatureHeader(target.secret, body) } : {}),
      ...target.headers,
    };
    const attempt = d.attempts + 1;
    const fields = { delivery: d.id, endpoint: d.endpoint, event: d.eventType, attempt };
    let error: string;
    let retryAfterMs: number | undefined;
    let permanent = false;
    const t0 = performance.now();
    try {
      // Redirects are not followed: a signed body should reach only the URL the operator configured.
      const res = await proxiedFetch(
        d.url,
        { method: d.method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(policy.timeoutMs) },
        this.#opts.env,
      );
      if (res.status >= 200 && res.status < 300) {
        await res.body?.cancel().catch(() => undefined);
        const kept = await store.webhooks.markDelivered(d.id, this.owner);
        this.#counter?.inc({ endpoint: d.endpoint, outcome: 'delivered' });
        logger.log(kept ? 'info' : 'warn', kept ? 'webhook delivered' : 'webhook delivered after its lease expired', {
          ...fields,
          status: res.status,
          ms: Math.round(performance.now() - t0),
        });
        return;
      }
      const snippet = await answerSnippet(res, MAX_ANSWER_CHARS);
      error = `HTTP ${res.status}${snippet ? `: ${snippet}` : ''}`;
      permanent = PERMANENT.has(res.status);
      if (res.status === 429 || res.status === 503) retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      error =
        err.name === 'TimeoutError'
          ? `no answer within ${policy.timeoutMs} ms`
          : ProxyError.isInstance(e)
            ? `request failed: ${e.message}`
            : `request failed: ${err.cause?.code ?? err.cause?.message ?? err.message}`;
    }
    if (permanent || attempt >= policy.maxAttempts) {
      await store.webhooks.markFailed(d.id, this.owner, error);
      this.#counter?.inc({ endpoint: d.endpoint, outcome: 'failed' });
      logger.log('error', 'webhook failed', {
        ...fields,
        error,
        reason: permanent ? 'the receiver refused it; retrying cannot help' : `gave up after ${attempt} attempts`,
      });
      return;
    }
    const backoff = retryDelayMs(policy, attempt, this.#opts.random);
    const delayMs = Math.min(policy.maxDelayMs, Math.max(backoff, retryAfterMs ?? 0));
    await store.webhooks.scheduleRetry(d.id, this.owner, { afterMs: delayMs, error });
    this.#counter?.inc({ endpoint: d.endpoint, outcome: 'retry' });
    logger.log('warn', 'webhook retry', { ...fields, error, delayMs, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
  }
}
