import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectLeaseRenewal } from '../kernel/testing/lease-renewal.js';
import type { Database } from '../persistence/database.js';
import { testEngines } from '../persistence/testing/engines.js';
import { createMessageStore, type MessageStore, type NewMessage } from './message-store.js';
import type { DispatchError } from './model.js';

const T0 = new Date('2026-06-01T12:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const LEASE = 60_000;

function newMessage(overrides: Partial<NewMessage> = {}): NewMessage {
  return {
    id: randomUUID(),
    recipient: 'ada@example.com',
    subject: 'Please verify your email address',
    body: 'Your code is 123456',
    html_body: '<p>Your code is <b>123456</b></p>',
    template_type: 'verification_code_valid',
    template_data: { to: 'ada@example.com', verification_code: '123456' },
    ...overrides,
  };
}

const transient: DispatchError = { code: 'ECONNECTION', message: 'connection refused', permanent: false };

describe.each(testEngines())('courier message store contract ($name)', (engine) => {
  let database: Database & { drop(): Promise<void> };
  let store: MessageStore;

  beforeAll(async () => {
    database = await engine.open();
    // These tests move time by the `now` they pass, which on PostgreSQL needs the caller's clock
    // for leases (on SQLite it is the database's anyway). The database's clock, which production
    // uses, is tested in src/persistence/lease-queue.test.ts.
    store = createMessageStore(database.db, database.engine, { leaseClock: 'caller' });
  });
  beforeEach(async () => {
    await database.db.deleteFrom('courier_messages').execute();
  });
  afterAll(async () => {
    await database.drop();
  });

  async function queue(n: number, time = T0, overrides: Partial<NewMessage> = {}): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const message = newMessage(overrides);
      await store.insert(database.db, message, time);
      ids.push(message.id);
    }
    return ids;
  }

  it('queues a message and reads it back with no dispatches', async () => {
    const message = newMessage();
    await store.insert(database.db, message, T0);
    expect(await store.get(message.id)).toEqual({
      ...message,
      type: 'email',
      status: 'queued',
      channel: null,
      send_count: 0,
      next_attempt_at: T0,
      lease_owner: null,
      lease_expires_at: null,
      created_at: T0,
      updated_at: T0,
      dispatches: [],
    });
    expect(await store.get(randomUUID())).toBeUndefined();
    expect(await store.get('not-a-uuid')).toBeUndefined();
  });

  it('writes nothing when the transaction that queued the message rolls back', async () => {
    const message = newMessage();
    await expect(
      database.db.transaction().execute(async (trx) => {
        await store.insert(trx, message, T0);
        throw new Error('the change that caused the message failed');
      }),
    ).rejects.toThrow('failed');
    expect(await store.get(message.id)).toBeUndefined();
  });

  it('leases due messages once, counting an attempt, and leaves future ones', async () => {
    const [due] = await queue(1, T0);
    await queue(1, at(5_000));
    const claimed = await store.claim({ owner: 'w1', limit: 10, leaseMs: LEASE, now: at(1_000) });
    expect(claimed.map((m) => m.id)).toEqual([due]);
    expect(claimed[0]).toMatchObject({
      status: 'processing',
      send_count: 1,
      lease_owner: 'w1',
      lease_expires_at: at(61_000),
      next_attempt_at: at(61_000),
    });
    expect(await store.claim({ owner: 'w2', limit: 10, leaseMs: LEASE, now: at(2_000) })).toEqual([]);
  });

  it('hands a message whose lease expired to another worker, and only that one may settle it', async () => {
    const [id] = await queue(1);
    await store.claim({ owner: 'crashed', limit: 1, leaseMs: LEASE, now: T0 });
    expect(await store.claim({ owner: 'w2', limit: 1, leaseMs: LEASE, now: at(59_999) })).toEqual([]);
    const [again] = await store.claim({ owner: 'w2', limit: 1, leaseMs: LEASE, now: at(60_000) });
    expect(again).toMatchObject({ id, send_count: 2, lease_owner: 'w2' });

    expect(await store.markSent(id!, 'crashed', 'smtp', at(60_100))).toBe('lease_lost');
    expect(await store.markSent(id!, 'w2', 'smtp', at(60_200))).toBe('settled');
    const sent = await store.get(id!);
    expect(sent).toMatchObject({ status: 'sent', channel: 'smtp', lease_owner: null, send_count: 2 });
    // The late worker's send really happened, so both dispatches are on record.
    expect(sent?.dispatches.map((d) => d.status)).toEqual(['success', 'success']);
    expect(await store.claim({ owner: 'w3', limit: 1, leaseMs: LEASE, now: at(999_999) })).toEqual([]);
  });

  it('renews an unexpired lease for its owner only, so no claim takes the message meanwhile', () =>
    expectLeaseRenewal({
      queue: store,
      enqueueOne: async (t0) => (await queue(1, t0))[0]!,
      settle: (id, owner, now) => store.markSent(id, owner, 'smtp', now),
      read: async (id) => {
        const message = await store.get(id);
        return { ...message!, attempts: message!.send_count };
      },
    }));

  it('lets either a renewal or a claim win a message, never both', async () => {
    const ids = await queue(20);
    await store.claim({ owner: 'w1', limit: 20, leaseMs: LEASE, now: T0 });
    // Just before expiry by w1's clock, at expiry by w2's: both writes are allowed to succeed
    // on their own; racing, exactly one must.
    const renew = (id: string) => store.renew(id, 'w1', { leaseMs: LEASE, now: at(LEASE - 1) });
    // Half the renewals are sent before the claim, half after.
    const early = ids.slice(0, 10).map(renew);
    const claiming = store.claim({ owner: 'w2', limit: 20, leaseMs: LEASE, now: at(LEASE) });
    const late = ids.slice(10).map(renew);
    const [claimed, renewals] = await Promise.all([claiming, Promise.all([...early, ...late])]);
    const takenByW2 = new Set(claimed.map((m) => m.id));
    for (const [i, id] of ids.entries()) {
      expect([id, renewals[i]]).toEqual([id, takenByW2.has(id) ? 'lease_lost' : 'settled']);
      const message = await store.get(id);
      expect(message?.lease_owner).toBe(takenByW2.has(id) ? 'w2' : 'w1');
    }
  });

  it('queues a failed message again at its retry time, or abandons it', async () => {
    const [id] = await queue(1);
    await store.claim({ owner: 'w1', limit: 1, leaseMs: LEASE, now: T0 });
    expect(
      await store.recordFailure(id!, 'w1', { error: transient, retryAt: at(10_000), now: at(100) }),
    ).toBe('settled');
    expect(await store.get(id!)).toMatchObject({
      status: 'queued',
      next_attempt_at: at(10_000),
      send_count: 1,
    });
    expect(await store.claim({ owner: 'w1', limit: 1, leaseMs: LEASE, now: at(9_999) })).toEqual([]);
    expect(await store.claim({ owner: 'w1', limit: 1, leaseMs: LEASE, now: at(10_000) })).toHaveLength(1);

    const permanent: DispatchError = {
      code: 'EENVELOPE',
      message: '550',
      response_code: 550,
      permanent: true,
    };
    await store.recordFailure(id!, 'w1', { error: permanent, retryAt: null, now: at(10_100) });
    const abandoned = await store.get(id!);
    expect(abandoned).toMatchObject({ status: 'abandoned', send_count: 2, lease_owner: null });
    // Newest first, as Kratos loads them (`order_by:"created_at desc"`).
    expect(abandoned?.dispatches.map((d) => [d.status, d.error])).toEqual([
      ['failed', permanent],
      ['failed', transient],
    ]);
    expect(await store.claim({ owner: 'w1', limit: 1, leaseMs: LEASE, now: at(999_999) })).toEqual([]);
    expect(await store.recordFailure(id!, 'w1', { error: transient, retryAt: null, now: at(1) })).toBe(
      'lease_lost',
    );
  });

  it('gives a message back on release, with or without its attempt', async () => {
    const [id] = await queue(1);
    await store.claim({ owner: 'w1', limit: 1, leaseMs: LEASE, now: T0 });
    expect(await store.release(id!, 'w2', { refund: true, now: at(1) })).toBe('lease_lost');
    expect(await store.release(id!, 'w1', { refund: true, now: at(1) })).toBe('settled');
    expect(await store.get(id!)).toMatchObject({ status: 'queued', send_count: 0, next_attempt_at: at(1) });
    await store.claim({ owner: 'w1', limit: 1, leaseMs: LEASE, now: at(2) });
    await store.release(id!, 'w1', { refund: false, now: at(3) });
    expect(await store.get(id!)).toMatchObject({ status: 'queued', send_count: 1 });
  });

  it('never leases one message to two workers claiming at once', async () => {
    const ids = await queue(30);
    const batches = await Promise.all(
      ['a', 'b', 'c', 'd'].map((owner) => store.claim({ owner, limit: 10, leaseMs: LEASE, now: at(1) })),
    );
    const claimed = batches.flat().map((m) => m.id);
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(claimed.sort()).toEqual([...ids].sort());
  });

  it('lists newest first in keyset pages, filtered by status and recipient', async () => {
    const older = await queue(3, T0, { recipient: 'grace@example.com' });
    const newer = await queue(2, at(1_000), { recipient: 'ada@example.com' });
    const [claimed] = await store.claim({ owner: 'w1', limit: 1, leaseMs: LEASE, now: at(500) });
    await store.markSent(claimed!.id, 'w1', 'inbox', at(600));

    const seen: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await store.list({ pageSize: 2, pageToken });
      seen.push(...page.messages.map((m) => m.id));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen).toHaveLength(5);
    // Messages created at the same instant come by id, ascending (Kratos: created_at DESC, id ASC),
    // across page boundaries too.
    expect(seen.slice(0, 2)).toEqual([...newer].sort());
    expect(seen.slice(2)).toEqual([...older].sort());

    const byRecipient = await store.list({ recipient: 'grace@example.com', pageSize: 10 });
    expect(byRecipient.messages.map((m) => m.id).sort()).toEqual([...older].sort());
    expect(byRecipient.nextPageToken).toBeUndefined();
    const sent = await store.list({ status: 'sent', pageSize: 10 });
    expect(sent.messages.map((m) => [m.id, m.channel])).toEqual([[claimed!.id, 'inbox']]);
    await expect(store.list({ pageSize: 2, pageToken: 'garbage' })).rejects.toMatchObject({ code: 400 });
  });
});
