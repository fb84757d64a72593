import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { resolveSettings } from './options.js';
import { connectRedisSharedTier } from './redis-shared-tier.js';
import { type RedisTestScope, redisTestScope, TEST_REDIS_URL } from './testing/redis.js';
import { assembleTwoTierCache, createTwoTierCache } from './two-tier-cache.js';
import type { TwoTierCache, TwoTierCacheOptions } from './types.js';

interface Session {
  id: string;
  active: boolean;
}

const NS = { maxEntries: 100, localTtlMs: 60_000 };
/** Bounded polls: generous, since they only wait for a condition that must come. */
const POLL = { timeout: 10_000, interval: 10 };

describe.skipIf(!TEST_REDIS_URL)('two-tier cache on Redis', () => {
  let scope: RedisTestScope;
  const opened: TwoTierCache[] = [];

  async function replica(name: string, extra?: TwoTierCacheOptions): Promise<TwoTierCache> {
    const cache = await createTwoTierCache(scope.options(name, extra));
    opened.push(cache);
    return cache;
  }

  beforeAll(() => {
    scope = redisTestScope(TEST_REDIS_URL!);
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((cache) => cache.close()));
  });
  afterAll(async () => {
    await scope.cleanup();
  });

  it('stores JSON in Redis with the given expiry, and another replica reads it', async () => {
    const a = await replica('a');
    const b = await replica('b');
    expect(await a.healthy()).toBe(true);
    await a.namespace<Session>('sessions', NS).set('h1', { id: 's1', active: true }, 60_000);

    const key = scope.redisKey('sessions', 'h1');
    expect(JSON.parse((await scope.admin.get(key)) ?? 'null')).toEqual({ id: 's1', active: true });
    const pttl = await scope.admin.pttl(key);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(60_000);

    let decoded = 0;
    const sessions = b.namespace<Session>('sessions', {
      ...NS,
      decode: (text) => {
        decoded++;
        return JSON.parse(text) as Session;
      },
    });
    const first = await sessions.get('h1');
    expect(first).toEqual({ id: 's1', active: true });
    // The second read is an LRU hit: same object, no Redis, no decoding.
    expect(await sessions.get('h1')).toBe(first);
    expect(decoded).toBe(1);
    expect(b.stats()).toMatchObject({ remoteHits: 1, localHits: 1, misses: 0 });
  });

  it('lets entries expire in both tiers after ttlMs', async () => {
    const a = await replica('a');
    const sessions = a.namespace<Session>('sessions', NS);
    await sessions.set('short', { id: 's', active: true }, 50);
    await vi.waitFor(async () => expect(await sessions.get('short')).toBeUndefined(), POLL);
    expect(await scope.admin.exists(scope.redisKey('sessions', 'short'))).toBe(0);
  });

  it('keeps a value filled from Redis no longer than Redis does', async () => {
    let time = 1_000_000;
    const settings = { ...resolveSettings(scope.options('clocked')), now: () => time };
    const url = scope.url;
    const a = await assembleTwoTierCache(settings, (listener) =>
      connectRedisSharedTier({ ...settings, url }, listener),
    );
    opened.push(a);
    const sessions = a.namespace<Session>('sessions', { maxEntries: 10, localTtlMs: 600_000 });
    await scope.admin.set(
      scope.redisKey('sessions', 'h2'),
      JSON.stringify({ id: 's2', active: true }),
      'PX',
      60_000,
    );

    expect(await sessions.get('h2')).toEqual({ id: 's2', active: true });
    time += 30_000;
    expect(await sessions.get('h2')).toEqual({ id: 's2', active: true });
    expect(a.stats()).toMatchObject({ remoteHits: 1, localHits: 1 });
    // Past the Redis expiry seen at fill time (60 s at most), though well within localTtlMs:
    time += 30_001;
    await sessions.get('h2');
    expect(a.stats()).toMatchObject({ remoteHits: 2, localHits: 1 });
  });

  it('caps each LRU at maxEntries', async () => {
    const a = await replica('a');
    const sessions = a.namespace<Session>('sessions', { maxEntries: 2, localTtlMs: 60_000 });
    for (const id of ['c1', 'c2', 'c3']) await sessions.set(id, { id, active: true }, 60_000);
    // Remove them from Redis behind the cache's back: only the LRU can answer now.
    await scope.admin.del(...['c1', 'c2', 'c3'].map((id) => scope.redisKey('sessions', id)));
    expect(await sessions.get('c1')).toBeUndefined();
    expect(await sessions.get('c2')).toEqual({ id: 'c2', active: true });
    expect(await sessions.get('c3')).toEqual({ id: 'c3', active: true });
  });

  it("removes an invalidated key from every replica's LRU and from Redis", async () => {
    const a = await replica('a');
    const b = await replica('b');
    const onA = a.namespace<Session>('sessions', NS);
    const onB = b.namespace<Session>('sessions', NS);
    await onA.set('h3', { id: 's3', active: true }, 60_000);
    expect(await onB.get('h3')).toEqual({ id: 's3', active: true });
    expect(await onB.get('h3')).toEqual({ id: 's3', active: true });
    expect(b.stats().localHits).toBe(1);

    await onA.invalidate(['h3']);
    expect(await onA.get('h3')).toBeUndefined();
    // Only the message can take it out of B's LRU: B answers from there before asking Redis.
    await vi.waitFor(async () => expect(await onB.get('h3')).toBeUndefined(), POLL);
    expect(b.stats().invalidationsReceived).toBeGreaterThanOrEqual(1);
    expect(a.stats().invalidationsReceived).toBeGreaterThanOrEqual(1);
  });

  it('does not let a value read before an invalidation be cached after it', async () => {
    const a = await replica('a');
    const b = await replica('b');
    const onA = a.namespace<Session>('sessions', NS);
    const onB = b.namespace<Session>('sessions', NS);
    await onB.set('h4', { id: 's4', active: true }, 60_000);
    // A reads the session from SQL (active), then B revokes it, then A caches what it read.
    const readFromSql = { id: 's4', active: true };
    await onB.invalidate(['h4']);
    await onA.set('h4', readFromSql, 60_000);
    expect(await onA.get('h4')).toBeUndefined();
    expect(await onB.get('h4')).toBeUndefined();
    const key = scope.redisKey('sessions', 'h4');
    expect(await scope.admin.get(key)).not.toContain('s4');
    const tombstoneTtl = await scope.admin.pttl(key);
    expect(tombstoneTtl).toBeGreaterThan(0);
    expect(tombstoneTtl).toBeLessThanOrEqual(10_000);

    // The tombstone is only a time limit: once Redis expires it, Redis takes values again.
    await scope.admin.pexpire(key, 1);
    await vi.waitFor(async () => expect(await scope.admin.exists(key)).toBe(0), POLL);
    await onA.set('h4', { id: 's4', active: false }, 60_000);
    expect(JSON.parse((await scope.admin.get(key)) ?? 'null')).toEqual({ id: 's4', active: false });
  });

  it('ignores namespaces it does not have and drops everything on an unreadable message', async () => {
    const a = await replica('a');
    const b = await replica('b');
    const onB = b.namespace<Session>('sessions', NS);
    await onB.set('h5', { id: 's5', active: true }, 60_000);

    await a.namespace<{ id: string }>('identities', NS).invalidate(['h5']);
    await vi.waitFor(() => expect(b.stats().invalidationsReceived).toBeGreaterThanOrEqual(1), POLL);
    expect(await onB.get('h5')).toEqual({ id: 's5', active: true });
    expect(b.stats().localHits).toBe(1);

    await scope.admin.del(scope.redisKey('sessions', 'h5'));
    const resets = b.stats().localResets;
    await scope.admin.publish(scope.channel, 'not an invalidation');
    await vi.waitFor(() => expect(b.stats().localResets).toBe(resets + 1), POLL);
    expect(await onB.get('h5')).toBeUndefined();
  });

  it('treats a value that will not decode as a miss, without logging its text', async () => {
    const logged: object[] = [];
    const a = await replica('a', { logger: { warn: (obj) => logged.push(obj) } });
    const sessions = a.namespace<Session>('sessions', NS);
    await scope.admin.set(scope.redisKey('sessions', 'bad'), '{"secret-trait": ', 'PX', 60_000);
    expect(await sessions.get('bad')).toBeUndefined();
    expect(a.stats().misses).toBe(1);
    expect(logged).toHaveLength(1);
    expect(JSON.stringify(logged)).not.toContain('secret-trait');
  });

  it('reloads its scripts when Redis has forgotten them (a restart, SCRIPT FLUSH)', async () => {
    const a = await replica('a');
    const sessions = a.namespace<Session>('sessions', NS);
    await sessions.set('s1', { id: 's1', active: true }, 60_000);
    // Harmless to parallel runs: every client falls back to EVAL the same way.
    await scope.admin.script('FLUSH');
    await sessions.set('s2', { id: 's2', active: true }, 60_000);
    await sessions.invalidate(['s1']);
    const b = await replica('b');
    expect(await b.namespace<Session>('sessions', NS).get('s2')).toEqual({ id: 's2', active: true });
    expect(a.stats().remoteErrors).toBe(0);
  });

  it('invalidates many keys in one call', async () => {
    const a = await replica('a');
    const b = await replica('b');
    const onA = a.namespace<Session>('sessions', NS);
    const onB = b.namespace<Session>('sessions', NS);
    const keys = Array.from({ length: 50 }, (_, i) => `many-${i}`);
    for (const key of keys) await onA.set(key, { id: key, active: true }, 60_000);
    for (const key of keys) await onB.get(key);
    await onA.invalidate(keys);
    await vi.waitFor(async () => {
      for (const key of keys) expect(await onB.get(key)).toBeUndefined();
    }, POLL);
  });
});
