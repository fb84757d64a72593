import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSecretCipher } from '../../kernel/cipher.js';
import { expectLeaseRenewal } from '../../kernel/testing/lease-renewal.js';
import type { Database } from '../../persistence/database.js';
import { testEngines } from '../../persistence/testing/engines.js';
import type { NewDelivery } from './model.js';
import { createDeliveryStore, type DeliveryStore } from './store.js';

const cipher = createSecretCipher([], ['a-test-secret-that-is-long-enough']);

const T0 = new Date('2026-06-01T12:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const LEASE = 60_000;

function newDelivery(overrides: Partial<NewDelivery> = {}): NewDelivery & { id: string } {
  return {
    id: randomUUID(),
    url: 'https://hooks.example.com/signup?token=s3cret',
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Basic dTpw' },
    body: '{"traits":{"email":"ada@example.com"}}',
    name: 'registration.after.password.hooks[0]',
    ...overrides,
  };
}

describe.each(testEngines())('web hook delivery store contract ($name)', (engine) => {
  let database: Database & { drop(): Promise<void> };
  let store: DeliveryStore;

  beforeAll(async () => {
    database = await engine.open();
    // These tests move time by the `now` they pass, which on PostgreSQL needs the caller's clock
    // for leases (on SQLite it is the database's anyway). The database's clock, which production
    // uses, is tested in src/persistence/lease-queue.test.ts.
    store = createDeliveryStore(database.db, database.engine, cipher, { leaseClock: 'caller' });
  });
  beforeEach(async () => {
    await database.db.deleteFrom('webhook_deliveries').execute();
  });
  afterAll(async () => {
    await database.drop();
  });

  async function queue(n: number, time = T0): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const delivery = newDelivery();
      await store.insert(database.db, delivery, time);
      ids.push(delivery.id);
    }
    return ids;
  }

  it('queues a delivery and reads it back', async () => {
    const delivery = newDelivery({ body: null, method: 'GET' });
    await store.insert(database.db, delivery, T0);
    expect(await store.get(delivery.id)).toEqual({
      ...delivery,
      status: 'queued',
      attempts: 0,
      next_attempt_at: T0,
      lease_owner: null,
      lease_expires_at: null,
      last_error: null,
      created_at: T0,
      updated_at: T0,
    });
    expect(await store.get(randomUUID())).toBeUndefined();
    expect(await store.get('not-a-uuid')).toBeUndefined();
  });

  it('stores headers sealed: the row holds no credential, and reads back the same headers', async () => {
    const delivery = newDelivery();
    await store.insert(database.db, delivery, T0);
    const row = await database.db
      .selectFrom('webhook_deliveries')
      .select('headers')
      .where('id', '=', delivery.id)
      .executeTakeFirstOrThrow();
    const stored = typeof row.headers === 'string' ? row.headers : JSON.stringify(row.headers);
    expect(stored).not.toContain('dTpw');
    expect(stored).not.toContain('authorization');
    expect((await store.get(delivery.id))?.headers).toEqual(delivery.headers);
    // Another key cannot open them.
    const stranger = createDeliveryStore(
      database.db,
      database.engine,
      createSecretCipher([], ['another-secret-that-is-long-enough']),
    );
    await expect(stranger.get(delivery.id)).rejects.toThrow();
  });

  it('stores bodies sealed: the row holds no trait, and reads back the same body', async () => {
    const delivery = newDelivery();
    await store.insert(database.db, delivery, T0);
    const row = await database.db
      .selectFrom('webhook_deliveries')
      .select('body')
      .where('id', '=', delivery.id)
      .executeTakeFirstOrThrow();
    expect(row.body).not.toContain('ada@example.com');
    expect((await store.get(delivery.id))?.body).toBe(delivery.body);
    const bodiless = newDelivery({ body: null, method: 'GET' });
    await store.insert(database.db, bodiless, T0);
    expect((await store.get(bodiless.id))?.body).toBeNull();
  });

  it('reads a body queued before bodies were sealed as it was stored', async () => {
    const delivery = newDelivery();
    await store.insert(database.db, delivery, T0);
    await database.db
      .updateTable('webhook_deliveries')
      .set({ body: delivery.body })
      .where('id', '=', delivery.id)
      .execute();
    expect((await store.get(delivery.id))?.body).toBe(delivery.body);
  });

  it('writes nothing when the transaction that queued it rolls back', async () => {
    const delivery = newDelivery();
    await expect(
      database.db.transaction().execute(async (trx) => {
        await store.insert(trx, delivery, T0);
        throw new Error('the registration failed');
      }),
    ).rejects.toThrow('failed');
    expect(await store.get(delivery.id)).toBeUndefined();
  });

  it('claims due deliveries under a lease, counting an attempt, oldest first', async () => {
    const [first] = await queue(1, T0);
    const [second] = await queue(1, at(1));
    await queue(1, at(10_000));
    const claimed = await store.claim({ owner: 'w1', limit: 10, leaseMs: LEASE, now: at(5) });
    expect(claimed.map((d) => d.id)).toEqual([first, second]);
    expect(claimed[0]).toMatchObject({
      status: 'processing',
      attempts: 1,
      lease_owner: 'w1',
      lease_expires_at: at(5 + LEASE),
      next_attempt_at: at(5 + LEASE),
      updated_at: at(5),
    });
    // Leased rows are not due for anyone else until the lease runs out.
    expect(await store.claim({ owner: 'w2', limit: 10, leaseMs: LEASE, now: at(6) })).toEqual([]);
  });

  it('honours the claim limit', async () => {
    await queue(5);
    expect(await store.claim({ owner: 'w1', limit: 3, leaseMs: LEASE, now: T0 })).toHaveLength(3);
    expect(await store.claim({ owner: 'w2', limit: 3, leaseMs: LEASE, now: T0 })).toHaveLength(2);
  });

  it('picks a delivery up again when its lease expired (a crashed worker)', async () => {
    const [id] = await queue(1);
    await store.claim({ owner: 'dead', limit: 10, leaseMs: LEASE, now: T0 });
    expect(await store.claim({ owner: 'w2', limit: 10, leaseMs: LEASE, now: at(LEASE - 1) })).toEqual([]);
    const again = await store.claim({ owner: 'w2', limit: 10, leaseMs: LEASE, now: at(LEASE) });
    expect(again).toMatchObject([{ id, attempts: 2, lease_owner: 'w2' }]);
    // The dead worker's late outcome no longer counts.
    expect(await store.markDelivered(id!, 'dead', at(LEASE + 1))).toBe('lease_lost');
    expect(await store.recordFailure(id!, 'dead', { error: 'x', retryAt: null, now: at(LEASE + 1) })).toBe(
      'lease_lost',
    );
    expect((await store.get(id!))?.status).toBe('processing');
    expect(await store.markDelivered(id!, 'w2', at(LEASE + 2))).toBe('settled');
  });

  it('renews an unexpired lease for its owner only, so no claim takes the delivery meanwhile', () =>
    expectLeaseRenewal({
      queue: store,
      enqueueOne: async (t0) => (await queue(1, t0))[0]!,
      settle: (id, owner, now) => store.markDelivered(id, owner, now),
      read: async (id) => (await store.get(id))!,
    }));

  it('marks a leased delivery delivered', async () => {
    const [id] = await queue(1);
    await store.claim({ owner: 'w1', limit: 1, leaseMs: LEASE, now: T0 });
    expect(await store.markDelivered(id!, 'w1', at(100))).toBe('settled');
    expect(await store.get(id!)).toMatchObject({
      status: 'delivered',
      attempts: 1,
      lease_owner: null,
      lease_expires_at: null,
      updated_at: at(100),
    });
    expect(await store.claim({ owner: 'w1', limit: 10, leaseMs: LEASE, now: at(10 * LEASE) })).toEqual([]);
  });

  it('queues a failed delivery again at retryAt, with a short reason', async () => {
    const [id] = await queue(1);
    await store.claim({ owner: 'w1', limit: 1, leaseMs: LEASE, now: T0 });
    const settled = await store.recordFailure(id!, 'w1', {
      error: `status 503 ${'x'.repeat(1000)}`,
      retryAt: at(15_000),
      now: at(100),
    });
    expect(settled).toBe('settled');
    const stored = await store.get(id!);
    expect(stored).toMatchObject({ status: 'queued', next_attempt_at: at(15_000), lease_owner: null });
    expect(stored?.last_error?.startsWith('status 503')).toBe(true);
    expect(stored?.last_error?.length).toBe(255);
    expect(await store.claim({ owner: 'w1', limit: 1, leaseMs: LEASE, now: at(14_999) })).toEqual([]);
    expect(await store.claim({ owner: 'w1', limit: 1, leaseMs: LEASE, now: at(15_000) })).toMatchObject([
      { id, attempts: 2 },
    ]);
  });

  it('abandons a failed delivery when there is no retry', async () => {
    const [id] = await queue(1);
    await store.claim({ owner: 'w1', limit: 1, leaseMs: LEASE, now: T0 });
    await store.recordFailure(id!, 'w1', { error: 'status 400', retryAt: null, now: at(1) });
    expect(await store.get(id!)).toMatchObject({ status: 'abandoned', last_error: 'status 400' });
    expect(await store.claim({ owner: 'w1', limit: 10, leaseMs: LEASE, now: at(10 * LEASE) })).toEqual([]);
  });

  it('gives a leased delivery back, refunding the attempt when asked', async () => {
    const [id] = await queue(1);
    await store.claim({ owner: 'w1', limit: 1, leaseMs: LEASE, now: T0 });
    expect(await store.release(id!, 'w2', { refund: true, now: at(1) })).toBe('lease_lost');
    expect(await store.release(id!, 'w1', { refund: true, now: at(1) })).toBe('settled');
    expect(await store.get(id!)).toMatchObject({ status: 'queued', attempts: 0, next_attempt_at: at(1) });
    await store.claim({ owner: 'w1', limit: 1, leaseMs: LEASE, now: at(2) });
    await store.release(id!, 'w1', { refund: false, now: at(3) });
    expect(await store.get(id!)).toMatchObject({ status: 'queued', attempts: 1 });
  });

  it('never leases one delivery to two concurrent claimers', async () => {
    const ids = await queue(20);
    const claims = await Promise.all(
      Array.from({ length: 4 }, (_, i) => store.claim({ owner: `w${i}`, limit: 8, leaseMs: LEASE, now: T0 })),
    );
    const claimed = claims.flat().map((d) => d.id);
    expect(new Set(claimed).size).toBe(claimed.length);
    expect([...claimed].sort()).toEqual([...ids].sort());
  });
});
