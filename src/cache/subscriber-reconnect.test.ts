import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RedisTestScope, redisTestScope, TEST_REDIS_URL } from './testing/redis.js';
import { createTwoTierCache } from './two-tier-cache.js';
import type { TwoTierCache } from './types.js';

interface Session {
  id: string;
  active: boolean;
}

const NS = { maxEntries: 100, localTtlMs: 60_000 };
const POLL = { timeout: 10_000, interval: 10 };

describe.skipIf(!TEST_REDIS_URL)('invalidation subscriber reconnect', () => {
  let scope: RedisTestScope;
  const opened: TwoTierCache[] = [];

  async function replica(name: string): Promise<TwoTierCache> {
    const cache = await createTwoTierCache(scope.options(name));
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

  it('drops the whole LRU when the subscription is lost, and again once it is back', async () => {
    const a = await replica('a');
    const b = await replica('b');
    const onA = a.namespace<Session>('sessions', NS);
    const onB = b.namespace<Session>('sessions', NS);
    await onA.set('h1', { id: 's1', active: true }, 60_000);
    // Gone from Redis with no message, as if the invalidation had been published while A was deaf:
    await scope.admin.del(scope.redisKey('sessions', 'h1'));
    expect(await onA.get('h1')).toEqual({ id: 's1', active: true });

    const resets = a.stats().localResets;
    await scope.killConnection('a', 'sub');

    // Disconnected (one reset), then subscribed again (another).
    await vi.waitFor(async () => {
      expect(a.stats().localResets).toBeGreaterThanOrEqual(resets + 2);
      expect(await a.healthy()).toBe(true);
    }, POLL);
    expect(await onA.get('h1')).toBeUndefined();

    // The new subscription carries invalidations again.
    await onA.set('h2', { id: 's2', active: true }, 60_000);
    expect(await onA.get('h2')).toEqual({ id: 's2', active: true });
    await onB.invalidate(['h2']);
    await vi.waitFor(async () => expect(await onA.get('h2')).toBeUndefined(), POLL);
  });

  it('reports unhealthy while the subscription is down', async () => {
    const a = await replica('a');
    expect(await a.healthy()).toBe(true);
    // Kill it over and over until a health check lands in a gap; each kill is a real disconnect.
    await vi.waitFor(async () => {
      await scope.killConnection('a', 'sub').catch(() => undefined);
      expect(await a.healthy()).toBe(false);
    }, POLL);
    await vi.waitFor(async () => expect(await a.healthy()).toBe(true), POLL);
  });

  it('keeps serving after its command connection is killed', async () => {
    const a = await replica('a');
    const onA = a.namespace<Session>('sessions', NS);
    await scope.killConnection('a', 'cmd');
    await vi.waitFor(async () => {
      await onA.set('h3', { id: 's3', active: true }, 60_000);
      expect(await scope.admin.exists(scope.redisKey('sessions', 'h3'))).toBe(1);
    }, POLL);
  });
});
