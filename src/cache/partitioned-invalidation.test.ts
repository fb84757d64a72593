import { describe, expect, it, vi } from 'vitest';
import { resolveSettings } from './options.js';
import { connectRedisSharedTier } from './redis-shared-tier.js';
import { TEST_REDIS_URL } from './testing/redis.js';
import { useRelayedReplicas } from './testing/relayed-replicas.js';
import { assembleTwoTierCache } from './two-tier-cache.js';

interface Session {
  id: string;
  active: boolean;
}

const NS = { maxEntries: 100, localTtlMs: 60_000 };
const HOUR = 3_600_000;
/** Bounded polls for what must happen: a reconnect, a retry, an expiry in Redis. */
const POLL = { timeout: 20_000, interval: 20 };

/**
 * Replica A reaches Redis through a relay the test can cut, as in a network partition; replica B
 * reaches it directly all along.
 */
describe.skipIf(!TEST_REDIS_URL)('invalidations that cannot reach Redis', () => {
  const replicas = useRelayedReplicas();
  const { replica } = replicas;

  it('resolves, and every replica drops the key once the partition heals and the retry lands', async () => {
    const a = await replica('a', { redisUrl: replicas.relay.url });
    const b = await replica('b');
    const onA = a.namespace<Session>('sessions', NS);
    const onB = b.namespace<Session>('sessions', NS);
    await onB.set('h1', { id: 's1', active: true }, HOUR);
    expect(await onA.get('h1')).toEqual({ id: 's1', active: true });

    replicas.relay.cut();
    expect(await onA.invalidate(['h1'])).toBe('deferred');
    expect(await onA.get('h1')).toBeUndefined();
    // The window this closes: B still serves the value Redis holds.
    expect(await onB.get('h1')).toEqual({ id: 's1', active: true });
    expect(a.stats()).toMatchObject({ invalidationsDeferred: 1, pendingInvalidations: 1 });

    replicas.relay.heal();
    // (ioredis may also resend the command that was in flight when the cut came, once it is
    // connected again: an invalidation applied twice is harmless.)
    await vi.waitFor(async () => {
      expect(await onB.get('h1')).toBeUndefined();
      expect(a.stats()).toMatchObject({ invalidationsRetried: 1, pendingInvalidations: 0 });
    }, POLL);
    expect(await replicas.scope.admin.get(replicas.scope.redisKey('sessions', 'h1'))).not.toContain('s1');
    expect(await onA.get('h1')).toBeUndefined();
  });

  it('without healing, the key is gone everywhere once maxSharedTtlMs has passed, and the retry stops', async () => {
    const capped = { ...NS, maxSharedTtlMs: 1_000 };
    const a = await replica('a', { redisUrl: replicas.relay.url, tombstoneTtlMs: 500 });
    const b = await replica('b', { tombstoneTtlMs: 500 });
    const onA = a.namespace<Session>('sessions', capped);
    const onB = b.namespace<Session>('sessions', capped);
    await onB.set('h2', { id: 's2', active: true }, HOUR);
    // Asked for an hour, kept in Redis no longer than the cap.
    const ttl = await replicas.scope.admin.pttl(replicas.scope.redisKey('sessions', 'h2'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1_000);

    replicas.relay.cut();
    expect(await onA.invalidate(['h2'])).toBe('deferred');
    await vi.waitFor(async () => {
      expect(await onB.get('h2')).toBeUndefined();
    }, POLL);
    expect(await replicas.scope.admin.exists(replicas.scope.redisKey('sessions', 'h2'))).toBe(0);
    // Past maxSharedTtlMs + tombstoneTtlMs the retry has nothing left to remove and gives up.
    await vi.waitFor(() => {
      expect(a.stats()).toMatchObject({ pendingInvalidations: 0, invalidationsAbandoned: 1 });
    }, POLL);
    expect(a.stats().invalidationsRetried).toBe(0);
  });

  it('reads a key whose invalidation waits neither from Redis nor writes it there', async () => {
    // A reaches Redis for reads and writes, but its invalidations fail until told otherwise; its
    // clock is the test's, so its local tombstone can expire while the retry is still due.
    let invalidationsFail = true;
    let now = 1_000;
    const settings = { ...resolveSettings(replicas.scope.options('a')), now: () => now };
    const url = replicas.scope.url;
    const a = await assembleTwoTierCache(settings, async (listener) => {
      const tier = await connectRedisSharedTier({ ...settings, url }, listener);
      return {
        ...tier,
        async invalidate(namespace, keys) {
          if (invalidationsFail) throw new Error('partitioned');
          await tier.invalidate(namespace, keys);
        },
      };
    });
    replicas.closeAfterTest(a);
    const b = await replica('b');
    const onA = a.namespace<Session>('sessions', NS);
    const onB = b.namespace<Session>('sessions', NS);
    await onB.set('h3', { id: 's3', active: true }, HOUR);

    expect(await onA.invalidate(['h3'])).toBe('deferred');
    now += settings.tombstoneTtlMs + 1;
    // Redis still has the value, and A does not take it from there...
    expect(await onB.get('h3')).toEqual({ id: 's3', active: true });
    expect(await onA.get('h3')).toBeUndefined();
    // ...nor puts a value (read before the invalidation, say) back.
    await onA.set('h3', { id: 's3', active: false }, HOUR);
    expect(await replicas.scope.admin.get(replicas.scope.redisKey('sessions', 'h3'))).toBe(
      JSON.stringify({ id: 's3', active: true }),
    );

    invalidationsFail = false;
    // Any command that reaches Redis brings the next retry forward.
    expect(await onA.get('other')).toBeUndefined();
    await vi.waitFor(async () => {
      expect(await onB.get('h3')).toBeUndefined();
    }, POLL);
    expect(a.stats()).toMatchObject({ invalidationsRetried: 1, pendingInvalidations: 0 });
  });
});
