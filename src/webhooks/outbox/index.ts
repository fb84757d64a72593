import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { SecretCipher } from '../../kernel/cipher.js';
import type { OutboundHttp } from '../../kernel/http-client.js';
import type { Logger } from '../../kernel/logger.js';
import type { Database } from '../../persistence/database.js';
import type { Tables } from '../../persistence/tables.js';
import type { NewDelivery, WebhookDelivery } from './model.js';
import { DEFAULT_RETRY_POLICY } from './retry-policy.js';
import { createDeliveryStore } from './store.js';
import { startDeliveryWorker, type WebhookWorker, type WorkerSettings } from './worker.js';

export type { DeliveryStatus, NewDelivery, WebhookDelivery } from './model.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';
export type { WebhookWorker, WorkerSettings } from './worker.js';

/** What a worker may be tuned with; everything else keeps DEFAULT_WORKER_SETTINGS. */
export interface WorkerOverrides {
  pollIntervalMs?: number;
  leaseMs?: number;
  /** First retry wait; later ones double. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  maxAttempts?: number;
  batchSize?: number;
  concurrency?: number;
  requestTimeoutMs?: number;
  stopGraceMs?: number;
}

export const DEFAULT_WORKER_SETTINGS: WorkerSettings = {
  pollIntervalMs: 1_000,
  batchSize: 16,
  concurrency: 4,
  leaseMs: 60_000,
  // Kratos's web hook client gives up after 10 s.
  requestTimeoutMs: 10_000,
  maxResponseBytes: 64 * 1024,
  retry: DEFAULT_RETRY_POLICY,
  stopGraceMs: 10_000,
};

/**
 * Durable delivery of fire-and-forget web hooks (`response.ignore: true`): a call is a row,
 * written in the caller's transaction when it passes one, and workers deliver it under a lease
 * with retries (see retry-policy.ts), so neither a crash nor a receiver outage loses it.
 * Delivery is at-least-once: a worker that dies mid-call leaves the row to be sent again when
 * its lease expires. Several replicas may run workers on one database.
 *
 * Stored headers may carry credentials (api keys, basic auth): they are needed to deliver, so
 * they are sealed with `secrets.cipher` (else a key derived from `secrets.default`), not
 * hashed. They are never logged, nor are bodies or URL paths.
 */
export interface WebhookOutbox {
  /**
   * Queues one call through `executor`: pass a kysely Transaction<Tables> to commit it with
   * the change that caused it, or the database to queue it on its own.
   */
  enqueue(executor: Kysely<Tables>, delivery: NewDelivery): Promise<{ id: string }>;
  /** Starts a delivery loop in this process (call once per process; replicas each run one). */
  startWorker(overrides?: WorkerOverrides): WebhookWorker;
  /** One delivery as stored; undefined when there is none with that id. */
  get(id: string): Promise<WebhookDelivery | undefined>;
  /** Stops every worker this outbox started. Does not close the http client or database. */
  close(): Promise<void>;
}

export interface WebhookOutboxDeps {
  database: Pick<Database, 'db' | 'engine'>;
  http: OutboundHttp;
  logger: Logger;
  /** Seals stored headers (they may hold the receiver's credentials). */
  cipher: SecretCipher;
  now?: () => Date;
}

/** An HTTP method token that fits the column. */
const HTTP_METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,16}$/;

/** A lease owner id that tells operators which process holds a delivery. */
function ownerId(): string {
  return `${hostname().slice(0, 40)}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

function settingsFrom(overrides: WorkerOverrides): WorkerSettings {
  const d = DEFAULT_WORKER_SETTINGS;
  return {
    pollIntervalMs: overrides.pollIntervalMs ?? d.pollIntervalMs,
    batchSize: overrides.batchSize ?? d.batchSize,
    concurrency: overrides.concurrency ?? d.concurrency,
    leaseMs: overrides.leaseMs ?? d.leaseMs,
    requestTimeoutMs: overrides.requestTimeoutMs ?? d.requestTimeoutMs,
    maxResponseBytes: d.maxResponseBytes,
    retry: {
      maxAttempts: overrides.maxAttempts ?? d.retry.maxAttempts,
      baseDelayMs: overrides.baseDelayMs ?? d.retry.baseDelayMs,
      maxDelayMs: overrides.maxDelayMs ?? d.retry.maxDelayMs,
    },
    stopGraceMs: overrides.stopGraceMs ?? d.stopGraceMs,
  };
}

export function createWebhookOutbox(deps: WebhookOutboxDeps): WebhookOutbox {
  const now = deps.now ?? (() => new Date());
  const store = createDeliveryStore(deps.database.db, deps.database.engine, deps.cipher);
  const logger = deps.logger.child({ component: 'webhook-outbox' });
  const workers = new Set<WebhookWorker>();

  return {
    async enqueue(executor, delivery) {
      if (!HTTP_METHOD.test(delivery.method)) throw new TypeError('a web hook method must be an HTTP token');
      const id = randomUUID();
      await store.insert(executor, { ...delivery, id, method: delivery.method.toUpperCase() }, now());
      logger.debug({ delivery_id: id, hook: delivery.name }, 'web hook queued');
      return { id };
    },

    startWorker(overrides = {}) {
      const worker = startDeliveryWorker(
        { store, http: deps.http, logger: deps.logger, owner: ownerId(), now },
        settingsFrom(overrides),
      );
      const tracked: WebhookWorker = {
        async stop() {
          workers.delete(tracked);
          await worker.stop();
        },
      };
      workers.add(tracked);
      return tracked;
    },

    get: (id) => store.get(id),

    async close() {
      await Promise.all([...workers].map((w) => w.stop()));
    },
  };
}
