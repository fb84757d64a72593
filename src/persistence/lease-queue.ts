import {
  type Expression,
  expressionBuilder,
  type Kysely,
  type RawBuilder,
  type Selectable,
  type SqlBool,
  sql,
  type UpdateResult,
} from 'kysely';
import type { LeaseSettlement } from '../kernel/leased-worker.js';
import type { Engine } from './migrations/column-types.js';
import { toDate } from './row-codec.js';
import type { NullableTimestamp, Tables, Timestamp } from './tables.js';

/**
 * The columns of an outbox table that this module reads and writes: the courier's messages
 * and the web hook deliveries are both queues of items leased to one worker at a time.
 */
export interface LeaseColumns {
  id: string;
  /** `queued`, `processing` (leased) or a table's own final states. */
  status: string;
  /** When a queued item is due; while it is processing, when its lease runs out. */
  next_attempt_at: Timestamp;
  lease_owner: string | null;
  lease_expires_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** The tables that are lease queues: every table with the lease columns. */
export type LeaseQueueTable = {
  [T in keyof Tables]: Tables[T] extends LeaseColumns ? T : never;
}[keyof Tables];

/** The numeric columns of `T`, one of which counts its attempts. */
export type CounterColumn<T extends LeaseQueueTable> = {
  [C in keyof Tables[T]]: Tables[T][C] extends number ? C : never;
}[keyof Tables[T]] &
  string;

/**
 * Whose clock says when a lease runs out and when an item is due.
 *
 * - `database` (the default): the database's. On PostgreSQL every such time is computed in the
 *   statement from `now()`, so workers on hosts whose clocks disagree still agree on who holds
 *   a lease: a worker whose clock runs late cannot write a lease that has already run out for
 *   the others, and one whose clock runs early cannot take a lease over before it ends. SQLite
 *   runs in the worker's process, and only processes on one host can share its file (its
 *   locking does not work over network file systems), so its clock is that host's, the clock
 *   the `now` each call passes is read from: there that `now` is the database's clock. (SQLite's
 *   CURRENT_TIMESTAMP reads the same clock, in a text format the ISO timestamps stored here do
 *   not compare with.)
 * - `caller`: the `now` each call passes, on every engine. For tests that move time on
 *   PostgreSQL; with several hosts it needs their clocks in sync.
 */
export type LeaseClock = 'database' | 'caller';

/** What a store built on a lease queue lets its caller choose. */
export interface LeaseQueueOptions {
  /** Whose clock leases are timed by: the database's unless a test moves time (`caller`). */
  leaseClock?: LeaseClock;
}

/** A time a statement writes or compares with: bound from the caller, or computed by the database. */
export type LeaseInstant = Date | RawBuilder<Date>;

export interface LeaseQueueSpec<T extends LeaseQueueTable> {
  table: T;
  /** The column that counts attempts (Kratos's `send_count` on courier messages). */
  attempts: CounterColumn<T>;
  clock?: LeaseClock;
}

/** Leases up to `limit` due items to `owner` for `leaseMs`, counting an attempt on each. */
export interface ClaimOptions {
  owner: string;
  limit: number;
  leaseMs: number;
  now: Date;
}

/**
 * The lease protocol of one outbox table. Claims, renewals and releases are whole statements
 * here; a settling write (sent, delivered, failed) also records what only its table has, so
 * the store writes it, under `heldBy` and with the lease columns from `finished`/`failed`.
 * Every `now` is the caller's clock: where the database's clock is used, only the offsets
 * from it (a lease's length, a retry's delay) are taken.
 */
export interface LeaseQueue<T extends LeaseQueueTable> {
  /**
   * Leases up to `limit` due items to `owner` until "now" + `leaseMs`, oldest first. Due:
   * queued and past `next_attempt_at`, or processing with an expired lease.
   */
  claim(options: ClaimOptions): Promise<Selectable<Tables[T]>[]>;
  /** Extends to "now" + `leaseMs` a lease `owner` still holds and that has not run out. */
  renew(id: string, owner: string, options: { leaseMs: number; now: Date }): Promise<LeaseSettlement>;
  /** Gives a leased item back, due now; `refund` takes back the attempt its claim counted. */
  release(id: string, owner: string, options: { refund: boolean; now: Date }): Promise<LeaseSettlement>;
  /** The condition of every write after the claim: `owner` still holds the lease on item `id`. */
  heldBy(id: string, owner: string): Expression<SqlBool>;
  /** The lease columns of a write that ends the item as `status`. */
  finished<S extends string>(status: S, now: Date): LetGo & { status: S };
  /** The lease columns of a failed attempt: queued again at `retryAt`, or abandoned (null). */
  failed(
    retryAt: Date | null,
    now: Date,
  ): LetGo & { status: 'queued' | 'abandoned'; next_attempt_at: LeaseInstant };
  /** The lease columns of a new item: queued, due now by the lease clock. */
  queued(now: Date): {
    status: 'queued';
    next_attempt_at: LeaseInstant;
    lease_owner: null;
    lease_expires_at: null;
  };
}

/** The lease columns of a write that lets go of a lease (`updated_at` by the lease clock too). */
export interface LetGo {
  lease_owner: null;
  lease_expires_at: null;
  updated_at: LeaseInstant;
}

/** A settling write's outcome: it still held the lease, or another worker owns the item now. */
export function leaseSettlement(result: UpdateResult): LeaseSettlement {
  return result.numUpdatedRows > 0n ? 'settled' : 'lease_lost';
}

/** What this module sees of the database: the lease-queue tables, by their lease columns. */
type LeaseQueueDb = Record<LeaseQueueTable, LeaseColumns>;

/** "Now" plus `offsetMs` by the lease clock, given the caller's reading of "now". */
type Instants = (now: Date, offsetMs?: number) => LeaseInstant;

function instantsFor(engine: Engine, clock: LeaseClock): Instants {
  if (engine === 'postgres' && clock === 'database') {
    // `now()` is the transaction's start: the claim's select and update agree on it.
    return (_now, offsetMs = 0) =>
      offsetMs === 0 ? sql<Date>`now()` : sql<Date>`now() + make_interval(secs => ${offsetMs / 1000})`;
  }
  return (now, offsetMs = 0) => new Date(now.getTime() + offsetMs);
}

export function createLeaseQueue<T extends LeaseQueueTable>(
  tables: Kysely<Tables>,
  engine: Engine,
  spec: LeaseQueueSpec<T>,
): LeaseQueue<T> {
  // Kysely cannot type a query on a generic table, so this module queries a view of the
  // database with only the lease columns, alike in every lease-queue table. The view is a
  // narrowing (every table in it has those columns and more), but Kysely's types are invariant
  // in the database type, hence the cast.
  const db = tables as unknown as Kysely<LeaseQueueDb>;
  const table: LeaseQueueTable = spec.table;
  const at = instantsFor(engine, spec.clock ?? 'database');
  /** The attempt counter, which only the table's own type names: set through a reference. */
  const attempts = sql.ref(spec.attempts);
  const letGo = (now: Date): LetGo => ({ lease_owner: null, lease_expires_at: null, updated_at: at(now) });

  function heldBy(id: string, owner: string): Expression<SqlBool> {
    const eb = expressionBuilder<LeaseQueueDb, LeaseQueueTable>();
    return eb.and([eb('id', '=', id), eb('status', '=', 'processing'), eb('lease_owner', '=', owner)]);
  }

  /** An update of an item `owner` still leases. */
  const held = (id: string, owner: string) => db.updateTable(table).where(heldBy(id, owner));

  async function claimRows({
    owner,
    limit,
    leaseMs,
    now,
  }: ClaimOptions): Promise<Selectable<LeaseColumns>[]> {
    // A processing item's next_attempt_at is its lease expiry, so "due" is one index range for
    // fresh and stranded items alike.
    const due = (executor: Kysely<LeaseQueueDb>) =>
      executor
        .selectFrom(table)
        .select('id')
        .where('status', 'in', ['queued', 'processing'])
        .where('next_attempt_at', '<=', at(now))
        .orderBy('next_attempt_at')
        .limit(limit);
    const lease = (executor: Kysely<LeaseQueueDb>) =>
      executor
        .updateTable(table)
        .set({
          status: 'processing',
          lease_owner: owner,
          lease_expires_at: at(now, leaseMs),
          next_attempt_at: at(now, leaseMs),
          updated_at: at(now),
        })
        .set(attempts, sql<number>`${attempts} + 1`);
    if (engine === 'postgres') {
      // Rows another worker is claiming right now are skipped, not waited for: replicas share
      // the queue without ever leasing one item twice.
      return db.transaction().execute(async (trx) => {
        const ids = (await due(trx).forUpdate().skipLocked().execute()).map((r) => r.id);
        if (ids.length === 0) return [];
        return lease(trx).where('id', 'in', ids).returningAll().execute();
      });
    }
    // SQLite has one writer at a time and a write statement takes the write lock before it
    // reads, so one conditional UPDATE is atomic across processes.
    return lease(db).where('id', 'in', due(db)).returningAll().execute();
  }

  return {
    async claim(options) {
      const rows = await claimRows(options);
      // Oldest first, so a batch goes out in the order it was queued.
      rows.sort((a, b) => toDate(a.created_at).getTime() - toDate(b.created_at).getTime());
      // `returning *` gives whole rows of `table`; Kysely types them only by the lease columns
      // this module's view of the table has, as it cannot type a query on a generic table.
      return rows as Selectable<Tables[T]>[];
    },

    async renew(id, owner, { leaseMs, now }) {
      // One UPDATE: on PostgreSQL it takes the row lock, so it either runs before a concurrent
      // claim (which then re-reads the row, finds it not due and leaves it) or after it (and
      // finds another owner); SQLite runs writes one at a time.
      const result = await held(id, owner)
        .where('lease_expires_at', '>', at(now))
        .set({ lease_expires_at: at(now, leaseMs), next_attempt_at: at(now, leaseMs), updated_at: at(now) })
        .executeTakeFirst();
      return leaseSettlement(result);
    },

    async release(id, owner, { refund, now }) {
      const result = await held(id, owner)
        .set({ ...letGo(now), status: 'queued', next_attempt_at: at(now) })
        .$if(refund, (update) => update.set(attempts, sql<number>`${attempts} - 1`))
        .executeTakeFirst();
      return leaseSettlement(result);
    },

    heldBy,
    finished: (status, now) => ({ ...letGo(now), status }),
    failed: (retryAt, now) => ({
      ...letGo(now),
      status: retryAt === null ? 'abandoned' : 'queued',
      // The caller's retry time is a delay from its own "now": the same delay by the lease clock.
      next_attempt_at: retryAt === null ? at(now) : at(now, retryAt.getTime() - now.getTime()),
    }),
    queued: (now) => ({
      status: 'queued',
      next_attempt_at: at(now),
      lease_owner: null,
      lease_expires_at: null,
    }),
  };
}
