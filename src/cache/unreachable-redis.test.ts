import { describe, expect, it } from 'vitest';
import { closedPort } from './testing/redis.js';
import { createTwoTierCache } from './two-tier-cache.js';

// Needs no Redis: the point is that there is none at the address.
describe('two-tier cache with Redis unreachable', () => {
  it('starts, misses in Redis and in memory, and queues invalidations for retry', async () => {
    const warnings: string[] = [];
    const cache = await createTwoTierCache({
      redisUrl: `redis://127.0.0.1:${await closedPort()}`,
      logger: { warn: (_obj, msg) => warnings.push(msg) },
    });
    const sessions = cache.namespace<{ id: string }>('sessions', { maxEntries: 10, localTtlMs: 30_000 });

    expect(cache.mode).toBe('redis');
    expect(await cache.healthy()).toBe(false);

    // A miss goes to Redis, which fails at once (no offline queue), and becomes a plain miss.
    expect(await sessions.get('unknown')).toBeUndefined();
    expect(cache.stats().remoteErrors).toBeGreaterThan(0);

    // `set` is best-effort: Redis fails, and the LRU keeps nothing either, since no invalidation
    // from another replica could reach it: every `get` misses, so the caller reads SQL.
    await sessions.set('hash-1', { id: 's1' }, 60_000);
    expect(await sessions.get('hash-1')).toBeUndefined();
    expect(sessions.peek('hash-1')).toBeUndefined();

    // `invalidate` cannot reach other replicas: it says so without failing, this replica drops the
    // key at once, and the key waits to be retried (and is neither read nor written meanwhile).
    expect(await sessions.invalidate(['hash-1'])).toBe('deferred');
    expect(await sessions.get('hash-1')).toBeUndefined();
    await sessions.set('hash-1', { id: 's1' }, 60_000);
    expect(await sessions.get('hash-1')).toBeUndefined();
    expect(cache.stats()).toMatchObject({ invalidationsDeferred: 1, pendingInvalidations: 1 });

    expect(warnings).toContain('redis cache unavailable; falling back to memory and SQL');
    expect(warnings).toContain('redis cache connection failed; retrying');
    expect(warnings).toContain('cache invalidation did not reach redis; retrying it in the background');
    await cache.close();
    expect(cache.stats()).toMatchObject({ invalidationsAbandoned: 1, pendingInvalidations: 0 });
  });

  it('merges the keys waiting for retry and bounds them, dropping the oldest', async () => {
    const warnings: string[] = [];
    const cache = await createTwoTierCache({
      redisUrl: `redis://127.0.0.1:${await closedPort()}`,
      maxPendingInvalidations: 3,
      logger: { warn: (_obj, msg) => warnings.push(msg) },
    });
    const sessions = cache.namespace<{ id: string }>('sessions', { maxEntries: 10, localTtlMs: 30_000 });
    const identities = cache.namespace<{ id: string }>('identities', { maxEntries: 10, localTtlMs: 30_000 });

    expect(await sessions.invalidate(['a', 'b'])).toBe('deferred');
    expect(await sessions.invalidate(['b'])).toBe('deferred');
    // Same key in another namespace: another key.
    expect(await identities.invalidate(['b'])).toBe('deferred');
    expect(cache.stats()).toMatchObject({ invalidationsDeferred: 4, pendingInvalidations: 3 });

    expect(await sessions.invalidate(['c'])).toBe('deferred');
    expect(cache.stats()).toMatchObject({ pendingInvalidations: 3, invalidationsAbandoned: 1 });
    expect(warnings.filter((w) => w.startsWith('cache invalidation did not reach redis'))).toHaveLength(1);
    expect(warnings.filter((w) => w.startsWith('cache invalidation retry queue full'))).toHaveLength(1);
    await cache.close();
  });
});
