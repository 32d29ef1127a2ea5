// The webhook outbox: every outgoing HTTP call (a signed webhook event, a CRM write-back) is a row first and a
// request second, so a receiver's outage, a crash or a restart never loses one. Several server processes on one
// PostgreSQL share the outbox: a lease (owner + expiry) keeps two of them from sending the same row at once.
import type { Migration } from '../migrate.js';

/** Migration 3: the durable outbox of webhook and write-back deliveries. */
export const webhooks: Migration = {
  version: 3,
  name: 'webhooks',
  statements: [
    `CREATE TABLE webhook_deliveries (
      id TEXT PRIMARY KEY,
      endpoint TEXT NOT NULL,
      method TEXT NOT NULL,
      url TEXT NOT NULL,
      event_type TEXT NOT NULL,
      payload TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
      attempts INTEGER NOT NULL,
      next_attempt_at TEXT NOT NULL,
      lease_owner TEXT,
      lease_until TEXT,
      last_error TEXT,
      created_at TEXT NOT NULL,
      delivered_at TEXT
    )`,
    'CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at)',
    'CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint, created_at)',
  ],
};
