import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEARTBEAT_TEXT } from './invalidation-message.js';
import { type RedisTestScope, redisTestScope, TEST_REDIS_URL } from './testing/redis.js';
import { createTwoTierCache } from './two-tier-cache.js';

/** Blocks the event loop, as a long synchronous task or a GC pause would. */
function stall(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy: nothing else in this process runs meanwhile
  }
}

/**
 * After the event loop was blocked for longer than the silence bound, Node runs expired timers
 * before it reads the sockets: the heartbeat check must not take the subscription for dead while
 * the heartbeats that prove it alive sit unread in the socket buffer.
 */
describe.skipIf(!TEST_REDIS_URL)('an invalidation subscription after a stalled event loop', () => {
  let scope: RedisTestScope;

  beforeAll(() => {
    scope = redisTestScope(TEST_REDIS_URL!);
  });
  afterAll(async () => {
    await scope.cleanup();
  });

  it('keeps its LRU when heartbeats arrived during the stall', async () => {
    const cache = await createTwoTierCache(
      scope.options('stalled', { heartbeatIntervalMs: 100, subscriberSilenceMs: 500 }),
    );
    try {
      const sessions = cache.namespace<{ id: string }>('sessions', { maxEntries: 10, localTtlMs: 60_000 });
      await sessions.set('h1', { id: 's1' }, 60_000);
      expect(sessions.peek('h1')).toEqual({ id: 's1' });

      // Inside a timer callback, as most stalls are; the heartbeat interval expires meanwhile.
      await new Promise<void>((resolve) => {
        setTimeout(() => {
          // Written to the socket now; Redis delivers it to the subscriber while the loop is blocked.
          void scope.admin.publish(scope.channel, HEARTBEAT_TEXT);
          stall(900);
          resolve();
        }, 0);
      });
      await new Promise((resolve) => setTimeout(resolve, 300));

      expect(cache.stats().subscriberSilences).toBe(0);
      expect(sessions.peek('h1')).toEqual({ id: 's1' });
    } finally {
      await cache.close();
    }
  });
});
