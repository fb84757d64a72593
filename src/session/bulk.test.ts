import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTwoTierCache, type TwoTierCache } from '../cache/index.js';
import { type RedisTestScope, redisTestScope, TEST_REDIS_URL } from '../cache/testing/redis.js';
import type { Identity } from '../identity/model.js';
import type { Database } from '../persistence/database.js';
import { createIdentityStore } from '../persistence/identity-store.js';
import { createSessionStore } from '../persistence/session-store.js';
import { testEngines } from '../persistence/testing/engines.js';
import { identityFixture } from '../persistence/testing/identity-fixtures.js';
import { createBulkSessions } from './bulk.js';
import {
  type CachedIdentity,
  type CachedSession,
  createSessionManager,
  type SessionManager,
} from './manager.js';

const KEY = 'bulk-secret-0123456789abcdef';
const NS = { maxEntries: 1000, localTtlMs: 60_000 };
/** Bounded polls for a pub/sub message that must come. */
const POLL = { timeout: 10_000, interval: 10 };

function managerOver(database: Database, cache: TwoTierCache, bulkBatchSize: number): SessionManager {
  return createSessionManager({
    sessions: createSessionStore(database.db),
    identities: createIdentityStore(database.db),
    tokenKeys: [KEY],
    config: { lifespanMs: 3_600_000, earliestPossibleExtendMs: undefined },
    schemaUrl: () => 'http://127.0.0.1/schemas/x',
    cache: {
      sessions: cache.namespace<CachedSession>('sessions', NS),
      identities: cache.namespace<CachedIdentity>('identities', NS),
    },
    bulkBatchSize,
  });
}

async function newIdentity(database: Database, label: string): Promise<Identity> {
  const identity = identityFixture(`${label}-${Math.random().toString(36).slice(2)}@example.com`);
  await createIdentityStore(database.db).create(identity);
  return identity;
}

/** Issues `count` sessions and authenticates each once, so each sits in the cache. */
async function cachedSessions(manager: SessionManager, identity: Identity, count: number) {
  const out = [];
  for (let i = 0; i < count; i++) {
    const issued = await manager.issue(identity, {
      methods: [{ method: 'password', aal: 'aal1', completed_at: new Date() }],
      aal: 'aal1',
      device: { ipAddress: null, userAgent: null },
    });
    expect(await manager.authenticate(issued.token)).toBeDefined();
    expect(manager.authenticateFromMemory(issued.token)).toBeDefined();
    out.push(issued);
  }
  return out;
}

describe.each(testEngines())('bulk session management ($name)', (engine) => {
  // Each test opens its own database: `identities: ["*"]` covers every session in it.
  const opened: { database: Database & { drop(): Promise<void> }; cache: TwoTierCache }[] = [];
  async function fresh() {
    const database = await engine.open();
    const cache = await createTwoTierCache({});
    opened.push({ database, cache });
    return { database, cache };
  }
  afterAll(async () => {
    for (const { database, cache } of opened) {
      await cache.close();
      await database.drop();
    }
  });

  it('drains every session one batch per call, counting only sessions that were active', async () => {
    const { database, cache } = await fresh();
    const manager = managerOver(database, cache, 3);
    const [ada, bob] = [await newIdentity(database, 'ada'), await newIdentity(database, 'bob')];
    const issued = [...(await cachedSessions(manager, ada, 4)), ...(await cachedSessions(manager, bob, 4))];
    const first = issued[0];
    if (!first) throw new Error('no session');
    expect(await manager.revoke(first.session.id)).toBe(true);

    const calls = [];
    for (let more = true; more; ) {
      const result = await manager.manage({ action: 'disable', scope: { kind: 'all' } });
      calls.push(result);
      more = result.more;
    }
    // 7 were active: 3 + 3 + 1; the revoked one is not counted again.
    expect(calls).toEqual([
      { processed: 3, more: true },
      { processed: 3, more: true },
      { processed: 1, more: false },
    ]);
    for (const { token, session } of issued) {
      expect(manager.authenticateFromMemory(token)).toBeUndefined();
      expect(await manager.authenticate(token)).toBeUndefined();
      expect((await manager.get(session.id))?.active).toBe(false);
    }
    expect(await manager.manage({ action: 'disable', scope: { kind: 'all' } })).toEqual({
      processed: 0,
      more: false,
    });
  });

  it('says more while a full batch was found, and deletes every session', async () => {
    const { database, cache } = await fresh();
    const manager = managerOver(database, cache, 2);
    const issued = await cachedSessions(manager, await newIdentity(database, 'cy'), 4);
    expect(await manager.manage({ action: 'delete', scope: { kind: 'all' } })).toEqual({
      processed: 2,
      more: true,
    });
    // Exactly a batch remains: `more` may be true with nothing left behind it.
    expect(await manager.manage({ action: 'delete', scope: { kind: 'all' } })).toEqual({
      processed: 2,
      more: true,
    });
    expect(await manager.manage({ action: 'delete', scope: { kind: 'all' } })).toEqual({
      processed: 0,
      more: false,
    });
    for (const { token, session } of issued) {
      expect(await manager.authenticate(token)).toBeUndefined();
      expect(await manager.get(session.id)).toBeUndefined();
    }
  });

  it('finishes an explicit identities request in one call, batch after batch, and leaves others alone', async () => {
    const { database, cache } = await fresh();
    const manager = managerOver(database, cache, 2);
    const [dee, eve, fay] = [
      await newIdentity(database, 'dee'),
      await newIdentity(database, 'eve'),
      await newIdentity(database, 'fay'),
    ];
    const targeted = [...(await cachedSessions(manager, dee, 3)), ...(await cachedSessions(manager, eve, 2))];
    const spared = await cachedSessions(manager, fay, 2);

    const result = await manager.manage({
      action: 'disable',
      scope: { kind: 'identities', identityIds: [dee.id, eve.id, '00000000-0000-4000-8000-000000000000'] },
    });
    expect(result).toEqual({ processed: 5, more: false });
    for (const { token } of targeted) expect(await manager.authenticate(token)).toBeUndefined();
    for (const { token } of spared) expect(manager.authenticateFromMemory(token)).toBeDefined();

    // Disabled ones are skipped by disable, but delete removes them all.
    expect(
      await manager.manage({ action: 'disable', scope: { kind: 'identities', identityIds: [dee.id] } }),
    ).toEqual({ processed: 0, more: false });
    expect(
      await manager.manage({
        action: 'delete',
        scope: { kind: 'identities', identityIds: [dee.id, eve.id] },
      }),
    ).toEqual({ processed: 5, more: false });
    for (const { session } of targeted) expect(await manager.get(session.id)).toBeUndefined();
  });

  it('disables or deletes explicit sessions', async () => {
    const { database, cache } = await fresh();
    const manager = managerOver(database, cache, 2);
    const [a, b, c] = await cachedSessions(manager, await newIdentity(database, 'gus'), 3);
    if (!a || !b || !c) throw new Error('no sessions');
    const unknown = '00000000-0000-4000-8000-000000000000';

    expect(
      await manager.manage({
        action: 'disable',
        scope: { kind: 'sessions', sessionIds: [a.session.id, unknown] },
      }),
    ).toEqual({ processed: 1, more: false });
    expect(await manager.authenticate(a.token)).toBeUndefined();
    expect(manager.authenticateFromMemory(b.token)).toBeDefined();
    // Already disabled: not counted again.
    expect(
      await manager.manage({
        action: 'disable',
        scope: { kind: 'sessions', sessionIds: [a.session.id, b.session.id, c.session.id] },
      }),
    ).toEqual({ processed: 2, more: false });
    expect(
      await manager.manage({
        action: 'delete',
        scope: { kind: 'sessions', sessionIds: [a.session.id, unknown] },
      }),
    ).toEqual({ processed: 1, more: false });
    expect(await manager.get(a.session.id)).toBeUndefined();
    expect(await manager.get(b.session.id)).toBeDefined();
  });

  it('invalidates the cache once per batch, never once per session', async () => {
    const { database, cache } = await fresh();
    const manager = managerOver(database, cache, 1000);
    const identity = await newIdentity(database, 'hal');
    await cachedSessions(manager, identity, 5);
    const forgotten: (readonly string[])[] = [];
    const manage = createBulkSessions({
      store: createSessionStore(database.db),
      forget: async (hashes) => {
        forgotten.push(hashes);
      },
      batchSize: 2,
      now: () => new Date(),
    });
    expect(
      await manage({ action: 'delete', scope: { kind: 'identities', identityIds: [identity.id] } }),
    ).toEqual({
      processed: 5,
      more: false,
    });
    expect(forgotten.map((hashes) => hashes.length)).toEqual([2, 2, 1]);
  });
});

describe.skipIf(!TEST_REDIS_URL || !testEngines().some((e) => e.name === 'postgres'))(
  'bulk session management across replicas (PostgreSQL, Redis)',
  () => {
    let scope: RedisTestScope;
    let database: Database & { drop(): Promise<void> };
    let caches: TwoTierCache[];

    beforeAll(async () => {
      scope = redisTestScope(TEST_REDIS_URL ?? '');
      const postgres = testEngines().find((e) => e.name === 'postgres');
      if (!postgres) throw new Error('no PostgreSQL');
      database = await postgres.open();
      caches = [
        await createTwoTierCache(scope.options('replica-a')),
        await createTwoTierCache(scope.options('replica-b')),
      ];
    });
    afterAll(async () => {
      for (const cache of caches ?? []) await cache.close();
      await database?.drop();
      await scope?.cleanup();
    });

    it('a bulk disable on one replica ends the sessions the other holds in memory', async () => {
      const [cacheA, cacheB] = caches;
      if (!cacheA || !cacheB) throw new Error('no caches');
      const a = managerOver(database, cacheA, 2);
      const b = managerOver(database, cacheB, 2);
      const identity = await newIdentity(database, 'ida');
      const issued = await cachedSessions(a, identity, 3);

      expect(
        await b.manage({ action: 'disable', scope: { kind: 'identities', identityIds: [identity.id] } }),
      ).toEqual({ processed: 3, more: false });
      // The replica that answered refuses at once; the other once the invalidation message lands.
      for (const { token } of issued) expect(await b.authenticate(token)).toBeUndefined();
      await vi.waitFor(() => {
        for (const { token } of issued) expect(a.authenticateFromMemory(token)).toBeUndefined();
      }, POLL);
      for (const { token } of issued) expect(await a.authenticate(token)).toBeUndefined();
    });
  },
);
