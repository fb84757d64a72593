import type { Kysely, Selectable, UpdateObject } from 'kysely';
import { isSealedValue, type SecretCipher } from '../../kernel/cipher.js';
import type { LeaseSettlement } from '../../kernel/leased-worker.js';
import { createLeaseQueue, type LeaseQueueOptions, leaseSettlement } from '../../persistence/lease-queue.js';
import type { Engine } from '../../persistence/migrations/column-types.js';
import { fromJson, toDate, toDateOrNull, toJson } from '../../persistence/row-codec.js';
import type { Tables, WebhookDeliveriesTable } from '../../persistence/tables.js';
import { uuidKey } from '../../persistence/uuid.js';
import type { DeliveryStatus, NewDelivery, WebhookDelivery } from './model.js';

/** Whether a settling write still held the lease; `lease_lost` means another worker owns it now. */
export type Settlement = LeaseSettlement;

/** `last_error` is a short reason for operators, never a body. */
const MAX_ERROR_LENGTH = 255;
const MAX_NAME_LENGTH = 255;

/**
 * The web hook outbox table. Every write after the claim is conditional on holding the lease,
 * so a worker whose lease ran out cannot overwrite the outcome of the worker that took over.
 * Lease times (and when a delivery is due) follow the database's clock, so hosts whose clocks
 * disagree agree on who holds a lease: on PostgreSQL they are computed from `now()`, taking
 * only offsets (a lease's length, a retry's delay) from the `now` passed in; SQLite runs in
 * process, where the `now` passed in is the clock (see `LeaseClock`, persistence/lease-queue.ts).
 *
 * The lease protocol (claim, renew, release, and the lease columns of a settling write) is
 * shared with the courier's outbox (src/persistence/lease-queue.ts), as is the worker loop
 * (src/kernel/leased-worker.ts); what a settle records besides is this table's own.
 */
export interface DeliveryStore {
  /** Writes a queued delivery through `executor` (a transaction, to commit with its cause). */
  insert(executor: Kysely<Tables>, delivery: NewDelivery & { id: string }, now: Date): Promise<void>;
  /**
   * Leases up to `limit` due deliveries to `owner` until `now + leaseMs` and counts an attempt
   * on each. Due: queued and past `next_attempt_at`, or processing with an expired lease
   * (its worker crashed or hung).
   */
  claim(options: { owner: string; limit: number; leaseMs: number; now: Date }): Promise<WebhookDelivery[]>;
  /**
   * Extends a lease `owner` still holds, and that has not run out, to `now + leaseMs`: a worker
   * renews each delivery's lease just before its call, as a batch may outlast the claim's.
   */
  renew(id: string, owner: string, options: { leaseMs: number; now: Date }): Promise<Settlement>;
  markDelivered(id: string, owner: string, now: Date): Promise<Settlement>;
  /** Records a failed attempt; queues the delivery again at `retryAt`, or abandons it (null). */
  recordFailure(
    id: string,
    owner: string,
    failure: { error: string; retryAt: Date | null; now: Date },
  ): Promise<Settlement>;
  /**
   * Gives a leased delivery back, due now. `refund` takes back the attempt its claim counted
   * (nothing was tried: the worker is stopping, or its renewal before the attempt failed).
   */
  release(id: string, owner: string, options: { refund: boolean; now: Date }): Promise<Settlement>;
  get(id: string): Promise<WebhookDelivery | undefined>;
}

/**
 * Headers often carry the receiver's credentials (api keys, basic auth) and must be read back
 * to deliver: they are stored sealed, as `{"sealed": "<ciphertext>"}`.
 */
function sealHeaders(cipher: SecretCipher, headers: Record<string, string>): string {
  return toJson({ sealed: cipher.encrypt(JSON.stringify(headers)) });
}

function openHeaders(cipher: SecretCipher, stored: unknown): Record<string, string> {
  const value = fromJson<{ sealed?: unknown } | Record<string, string>>(stored);
  if (typeof value.sealed === 'string')
    return JSON.parse(cipher.decrypt(value.sealed)) as Record<string, string>;
  // Rows queued before headers were sealed.
  return value as Record<string, string>;
}

/**
 * Bodies carry the flow's identity (traits, addresses, often personal data) and wait in the table
 * until delivered, an hour or more when the receiver is down: they are stored sealed too. A sealed
 * value starts with the cipher's prefix (`pc1.`), which no JSON text (what a hook's template makes) does.
 */
function sealBody(cipher: SecretCipher, body: string | null): string | null {
  return body === null ? null : cipher.encrypt(body);
}

function openBody(cipher: SecretCipher, stored: string | null): string | null {
  // Rows queued before bodies were sealed hold them as sent.
  if (stored === null || !isSealedValue(stored)) return stored;
  return cipher.decrypt(stored);
}

function toDelivery(cipher: SecretCipher, row: Selectable<WebhookDeliveriesTable>): WebhookDelivery {
  return {
    id: row.id,
    url: row.url,
    method: row.method,
    headers: openHeaders(cipher, row.headers),
    body: openBody(cipher, row.body),
    name: row.hook_name,
    status: row.status as DeliveryStatus,
    attempts: Number(row.attempts),
    next_attempt_at: toDate(row.next_attempt_at),
    lease_owner: row.lease_owner,
    lease_expires_at: toDateOrNull(row.lease_expires_at),
    last_error: row.last_error,
    created_at: toDate(row.created_at),
    updated_at: toDate(row.updated_at),
  };
}

export function createDeliveryStore(
  db: Kysely<Tables>,
  engine: Engine,
  cipher: SecretCipher,
  options: LeaseQueueOptions = {},
): DeliveryStore {
  const decode = (row: Selectable<WebhookDeliveriesTable>): WebhookDelivery => toDelivery(cipher, row);
  const queue = createLeaseQueue(db, engine, {
    table: 'webhook_deliveries',
    attempts: 'attempts',
    clock: options.leaseClock,
  });

  /** A settling write on a delivery `owner` still leases. */
  async function settle(
    id: string,
    owner: string,
    values: UpdateObject<Tables, 'webhook_deliveries'>,
  ): Promise<Settlement> {
    const result = await db
      .updateTable('webhook_deliveries')
      .where(queue.heldBy(id, owner))
      .set(values)
      .executeTakeFirst();
    return leaseSettlement(result);
  }

  return {
    async insert(executor, delivery, now) {
      await executor
        .insertInto('webhook_deliveries')
        .values({
          id: delivery.id,
          url: delivery.url,
          method: delivery.method,
          headers: sealHeaders(cipher, delivery.headers),
          body: sealBody(cipher, delivery.body),
          hook_name: delivery.name.slice(0, MAX_NAME_LENGTH),
          ...queue.queued(now),
          attempts: 0,
          last_error: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
    },

    async claim(options) {
      return (await queue.claim(options)).map(decode);
    },

    renew: queue.renew,

    markDelivered: (id, owner, now) =>
      settle(id, owner, { ...queue.finished('delivered', now), last_error: null }),

    recordFailure: (id, owner, { error, retryAt, now }) =>
      settle(id, owner, { ...queue.failed(retryAt, now), last_error: error.slice(0, MAX_ERROR_LENGTH) }),

    release: queue.release,

    async get(id) {
      const key = uuidKey(id);
      if (key === undefined) return undefined;
      const row = await db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('id', '=', key)
        .executeTakeFirst();
      return row === undefined ? undefined : decode(row);
    },
  };
}
