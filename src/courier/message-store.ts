import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable, UpdateObject } from 'kysely';
import type { LeaseSettlement } from '../kernel/leased-worker.js';
import { createLeaseQueue, type LeaseQueueOptions, leaseSettlement } from '../persistence/lease-queue.js';
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
  MessageType,
} from './model.js';

/** What queueing writes; the store fills in status, counters and timestamps. */
export interface NewMessage {
  id: string;
  /** `email` when not given. */
  type?: MessageType;
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

/**
 * The courier's outbox. Every write after the claim is conditional on holding the lease.
 * Lease times (and when a message is due) follow the database's clock, so hosts whose clocks
 * disagree agree on who holds a lease: on PostgreSQL they are computed from `now()`, taking
 * only offsets (a lease's length, a retry's delay) from the `now` passed in; SQLite runs in
 * process, where the `now` passed in is the clock (see `LeaseClock`, persistence/lease-queue.ts).
 */
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
    // Rows written before SMS existed all say 'email'.
    type: row.type === 'sms' ? 'sms' : 'email',
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

export function createMessageStore(
  db: Kysely<Tables>,
  engine: Engine,
  options: LeaseQueueOptions = {},
): MessageStore {
  const queue = createLeaseQueue(db, engine, {
    table: 'courier_messages',
    attempts: 'send_count',
    clock: options.leaseClock,
  });

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

  /** A settling write on a message `owner` still leases, with the dispatch it made, in one transaction. */
  function settle(
    id: string,
    owner: string,
    values: UpdateObject<Tables, 'courier_messages'>,
    dispatch: { error: DispatchError | null; now: Date },
  ): Promise<Settlement> {
    return db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('courier_messages')
        .where(queue.heldBy(id, owner))
        .set(values)
        .executeTakeFirst();
      // The attempt happened either way; the dispatch says so even if the lease was lost.
      await addDispatch(trx, id, dispatch.error, dispatch.now);
      return leaseSettlement(result);
    });
  }

  return {
    async insert(executor, message, now) {
      await executor
        .insertInto('courier_messages')
        .values({
          ...message,
          template_data: toJsonOrNull(message.template_data ?? null),
          ...queue.queued(now),
          type: message.type ?? 'email',
          channel: null,
          send_count: 0,
          created_at: now,
          updated_at: now,
        })
        .execute();
    },

    async claim(options) {
      return (await queue.claim(options)).map(toMessage);
    },

    renew: queue.renew,

    markSent: (id, owner, channel, now) =>
      settle(id, owner, { ...queue.finished('sent', now), channel }, { error: null, now }),

    recordFailure: (id, owner, { error, retryAt, now }) =>
      settle(id, owner, queue.failed(retryAt, now), { error, now }),

    release: queue.release,

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
