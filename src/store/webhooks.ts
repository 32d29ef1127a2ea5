// The webhook outbox: outgoing HTTP calls (signed webhook events, CRM write-backs) waiting to be sent, being sent,
// delivered or given up on. A sender claims due rows with a lease; every later change names the lease's owner, so
// a sender whose lease expired (and whose row another process took over) cannot overwrite the newer outcome.
import type { Executor, SqlValue } from './driver.js';
import { StoreError } from './errors.js';
import { optionalSubject } from './predictions.js';
import { checkText, databaseNow, fromJson, newId, now, toJson, whereGiven } from './values.js';

/** Where a delivery stands: waiting (or being sent), done, or given up after its last attempt. */
export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

/** HTTP methods a delivery may use. */
export const WEBHOOK_METHODS = ['POST', 'PUT', 'PATCH'] as const;

/** An HTTP method a delivery may use. */
export type WebhookMethod = (typeof WEBHOOK_METHODS)[number];

/** A call to put in the outbox. */
export interface WebhookDeliveryInput {
  /** The configured endpoint that sends it (its secret and headers stay in the configuration, not here). */
  endpoint: string;
  /** Default POST. */
  method?: WebhookMethod;
  url: string;
  eventType: string;
  /** The JSON body. */
  payload: unknown;
  /** First attempt not before this ISO time (default: at once). */
  notBefore?: string;
  /** Whom the payload is about (the subject of the prediction or feedback it carries), so erasure finds it. */
  subject?: string | null;
}

/** A call in the outbox. */
export interface WebhookDelivery {
  id: string;
  endpoint: string;
  method: WebhookMethod;
  url: string;
  eventType: string;
  payload: unknown;
  status: WebhookDeliveryStatus;
  /** Attempts finished so far (one being sent is not counted until it ends). */
  attempts: number;
  nextAttemptAt: string;
  /** Who is sending it now, and until when; null when nobody is. */
  leaseOwner: string | null;
  leaseUntil: string | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  subject: string | null;
}

/** How to claim due deliveries. */
export interface ClaimOptions {
  /** This sender's id (unique per process). */
  owner: string;
  /** How long the claim holds; longer than one attempt can take, so nobody else sends the row meanwhile. */
  leaseMs: number;
  /** At most this many (default 10). */
  limit?: number;
  /** Only rows for these endpoints (the ones this process knows how to send). */
  endpoints: readonly string[];
  /** The clock to compare leases and due times with (default: the database's; tests pass a later one). */
  now?: Date;
}

/** Which deliveries to list; every given field must match. */
export interface WebhookDeliveryFilter {
  status?: WebhookDeliveryStatus;
  endpoint?: string;
  eventType?: string;
  /** At most this many, newest first. */
  limit?: number;
}

/** The webhook outbox in the store. */
export interface WebhookRepository {
  /** Adds deliveries (all or none); returns them with their ids, in order. */
  enqueue(inputs: readonly WebhookDeliveryInput[]): Promise<WebhookDelivery[]>;
  /**
   * Leases pending deliveries that are due and not leased by a live sender, oldest due first. Atomic: two
   * processes (or two calls) never get the same row while its lease holds.
   */
  claimDue(opts: ClaimOptions): Promise<WebhookDelivery[]>;
  /** Records a successful attempt; false when `owner` no longer holds the lease (nothing changed). */
  markDelivered(id: string, owner: string): Promise<boolean>;
  /**
   * Records a failed attempt and to try again `afterMs` from the database's now (not the sender's clock); false
   * when `owner` no longer holds the lease.
   */
  scheduleRetry(id: string, owner: string, retry: { afterMs: number; error: string }): Promise<boolean>;
  /** Records a failed last attempt: the delivery is given up; false when `owner` no longer holds the lease. */
  markFailed(id: string, owner: string, error: string): Promise<boolean>;
  /** Hands a claimed delivery back unattempted (the sender is stopping); false when `owner` no longer holds it. */
  release(id: string, owner: string): Promise<boolean>;
  /** The delivery with this id; STORE_NOT_FOUND when absent. */
  get(id: string): Promise<WebhookDelivery>;
  /** Deliveries matching a filter, newest first. */
  list(filter?: WebhookDeliveryFilter): Promise<WebhookDelivery[]>;
}

interface Row {
  id: string;
  endpoint: string;
  method: WebhookMethod;
  url: string;
  event_type: string;
  payload: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  next_attempt_at: string;
  lease_owner: string | null;
  lease_until: string | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
  subject: string | null;
}

const COLUMNS =
  'id, endpoint, method, url, event_type, payload, status, attempts, next_attempt_at, lease_owner, lease_until, last_error, created_at, delivered_at, subject';

const toDelivery = (r: Row): WebhookDelivery => ({
  id: r.id,
  endpoint: r.endpoint,
  method: r.method,
  url: r.url,
  eventType: r.event_type,
  payload: fromJson(r.payload),
  status: r.status,
  attempts: Number(r.attempts),
  nextAttemptAt: r.next_attempt_at,
  leaseOwner: r.lease_owner,
  leaseUntil: r.lease_until,
  lastError: r.last_error,
  createdAt: r.created_at,
  deliveredAt: r.delivered_at,
  subject: r.subject,
});

// Errors are kept for the operator to read, not as an archive: a receiver's whole error page is not needed.
const MAX_ERROR_CHARS = 2000;
const clip = (error: string): string => (error.length > MAX_ERROR_CHARS ? `${error.slice(0, MAX_ERROR_CHARS)}…` : error);

/** The webhook outbox repository over one executor. */
export function webhookRepository(ex: Executor): WebhookRepository {
  // Every outcome needs the caller's live lease: an expired lease may already belong to another sender.
  const finish = async (id: string, owner: string, sets: string[], params: SqlValue[]): Promise<boolean> => {
    const { changes } = await ex.run(
      `UPDATE webhook_deliveries SET ${sets.join(', ')}, lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ? AND status = 'pending'`,
      [...params, id, owner],
    );
    return changes === 1;
  };
  const repo: WebhookRepository = {
    async enqueue(inputs) {
      const at = now();
      const rows = inputs.map((d, i): SqlValue[] => {
        const method = d.method ?? 'POST';
        if (!WEBHOOK_METHODS.includes(method))
          throw new StoreError(
            'STORE_INVALID',
            `webhook delivery ${i}: method "${String(method)}" — use one of ${WEBHOOK_METHODS.join(', ')}.`,
          );
        return [
          newId('dlv'),
          checkText(d.endpoint, `webhook delivery ${i} endpoint`),
          method,
          checkText(d.url, `webhook delivery ${i} url`),
          checkText(d.eventType, `webhook delivery ${i} eventType`),
          toJson(d.payload, `webhook delivery ${i} payload`),
          'pending',
          0,
          d.notBefore ?? at,
          null,
          null,
          null,
          at,
          null,
          optionalSubject(d.subject, `webhook delivery ${i} subject`),
        ];
      });
      if (!rows.length) return [];
      await ex.transaction(async (tx) => {
        for (const row of rows)
          await tx.run(`INSERT INTO webhook_deliveries (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, row);
      });
      return rows.map((r, i) => ({
        id: r[0] as string,
        endpoint: r[1] as string,
        method: r[2] as WebhookMethod,
        url: r[3] as string,
        eventType: r[4] as string,
        payload: (inputs[i] as WebhookDeliveryInput).payload,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: r[8] as string,
        leaseOwner: null,
        leaseUntil: null,
        lastError: null,
        createdAt: at,
        deliveredAt: null,
        subject: r[14] as string | null,
      }));
    },
    async claimDue(opts) {
      checkText(opts.owner, 'claim owner');
      if (!(opts.leaseMs > 0))
        throw new StoreError('STORE_INVALID', `claim leaseMs ${opts.leaseMs}: expected a number of milliseconds > 0.`);
      if (!opts.endpoints.length) return [];
      const t = opts.now ?? (await databaseNow(ex));
      const at = t.toISOString();
      const until = new Date(t.getTime() + opts.leaseMs).toISOString();
      const free = "status = 'pending' AND (lease_until IS NULL OR lease_until <= ?)";
      // PostgreSQL: rows another claimer has locked are skipped, not waited for. The candidates are picked once, in
      // a materialised CTE: an "IN (subquery … LIMIT n FOR UPDATE SKIP LOCKED)" may be re-run for every row scanned,
      // each run skipping the rows the previous one locked, so one claim would lease far more than n. The outer
      // WHERE repeats the conditions so a row that changed while this statement waited is re-checked, not taken.
      // SQLite has one writer at a time, so the statement is already atomic there.
      const lock = ex.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
      const rows = await ex.query<Row>(
        `WITH picked AS MATERIALIZED (
           SELECT id FROM webhook_deliveries
           WHERE ${free} AND next_attempt_at <= ? AND endpoint IN (${opts.endpoints.map(() => '?').join(', ')})
           ORDER BY next_attempt_at, id LIMIT ?${lock}
         )
         UPDATE webhook_deliveries SET lease_owner = ?, lease_until = ?
         WHERE id IN (SELECT id FROM picked) AND ${free}
         RETURNING ${COLUMNS}`,
        [at, at, ...opts.endpoints, opts.limit ?? 10, opts.owner, until, at],
      );
      return rows.map(toDelivery).sort((a, b) => a.nextAttemptAt.localeCompare(b.nextAttemptAt) || a.id.localeCompare(b.id));
    },
    async markDelivered(id, owner) {
      return finish(id, owner, ["status = 'delivered'", 'attempts = attempts + 1', 'delivered_at = ?'], [now()]);
    },
    async scheduleRetry(id, owner, retry) {
      const at = new Date((await databaseNow(ex)).getTime() + Math.max(0, retry.afterMs)).toISOString();
      return finish(id, owner, ['attempts = attempts + 1', 'next_attempt_at = ?', 'last_error = ?'], [at, clip(retry.error)]);
    },
    async markFailed(id, owner, error) {
      return finish(id, owner, ["status = 'failed'", 'attempts = attempts + 1', 'last_error = ?'], [clip(error)]);
    },
    async release(id, owner) {
      return finish(id, owner, ['attempts = attempts'], []);
    },
    async get(id) {
      const [row] = await ex.query<Row>(`SELECT ${COLUMNS} FROM webhook_deliveries WHERE id = ?`, [id]);
      if (!row)
        throw new StoreError(
          'STORE_NOT_FOUND',
          `webhook delivery "${id}" is not in the store: use the id from the Promptune-Delivery header.`,
        );
      return toDelivery(row);
    },
    async list(filter = {}) {
      const w = whereGiven([
        ['status = ?', filter.status],
        ['endpoint = ?', filter.endpoint],
        ['event_type = ?', filter.eventType],
      ]);
      const params = filter.limit === undefined ? w.params : [...w.params, filter.limit];
      const rows = await ex.query<Row>(
        `SELECT ${COLUMNS} FROM webhook_deliveries${w.sql} ORDER BY created_at DESC, id DESC${filter.limit === undefined ? '' : ' LIMIT ?'}`,
        params,
      );
      return rows.map(toDelivery);
    },
  };
  return repo;
}
