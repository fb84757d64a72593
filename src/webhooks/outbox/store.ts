import type { Kysely, Selectable } from 'kysely';
import type { SecretCipher } from '../../kernel/cipher.js';
import type { LeaseSettlement } from '../../kernel/leased-worker.js';
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
 *
 * The claim/lease/settle shape is the courier's (src/courier/message-store.ts), duplicated
 * deliberately rather than shared: the two outboxes differ in rows and in what a settle
 * records (the courier keeps a dispatch per attempt), and each module owns its table. The
 * worker loop over them is shared (src/kernel/leased-worker.ts).
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

function toDelivery(cipher: SecretCipher, row: Selectable<WebhookDeliveriesTable>): WebhookDelivery {
  return {
    id: row.id,
    url: row.url,
    method: row.method,
    headers: openHeaders(cipher, row.headers),
    body: row.body,
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

const settlement = (numUpdatedRows: bigint): Settlement => (numUpdatedRows > 0n ? 'settled' : 'lease_lost');

export function createDeliveryStore(db: Kysely<Tables>, engine: Engine, cipher: SecretCipher): DeliveryStore {
  const decode = (row: Selectable<WebhookDeliveriesTable>): WebhookDelivery => toDelivery(cipher, row);
  /** An update of a delivery this owner still leases. */
  const leased = (id: string, owner: string) =>
    db
      .updateTable('webhook_deliveries')
      .where('id', '=', id)
      .where('status', '=', 'processing')
      .where('lease_owner', '=', owner);

  return {
    async insert(executor, delivery, now) {
      await executor
        .insertInto('webhook_deliveries')
        .values({
          id: delivery.id,
          url: delivery.url,
          method: delivery.method,
          headers: sealHeaders(cipher, delivery.headers),
          body: delivery.body,
          hook_name: delivery.name.slice(0, MAX_NAME_LENGTH),
          status: 'queued',
          attempts: 0,
          next_attempt_at: now,
          lease_owner: null,
          lease_expires_at: null,
          last_error: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
    },

    async claim({ owner, limit, leaseMs, now }) {
      const until = new Date(now.getTime() + leaseMs);
      const due = (executor: Kysely<Tables>) =>
        executor
          .selectFrom('webhook_deliveries')
          .select('id')
          .where('status', 'in', ['queued', 'processing'])
          .where('next_attempt_at', '<=', now)
          .orderBy('next_attempt_at')
          .limit(limit);
      const lease = (executor: Kysely<Tables>) =>
        executor.updateTable('webhook_deliveries').set((eb) => ({
          status: 'processing',
          lease_owner: owner,
          lease_expires_at: until,
          // While processing, "due" means "lease expired": one index range finds both.
          next_attempt_at: until,
          attempts: eb('attempts', '+', 1),
          updated_at: now,
        }));
      let rows: Selectable<WebhookDeliveriesTable>[];
      if (engine === 'postgres') {
        // Rows another replica is claiming are skipped, not waited for: no delivery is leased twice.
        rows = await db.transaction().execute(async (trx) => {
          const ids = (await due(trx).forUpdate().skipLocked().execute()).map((r) => r.id);
          if (ids.length === 0) return [];
          return lease(trx).where('id', 'in', ids).returningAll().execute();
        });
      } else {
        // SQLite has one writer; a write statement takes the lock before it reads, so one
        // conditional UPDATE is atomic across processes.
        rows = await lease(db).where('id', 'in', due(db)).returningAll().execute();
      }
      return rows.map(decode).sort((a, b) => a.created_at.getTime() - b.created_at.getTime());
    },

    async renew(id, owner, { leaseMs, now }) {
      const until = new Date(now.getTime() + leaseMs);
      // One UPDATE: on PostgreSQL it takes the row lock, so a concurrent claim either runs
      // after it (and finds the delivery not due) or before it (and this finds another owner).
      const result = await leased(id, owner)
        .where('lease_expires_at', '>', now)
        .set({ lease_expires_at: until, next_attempt_at: until, updated_at: now })
        .executeTakeFirst();
      return settlement(result.numUpdatedRows);
    },

    async markDelivered(id, owner, now) {
      const result = await leased(id, owner)
        .set({
          status: 'delivered',
          lease_owner: null,
          lease_expires_at: null,
          last_error: null,
          updated_at: now,
        })
        .executeTakeFirst();
      return settlement(result.numUpdatedRows);
    },

    async recordFailure(id, owner, { error, retryAt, now }) {
      const result = await leased(id, owner)
        .set({
          status: retryAt === null ? 'abandoned' : 'queued',
          next_attempt_at: retryAt ?? now,
          lease_owner: null,
          lease_expires_at: null,
          last_error: error.slice(0, MAX_ERROR_LENGTH),
          updated_at: now,
        })
        .executeTakeFirst();
      return settlement(result.numUpdatedRows);
    },

    async release(id, owner, { refund, now }) {
      const result = await leased(id, owner)
        .set((eb) => ({
          status: 'queued',
          next_attempt_at: now,
          lease_owner: null,
          lease_expires_at: null,
          updated_at: now,
          ...(refund ? { attempts: eb('attempts', '-', 1) } : {}),
        }))
        .executeTakeFirst();
      return settlement(result.numUpdatedRows);
    },

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
