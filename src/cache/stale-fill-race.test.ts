import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { resolveSettings } from './options.js';
import { connectRedisSharedTier } from './redis-shared-tier.js';
import { Gate } from './testing/gate.js';
import { type RedisTestScope, redisTestScope, TEST_REDIS_URL } from './testing/redis.js';
import { assembleTwoTierCache, createTwoTierCache } from './two-tier-cache.js';
import type { TwoTierCache } from './types.js';

interface Session {
  id: string;
  active: boolean;
}

const NS = { maxEntries: 100, localTtlMs: 60_000 };
const POLL = { timeout: 10_000, interval: 10 };

/**
 * Replica A reads or writes Redis for real, but the reply is held at a gate before A acts on it;
 * meanwhile replica B invalidates and A receives B's message. Then the gate opens.
 */
describe.skipIf(!TEST_REDIS_URL)('stale fills racing an invalidation', () => {
  let scope: RedisTestScope;
  const opened: TwoTierCache[] = [];

  async function gatedReplica(name: string, gates: { read?: Gate; write?: Gate }): Promise<TwoTierCache> {
    const settings = resolveSettings(scope.options(name));
    const url = scope.url;
    const cache = await assembleTwoTierCache(settings, async (listener) => {
      const tier = await connectRedisSharedTier({ ...settings, url }, listener);
      return {
        ...tier,
        async read(namespace, key) {
          const entry = await tier.read(namespace, key);
          await gates.read?.pass();
          return entry;
        },
        async write(namespace, key, text, ttlMs) {
          const accepted = await tier.write(namespace, key, text, ttlMs);
          await gates.write?.pass();
          return accepted;
        },
      };
    });
    opened.push(cache);
    return cache;
  }

  async function replica(name: string): Promise<TwoTierCache> {
    const cache = await createTwoTierCache(scope.options(name));
    opened.push(cache);
    return cache;
  }

  /** Has `cache` applied more invalidation messages than `before`? */
  async function applied(cache: TwoTierCache, before: number): Promise<void> {
    await vi.waitFor(() => expect(cache.stats().invalidationsReceived).toBeGreaterThan(before), POLL);
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

  it('fills the LRU from a held read when nothing was invalidated (control)', async () => {
    const gate = new Gate();
    const a = await gatedReplica('a', { read: gate });
    const b = await replica('b');
    await b.namespace<Session>('sessions', NS).set('k0', { id: 's0', active: true }, 60_000);
    const onA = a.namespace<Session>('sessions', NS);

    const pending = onA.get('k0');
    await gate.reached;
    gate.open();
    expect(await pending).toEqual({ id: 's0', active: true });
    expect(await onA.get('k0')).toEqual({ id: 's0', active: true });
    expect(a.stats().localHits).toBe(1);
  });

  it('does not fill the LRU with a value read before an invalidation it has since applied', async () => {
    const gate = new Gate();
    const a = await gatedReplica('a', { read: gate });
    const b = await replica('b');
    const onA = a.namespace<Session>('sessions', NS);
    const onB = b.namespace<Session>('sessions', NS);
    await onB.set('k1', { id: 's1', active: true }, 60_000);

    const pending = onA.get('k1');
    await gate.reached; // Redis has answered A with the old value.
    const before = a.stats().invalidationsReceived;
    await onB.invalidate(['k1']);
    await applied(a, before);
    gate.open();

    // The read itself ran before the revocation, so this one answer may carry the old value...
    expect(await pending).toEqual({ id: 's1', active: true });
    // ...but A must not keep it.
    expect(await onA.get('k1')).toBeUndefined();
    expect(a.stats().localHits).toBe(0);
  });

  it('does not fill the LRU from a write Redis took just before the invalidation', async () => {
    const gate = new Gate();
    const a = await gatedReplica('a', { write: gate });
    const b = await replica('b');
    const onA = a.namespace<Session>('sessions', NS);
    const onB = b.namespace<Session>('sessions', NS);

    const pending = onA.set('k2', { id: 's2', active: true }, 60_000);
    await gate.reached; // Redis has taken A's value.
    const before = a.stats().invalidationsReceived;
    await onB.invalidate(['k2']);
    await applied(a, before);
    gate.open();
    await pending;

    expect(await onA.get('k2')).toBeUndefined();
    expect(await onB.get('k2')).toBeUndefined();
    expect(a.stats().localHits).toBe(0);
  });
});
