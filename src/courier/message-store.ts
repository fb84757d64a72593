import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { LeaseSettlement } from '../kernel/leased-worker.js';
import type { Engine } from '../persistence/migrations/column-types.js';
import { decodeNewestFirstToken, encodeNewestFirstToken } from '../persistence/page-token.js';
import { fromJsonOrNull, toDate, toDateOrNull, toJsonOrNull } from '../persistence/row-codec.js';
import type { CourierMessageDispatchesTable, CourierMessagesTable, Tables } from '../persistence/tables.js';
import { uuidKey } from '../persistence/uuid.js';
import type {
  CourierMessage,
  CourierMessageWithDispatches,
  DeliveryChannel,
  DispatchError,
  MessageDispatch,
  MessageStatus,
} from './model.js';

/** What queueing writes; the store fills in status, counters and timestamps. */
export interface NewMessage {
  id: string;
  recipient: string;
  subject: string;
  body: string;
  html_body: string | null;
  template_type: string;
  /** Kratos's `template_data`, for HTTP delivery. */
  template_data?: Record<string, unknown> | null;
}

export interface ListMessagesQuery {
  status?: MessageStatus;
  recipient?: string;
  pageSize: number;
  pageToken?: string;
}

/** Whether a settling write still held the lease; `lease_lost` means another worker owns it now. */
export type Settlement = LeaseSettlement;

/** The courier's outbox. Every write after the claim is conditional on holding the lease. */
export interface MessageStore {
  /** Writes a queued message through `executor` (a transaction, to commit with its cause). */
  insert(executor: Kysely<Tables>, message: NewMessage, now: Date): Promise<void>;
  /**
   * Leases up to `limit` due messages to `owner` until `now + leaseMs` and counts an attempt
   * on each. Due: queued and past `next_attempt_at`, or processing with an expired lease.
   */
  claim(options: { owner: string; limit: number; leaseMs: number; now: Date }): Promise<CourierMessage[]>;
  /**
   * Confirms that `owner` still holds an unexpired lease on one message and extends it to
   * `now + leaseMs`, in one conditional write. A worker calls it just before each send:
   * `lease_lost` means the lease ran out (another worker may have claimed the message, or
   * may at any moment) and the message must not be sent.
   */
  renew(id: string, owner: string, options: { leaseMs: number; now: Date }): Promise<Settlement>;
  /** Marks a leased message sent by `channel` and records a successful dispatch. */
  markSent(id: string, owner: string, channel: DeliveryChannel, now: Date): Promise<Settlement>;
  /** Records a failed dispatch; queues the message again at `retryAt`, or abandons it (null). */
  recordFailure(
    id: string,
    owner: string,
    failure: { error: DispatchError; retryAt: Date | null; now: Date },
  ): Promise<Settlement>;
  /**
   * Gives a leased message back, due now. `refund` takes back the attempt its claim counted
   * (nothing was tried: the worker is stopping, or its renewal before the attempt failed).
   */
  release(id: string, owner: string, options: { refund: boolean; now: Date }): Promise<Settlement>;
  /** Newest first (ties by id, ascending, as Kratos), in keyset pages. */
  list(query: ListMessagesQuery): Promise<{ messages: CourierMessage[]; nextPageToken?: string }>;
  /** One message with its dispatches, newest first. */
  get(id: string): Promise<CourierMessageWithDispatches | undefined>;
}

function toMessage(row: Selectable<CourierMessagesTable>): CourierMessage {
  return {
    id: row.id,
    type: 'email',
    status: row.status as MessageStatus,
    recipient: row.recipient,
    subject: row.subject,
    body: row.body,
    html_body: row.html_body,
    template_type: row.template_type,
    template_data: fromJsonOrNull<Record<string, unknown>>(row.template_data),
    channel: row.channel as DeliveryChannel | null,
    send_count: Number(row.send_count),
    next_attempt_at: toDate(row.next_attempt_at),
    lease_owner: row.lease_owner,
    lease_expires_at: toDateOrNull(row.lease_expires_at),
    created_at: toDate(row.created_at),
    updated_at: toDate(row.updated_at),
  };
}

function toDispatch(row: Selectable<CourierMessageDispatchesTable>): MessageDispatch {
  return {
    id: row.id,
    message_id: row.message_id,
    status: row.status as MessageDispatch['status'],
    error: fromJsonOrNull<DispatchError>(row.error),
    created_at: toDate(row.created_at),
    updated_at: toDate(row.updated_at),
  };
}

const settlement = (numUpdatedRows: bigint): Settlement => (numUpdatedRows > 0n ? 'settled' : 'lease_lost');

export function createMessageStore(db: Kysely<Tables>, engine: Engine): MessageStore {
  async function addDispatch(
    executor: Kysely<Tables>,
    messageId: string,
    error: DispatchError | null,
    now: Date,
  ): Promise<void> {
    await executor
      .insertInto('courier_message_dispatches')
      .values({
        id: randomUUID(),
        message_id: messageId,
        status: error === null ? 'success' : 'failed',
        error: toJsonOrNull(error),
        created_at: now,
        updated_at: now,
      })
      .execute();
  }

  /** An update of a message this owner still leases. */
  const leased = (executor: Kysely<Tables>, id: string, owner: string) =>
    executor
      .updateTable('courier_messages')
      .where('id', '=', id)
      .where('status', '=', 'processing')
      .where('lease_owner', '=', owner);

  return {
    async insert(executor, message, now) {
      await executor
        .insertInto('courier_messages')
        .values({
          ...message,
          template_data: toJsonOrNull(message.template_data ?? null),
          type: 'email',
          status: 'queued',
          channel: null,
          send_count: 0,
          next_attempt_at: now,
          lease_owner: null,
          lease_expires_at: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
    },

    async claim({ owner, limit, leaseMs, now }) {
      const until = new Date(now.getTime() + leaseMs);
      // A processing row's next_attempt_at is its lease expiry, so "due" is one index range
      // for fresh and stranded messages alike.
      const due = (executor: Kysely<Tables>) =>
        executor
          .selectFrom('courier_messages')
          .select('id')
          .where('status', 'in', ['queued', 'processing'])
          .where('next_attempt_at', '<=', now)
          .orderBy('next_attempt_at')
          .limit(limit);
      const lease = (executor: Kysely<Tables>) =>
        executor.updateTable('courier_messages').set((eb) => ({
          status: 'processing',
          lease_owner: owner,
          lease_expires_at: until,
          next_attempt_at: until,
          send_count: eb('send_count', '+', 1),
          updated_at: now,
        }));
      let rows: Selectable<CourierMessagesTable>[];
      if (engine === 'postgres') {
        // Rows another worker is claiming right now are skipped, not waited for: replicas
        // share the queue without ever leasing one message twice.
        rows = await db.transaction().execute(async (trx) => {
          const ids = (await due(trx).forUpdate().skipLocked().execute()).map((r) => r.id);
          if (ids.length === 0) return [];
          return lease(trx).where('id', 'in', ids).returningAll().execute();
        });
      } else {
        // SQLite has one writer at a time and a write statement takes the write lock before it
        // reads, so one conditional UPDATE is atomic across processes.
        rows = await lease(db).where('id', 'in', due(db)).returningAll().execute();
      }
      // Oldest first, so a batch goes out in the order it was queued.
      return rows.map(toMessage).sort((a, b) => a.created_at.getTime() - b.created_at.getTime());
    },

    async renew(id, owner, { leaseMs, now }) {
      const until = new Date(now.getTime() + leaseMs);
      // One UPDATE: on PostgreSQL it takes the row lock, so it either runs before a concurrent
      // claim (which then re-reads the row, finds it not due and leaves it) or after it (and
      // finds another owner); SQLite runs writes one at a time.
      const result = await leased(db, id, owner)
        .where('lease_expires_at', '>', now)
        .set({ lease_expires_at: until, next_attempt_at: until, updated_at: now })
        .executeTakeFirst();
      return settlement(result.numUpdatedRows);
    },

    async markSent(id, owner, channel, now) {
      return db.transaction().execute(async (trx) => {
        const result = await leased(trx, id, owner)
          .set({ status: 'sent', channel, lease_owner: null, lease_expires_at: null, updated_at: now })
          .executeTakeFirst();
        // The message went out either way; the dispatch says so even if the lease was lost.
        await addDispatch(trx, id, null, now);
        return settlement(result.numUpdatedRows);
      });
    },

    async recordFailure(id, owner, { error, retryAt, now }) {
      return db.transaction().execute(async (trx) => {
        const result = await leased(trx, id, owner)
          .set({
            status: retryAt === null ? 'abandoned' : 'queued',
            next_attempt_at: retryAt ?? now,
            lease_owner: null,
            lease_expires_at: null,
            updated_at: now,
          })
          .executeTakeFirst();
        await addDispatch(trx, id, error, now);
        return settlement(result.numUpdatedRows);
      });
    },

    async release(id, owner, { refund, now }) {
      const result = await leased(db, id, owner)
        .set((eb) => ({
          status: 'queued',
          next_attempt_at: now,
          lease_owner: null,
          lease_expires_at: null,
          updated_at: now,
          ...(refund ? { send_count: eb('send_count', '-', 1) } : {}),
        }))
        .executeTakeFirst();
      return settlement(result.numUpdatedRows);
    },

    async list(query) {
      // Kratos's keyset order: created_at DESC, then id ASC among messages created at once.
      let q = db
        .selectFrom('courier_messages')
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('id', 'asc')
        .limit(query.pageSize + 1);
      if (query.status !== undefined) q = q.where('status', '=', query.status);
      if (query.recipient !== undefined) q = q.where('recipient', '=', query.recipient);
      if (query.pageToken !== undefined) {
        const cursor = decodeNewestFirstToken(query.pageToken);
        q = q.where((eb) =>
          eb.or([
            eb('created_at', '<', cursor.createdAt),
            eb.and([eb('created_at', '=', cursor.createdAt), eb('id', '>', cursor.id)]),
          ]),
        );
      }
      const rows = (await q.execute()).map(toMessage);
      const messages = rows.slice(0, query.pageSize);
      const last = messages.at(-1);
      return rows.length > query.pageSize && last !== undefined
        ? { messages, nextPageToken: encodeNewestFirstToken(last) }
        : { messages };
    },

    async get(id) {
      const key = uuidKey(id);
      if (key === undefined) return undefined;
      const row = await db
        .selectFrom('courier_messages')
        .selectAll()
        .where('id', '=', key)
        .executeTakeFirst();
      if (!row) return undefined;
      const dispatches = await db
        .selectFrom('courier_message_dispatches')
        .selectAll()
        .where('message_id', '=', id)
        // Newest first, as Kratos's has_many relation (`order_by:"created_at desc"`).
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .execute();
      return { ...toMessage(row), dispatches: dispatches.map(toDispatch) };
    },
  };
}
