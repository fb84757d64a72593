import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTwoTierCache, type TwoTierCache } from '../cache/index.js';
import { type RedisTestScope, redisTestScope, TEST_REDIS_URL } from '../cache/testing/redis.js';
import { startTcpRelay, type TcpRelay } from '../cache/testing/tcp-relay.js';
import type { Identity } from '../identity/model.js';
import type { Database } from '../persistence/database.js';
import { createIdentityStore } from '../persistence/identity-store.js';
import { createSessionStore } from '../persistence/session-store.js';
import { testEngines } from '../persistence/testing/engines.js';
import { identityFixture } from '../persistence/testing/identity-fixtures.js';
import {
  type CachedIdentity,
  type CachedSession,
  createSessionManager,
  type IssuedSession,
  type SessionManager,
} from './manager.js';

const KEY = 'partition-secret-0123456789abcdef';
/** A long local TTL, so that only an invalidation or the Redis cap can end a cached entry. */
const NS: Sizes = { maxEntries: 1000, localTtlMs: 600_000 };

/** The namespace options the test varies, the same for sessions and identities. */
interface Sizes {
  maxEntries: number;
  localTtlMs: number;
  maxSharedTtlMs?: number;
}
/** Bounded polls for what must happen: a reconnect and a retry, or an expiry in Redis. */
const POLL = { timeout: 20_000, interval: 20 };

/**
 * Two replicas over one database and one Redis; replica A reaches Redis through a relay the test
 * cuts, as in a network partition, while B reaches it all along. A revocation through A must end
 * the session on B too: once the partition heals and A's retry lands, or at the latest once the
 * capped Redis TTL has run out.
 */
describe.skipIf(!TEST_REDIS_URL).each(testEngines())(
  'revocation through a replica cut off from Redis ($name)',
  (engine) => {
    let scope: RedisTestScope;
    let relay: TcpRelay;
    let database: Database & { drop(): Promise<void> };
    const opened: TwoTierCache[] = [];

    beforeAll(async () => {
      scope = redisTestScope(TEST_REDIS_URL ?? '');
      relay = await startTcpRelay(scope.url);
      database = await engine.open();
    });
    afterEach(async () => {
      relay.heal();
      await Promise.all(opened.splice(0).map((cache) => cache.close()));
    });
    afterAll(async () => {
      await relay?.close();
      await database?.drop();
      await scope?.cleanup();
    });

    async function replica(name: string, redisUrl: string, ns: Sizes) {
      const cache = await createTwoTierCache(scope.options(name, { redisUrl }));
      opened.push(cache);
      return createSessionManager({
        sessions: createSessionStore(database.db),
        identities: createIdentityStore(database.db),
        tokenKeys: [KEY],
        config: { lifespanMs: 3_600_000, earliestPossibleExtendMs: undefined },
        schemaUrl: () => 'http://127.0.0.1/schemas/x',
        cache: {
          sessions: cache.namespace<CachedSession>('sessions', ns),
          identities: cache.namespace<CachedIdentity>('identities', ns),
        },
      });
    }

    /** Replicas A (through the relay) and B (direct). */
    async function replicas(ns: Sizes = NS) {
      return { a: await replica('a', relay.url, ns), b: await replica('b', scope.url, ns) };
    }

    async function newIdentity(label: string): Promise<Identity> {
      const identity = identityFixture(`${label}-${Math.random().toString(36).slice(2)}@example.com`);
      await createIdentityStore(database.db).create(identity);
      return identity;
    }

    /** A session both replicas have authenticated, so each holds it in memory (and Redis has it). */
    async function sessionOnBoth(a: SessionManager, b: SessionManager, identity: Identity) {
      const issued = await a.issue(identity, {
        methods: [{ method: 'password', aal: 'aal1', completed_at: new Date() }],
        aal: 'aal1',
        device: { ipAddress: null, userAgent: null },
      });
      expect(await b.authenticate(issued.token)).toBeDefined();
      expect(await a.authenticate(issued.token)).toBeDefined();
      expect(b.authenticateFromMemory(issued.token)).toBeDefined();
      return issued;
    }

    async function refusedBy(manager: SessionManager, sessions: readonly IssuedSession[]): Promise<void> {
      for (const { token } of sessions) {
        expect(manager.authenticateFromMemory(token)).toBeUndefined();
        expect(await manager.authenticate(token)).toBeUndefined();
      }
    }

    it('every revocation resolves, and the other replica refuses the sessions once the partition heals', async () => {
      const { a, b } = await replicas();
      const [ann, bea, cat] = [await newIdentity('ann'), await newIdentity('bea'), await newIdentity('cat')];
      const revoked = await sessionOnBoth(a, b, ann);
      const managed = await sessionOnBoth(a, b, ann);
      const ofIdentity = await sessionOnBoth(a, b, bea);
      const ofDeactivated = await sessionOnBoth(a, b, cat);

      relay.cut();
      // Logout and DELETE /sessions/{id}, POST /admin/sessions, DELETE .../identities/{id}/sessions,
      // and an identity deactivated: each ends its sessions in SQL and answers, Redis or not.
      expect(await a.revoke(revoked.session.id)).toBe(true);
      expect(
        await a.manage({ action: 'disable', scope: { kind: 'sessions', sessionIds: [managed.session.id] } }),
      ).toEqual({ processed: 1, more: false });
      expect(await a.revokeIdentitySessions(bea.id)).toBe(1);
      const deactivated: Identity = { ...cat, state: 'inactive', state_changed_at: new Date() };
      await createIdentityStore(database.db).update(deactivated);
      await a.identityChanged(cat.id, deactivated);
      const all = [revoked, managed, ofIdentity, ofDeactivated];
      await refusedBy(a, all);
      // The window the retry closes: B still holds them.
      for (const { token } of all) expect(b.authenticateFromMemory(token)).toBeDefined();

      relay.heal();
      await vi.waitFor(() => refusedBy(b, all), POLL);
    });

    it('without healing, the other replica refuses the session once the capped Redis TTL has run out', async () => {
      const capped = { ...NS, maxSharedTtlMs: 1_000 };
      const { a, b } = await replicas(capped);
      const identity = await newIdentity('dot');
      const issued = await sessionOnBoth(a, b, identity);
      // The session lasts an hour and its identity is kept 5 minutes, but neither stays in Redis
      // longer than the cap.
      for (const key of [
        scope.redisKey('sessions', issued.session.token_hash),
        scope.redisKey('identities', identity.id),
      ]) {
        const ttl = await scope.admin.pttl(key);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(capped.maxSharedTtlMs);
      }

      relay.cut();
      expect(await a.revoke(issued.session.id)).toBe(true);
      await refusedBy(a, [issued]);
      await vi.waitFor(() => refusedBy(b, [issued]), POLL);
    });
  },
);
