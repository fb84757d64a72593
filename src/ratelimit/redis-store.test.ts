import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { counterKey } from './keys.js';
import { createRedisCounterStore } from './redis-store.js';
import type { AttemptRule, CounterStore } from './store.js';
import { deleteKeys } from './testing/stores.js';

// What only Redis has: key expiry and the script cache. The behaviour shared with the memory
// store is in store.test.ts.
const url = process.env.REDIS_URL;
const T0 = Date.UTC(2030, 0, 1);
const RULE: AttemptRule = { windowMs: 60_000, freeAttempts: 2, baseDelayMs: 1000, maxDelayMs: 8000 };

describe.skipIf(!url)('Redis counter store', () => {
  let redis: Redis;
  let store: CounterStore;
  const prefix = `test:portcullis:ratelimit:${randomBytes(8).toString('hex')}:`;

  beforeAll(() => {
    redis = new Redis(url ?? '', { maxRetriesPerRequest: 1 });
    store = createRedisCounterStore({ redis, prefix, whenUnavailable: 'none' });
  });
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    await redis.quit();
  });

  it('lets Redis expire a counter at the end of its window', async () => {
    const key = counterKey('test', 'expiry');
    await store.attempt(key, RULE, T0);
    await store.attempt(key, RULE, T0 + 20_000);
    const ttl = await redis.pttl(prefix + key);
    // The TTL counts down on Redis's clock from the first attempt: at most the window, and
    // (because the second attempt must not extend it) at most what was left of it then.
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(RULE.windowMs - 20_000);
  });

  it('writes only under its prefix, and no refund creates a key', async () => {
    const key = counterKey('test', 'prefix');
    await store.refund(key, RULE, T0);
    expect(await redis.exists(prefix + key)).toBe(0);
    await store.attempt(key, RULE, T0);
    expect(await redis.exists(prefix + key)).toBe(1);
    await store.reset(key);
    expect(await redis.exists(prefix + key)).toBe(0);
  });

  it('sends the script again when Redis has forgotten it', async () => {
    const key = counterKey('test', 'noscript');
    await store.attempt(key, RULE, T0);
    // Harmless to other clients of a shared Redis: they resend their scripts the same way.
    await redis.script('FLUSH');
    expect((await store.attempt(key, RULE, T0)).state.count).toBe(2);
    await store.refund(key, RULE, T0);
    expect((await store.peek(key, T0)).count).toBe(1);
  });
});
