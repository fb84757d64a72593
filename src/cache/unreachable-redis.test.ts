import { describe, expect, it } from 'vitest';
import { CacheUnavailableError } from './errors.js';
import { closedPort } from './testing/redis.js';
import { createTwoTierCache } from './two-tier-cache.js';

// Needs no Redis: the point is that there is none at the address.
describe('two-tier cache with Redis unreachable', () => {
  it('starts, misses in Redis, keeps working from memory and fails invalidations loudly', async () => {
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

    // `set` is best-effort: Redis fails, the LRU still serves the value.
    await sessions.set('hash-1', { id: 's1' }, 60_000);
    expect(await sessions.get('hash-1')).toEqual({ id: 's1' });

    // `invalidate` cannot reach other replicas: it throws, and this replica drops the key anyway.
    const error = await sessions.invalidate(['hash-1']).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CacheUnavailableError);
    expect((error as CacheUnavailableError).code).toBe(503);
    expect((error as CacheUnavailableError).namespace).toBe('sessions');
    expect(await sessions.get('hash-1')).toBeUndefined();

    expect(warnings).toContain('redis cache unavailable; falling back to memory and SQL');
    expect(warnings).toContain('redis cache connection failed; retrying');
    await cache.close();
  });
});
