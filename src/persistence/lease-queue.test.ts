import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMessageStore } from '../courier/message-store.js';
import { createSecretCipher } from '../kernel/cipher.js';
import type { LeasedQueue, LeaseSettlement } from '../kernel/leased-worker.js';
import { createDeliveryStore } from '../webhooks/outbox/store.js';
import type { Database } from './database.js';
import { testEngines } from './testing/engines.js';

/** What these tests see of an item, whichever outbox it is in. */
interface Item {
  readonly id: string;
  status: string;
  attempts: number;
  lease_owner: string | null;
  lease_expires_at: Date | null;
  next_attempt_at: Date;
}

/** One outbox's store, as production builds it (lease times by the database's clock). */
interface Outbox {
  queue: LeasedQueue<Item>;
  enqueue(now: Date): Promise<string>;
  fail(id: string, owner: string, failure: { retryAt: Date | null; now: Date }): Promise<LeaseSettlement>;
  read(id: string): Promise<Item>;
}

const OUTBOXES: Array<{ name: string; open(database: Database): Outbox }> = [
  {
    name: 'courier messages',
    open({ db, engine }) {
      const store = createMessageStore(db, engine);
      const read = async (id: string) => {
        const message = await store.get(id);
        if (message === undefined) throw new Error(`no message ${id}`);
        return { ...message, attempts: message.send_count };
      };
      return {
        queue: {
          claim: async (options) =>
            (await store.claim(options)).map((m) => ({ ...m, attempts: m.send_count })),
          renew: (id, owner, options) => store.renew(id, owner, options),
          release: (id, owner, options) => store.release(id, owner, options),
        },
        async enqueue(now) {
          const id = randomUUID();
          const message = { id, recipient: 'ada@example.com', subject: 's', body: 'b', html_body: null };
          await store.insert(db, { ...message, template_type: 'verification_code_valid' }, now);
          return id;
        },
        fail: (id, owner, { retryAt, now }) =>
          store.recordFailure(id, owner, {
            error: { code: 'ECONNECTION', message: 'refused', permanent: false },
            retryAt,
            now,
          }),
        read,
      };
    },
  },
  {
    name: 'web hook deliveries',
    open({ db, engine }) {
      const store = createDeliveryStore(
        db,
        engine,
        createSecretCipher([], ['a-test-secret-that-is-long-enough']),
      );
      return {
        queue: store,
        async enqueue(now) {
          const id = randomUUID();
          const call = { url: 'https://hooks.example.com/', method: 'POST', headers: {}, body: null };
          await store.insert(db, { id, ...call, name: 'registration.after.hooks[0]' }, now);
          return id;
        },
        fail: (id, owner, { retryAt, now }) =>
          store.recordFailure(id, owner, { error: 'status 503', retryAt, now }),
        async read(id) {
          const delivery = await store.get(id);
          if (delivery === undefined) throw new Error(`no delivery ${id}`);
          return delivery;
        },
      };
    },
  },
];

const LEASE = 30_000;
const TEN_MINUTES = 10 * 60_000;
/** A worker's clock, `skewMs` off the clock of this host, which the test database shares. */
const clock = (skewMs: number) => () => new Date(Date.now() + skewMs);
const honest = clock(0);
const late = clock(-TEN_MINUTES);
const early = clock(TEN_MINUTES);
const later = (time: Date, ms: number) => new Date(time.getTime() + ms);

/** A time the database computed "now" + `offsetMs` at about the moment the test looked. */
function expectAbout(actual: Date | null, offsetMs: number): void {
  expect(actual).toBeInstanceOf(Date);
  expect(Math.abs((actual?.getTime() ?? 0) - (Date.now() + offsetMs))).toBeLessThan(5_000);
}

describe.each(testEngines())('lease queue clock ($name)', (engine) => {
  let database: Database & { drop(): Promise<void> };

  beforeAll(async () => {
    database = await engine.open();
  });
  beforeEach(async () => {
    await database.db.deleteFrom('courier_messages').execute();
    await database.db.deleteFrom('webhook_deliveries').execute();
  });
  afterAll(async () => {
    await database.drop();
  });

  describe.each(OUTBOXES)('$name', (outbox) => {
    let store: Outbox;
    beforeAll(() => {
      store = outbox.open(database);
    });
    const claim = (owner: string, now: Date) => store.queue.claim({ owner, limit: 10, leaseMs: LEASE, now });

    it('leases, renews, gives back and retries by the clock of the workers on one host', async () => {
      const id = await store.enqueue(honest());
      const [leased] = await claim('w1', honest());
      expect(leased).toMatchObject({ id, status: 'processing', attempts: 1, lease_owner: 'w1' });
      expectAbout(leased?.lease_expires_at ?? null, LEASE);
      expect(await claim('w2', honest())).toEqual([]);
      expect(await store.queue.renew(id, 'w1', { leaseMs: LEASE, now: honest() })).toBe('settled');
      expect(await store.queue.release(id, 'w1', { refund: true, now: honest() })).toBe('settled');
      expect(await claim('w2', honest())).toMatchObject([{ id, attempts: 1, lease_owner: 'w2' }]);

      const failedAt = honest();
      expect(await store.fail(id, 'w2', { retryAt: later(failedAt, 10_000), now: failedAt })).toBe('settled');
      expect(await store.read(id)).toMatchObject({
        status: 'queued',
        lease_owner: null,
        lease_expires_at: null,
      });
      expectAbout((await store.read(id)).next_attempt_at, 10_000);
      expect(await claim('w1', honest())).toEqual([]);
    });

    describe.runIf(engine.name === 'postgres')('workers whose clocks are 10 minutes off', () => {
      it('cannot claim a row another worker leased a moment ago, running late or early', async () => {
        const id = await store.enqueue(honest());
        expect(await claim('honest', honest())).toMatchObject([{ id }]);
        expect(await claim('late', late())).toEqual([]);
        // By its own clock the lease ran out 9.5 minutes ago.
        expect(await claim('early', early())).toEqual([]);
        expect(await store.queue.renew(id, 'honest', { leaseMs: LEASE, now: honest() })).toBe('settled');
        expect(await store.read(id)).toMatchObject({ lease_owner: 'honest', attempts: 1 });
      });

      it('hold a lease for its whole length when their clock runs late, so nobody takes over', async () => {
        const id = await store.enqueue(late());
        const [leased] = await claim('late', late());
        expect(leased?.id).toBe(id);
        expect(await claim('honest', honest())).toEqual([]);
        // Not "now - 10 minutes + lease", which has run out for every other worker already.
        expectAbout(leased?.lease_expires_at ?? null, LEASE);

        expect(await store.queue.renew(id, 'late', { leaseMs: LEASE, now: late() })).toBe('settled');
        expectAbout((await store.read(id)).lease_expires_at, LEASE);
        expect(await claim('honest', honest())).toEqual([]);
        expect(await claim('early', early())).toEqual([]);

        // A retry 10 s away by the late clock is 10 s away for everyone.
        const failedAt = late();
        expect(await store.fail(id, 'late', { retryAt: later(failedAt, 10_000), now: failedAt })).toBe(
          'settled',
        );
        expectAbout((await store.read(id)).next_attempt_at, 10_000);
        expect(await claim('honest', honest())).toEqual([]);
      });

      it('find an item due at once that an early clock queued or gave back', async () => {
        const id = await store.enqueue(early());
        expect(await claim('honest', honest())).toMatchObject([{ id, attempts: 1 }]);
        expect(await store.queue.release(id, 'honest', { refund: true, now: early() })).toBe('settled');
        expect(await claim('late', late())).toMatchObject([{ id, attempts: 1, lease_owner: 'late' }]);
      });
    });
  });
});
