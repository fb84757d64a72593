import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { closedPort } from '../cache/testing/redis.js';
import { startTcpRelay, type TcpRelay } from '../cache/testing/tcp-relay.js';
import { DEFAULT_BRUTE_FORCE_CONFIG } from './config.js';
import { createFallbackCounterStore, type RateLimitLogger } from './fallback-store.js';
import { fixedWindowLimit } from './fixed-window.js';
import { counterKey } from './keys.js';
import { createLoginThrottle, type LoginThrottle } from './login-throttle.js';
import { createMemoryCounterStore } from './memory-store.js';
import { createRedisCounterStore } from './redis-store.js';
import type { CounterStore } from './store.js';
import { fakeClock } from './testing/fake-clock.js';
import { deleteKeys } from './testing/stores.js';

const T0 = Date.UTC(2030, 0, 1);
const RULE = { windowMs: 60_000, freeAttempts: 10, baseDelayMs: 60_000, maxDelayMs: 60_000 };
/** Two free failures per account, then a minute's wait: short enough to see in a test. */
const CONFIG = {
  ...DEFAULT_BRUTE_FORCE_CONFIG,
  perIdentifier: { ...DEFAULT_BRUTE_FORCE_CONFIG.perIdentifier, freeAttempts: 2 },
};

/** Records what the store logs. */
function recordingLogger(): RateLimitLogger & { warnings: string[]; infos: string[] } {
  const warnings: string[] = [];
  const infos: string[] = [];
  return {
    warnings,
    infos,
    warn: (_obj, msg) => warnings.push(msg),
    info: (_obj, msg) => infos.push(msg),
  };
}

/** A guessed password, as the login endpoint counts it; `allowed: false` is the 429. */
async function guess(throttle: LoginThrottle, identifier: string): Promise<boolean> {
  const decision = await throttle.check({ identifier, ip: '203.0.113.9' });
  if (decision.allowed) await throttle.recordFailure({ identifier, ip: '203.0.113.9' });
  return decision.allowed;
}

/** The options the server's own rate-limit connection is opened with (src/app/selfservice.ts). */
function serverLikeClient(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 1000 });
  redis.on('error', () => {});
  return redis;
}

describe('fallback counter store', () => {
  /** A shared store that fails (or hangs) while told to. */
  function flakyPrimary(): { store: CounterStore; down: boolean; hang: boolean; calls: number } {
    const inner = createMemoryCounterStore();
    const control = { down: true, hang: false, calls: 0, store: inner };
    const guard = async (): Promise<void> => {
      control.calls++;
      if (control.hang) await new Promise(() => {});
      if (control.down) throw new Error('connection refused');
    };
    const guarded =
      <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        await guard();
        return call(...args);
      };
    control.store = {
      attempt: guarded(inner.attempt),
      peek: guarded(inner.peek),
      refund: guarded(inner.refund),
      reset: guarded(inner.reset),
    };
    return control;
  }

  it('keeps counting, and refusing, in memory while the shared store fails; warns once', async () => {
    const primary = flakyPrimary();
    const logger = recordingLogger();
    const store = createFallbackCounterStore({ primary: primary.store, logger });
    const throttle = createLoginThrottle(CONFIG, store, { now: () => T0 });

    expect(await guess(throttle, 'ada@example.com')).toBe(true);
    expect(await guess(throttle, 'ada@example.com')).toBe(true);
    // Brute-force protection stays on: the third guess waits, as it would with Redis.
    expect(await guess(throttle, 'ada@example.com')).toBe(false);
    expect(await guess(throttle, 'grace@example.com')).toBe(true);
    expect(logger.warnings).toEqual([
      'rate-limit counters unavailable in redis; counting in this replica’s memory until it answers',
    ]);
    // Requests during the outage do not wait for the failing store each time.
    expect(primary.calls).toBe(1);
  });

  it('goes back to the shared store once a background probe gets an answer', async () => {
    const primary = flakyPrimary();
    const logger = recordingLogger();
    const clock = fakeClock(0);
    const store = createFallbackCounterStore({
      primary: primary.store,
      logger,
      probeIntervalMs: 1_000,
      now: clock.now,
    });
    const key = counterKey('test', 'probe');
    await store.attempt(key, RULE, T0);
    primary.down = false;
    // Not yet time to ask again: still memory.
    await store.attempt(key, RULE, T0);
    expect(primary.calls).toBe(1);
    clock.advance(1_000);
    // This one is answered from memory and sends the probe...
    expect((await store.attempt(key, RULE, T0)).state.count).toBe(3);
    await vi.waitFor(() => expect(logger.infos).toEqual(['rate-limit counters back in redis']));
    // ...and the next one is counted in the shared store again (which saw none of the three).
    expect((await store.attempt(key, RULE, T0)).state.count).toBe(1);
    expect(logger.warnings).toHaveLength(1);
  });

  it('treats a store that does not answer in time as down', async () => {
    const primary = flakyPrimary();
    primary.down = false;
    primary.hang = true;
    const logger = recordingLogger();
    const store = createFallbackCounterStore({ primary: primary.store, logger, timeoutMs: 50 });
    const outcome = await fixedWindowLimit(
      store,
      'mail:verification',
      'ada@example.com',
      {
        limit: 5,
        windowMs: 3_600_000,
      },
      T0,
    );
    expect(outcome).toEqual({ allowed: true, remaining: 4 });
    expect(logger.warnings).toHaveLength(1);
  });
});

describe('Redis counter store with Redis unreachable', () => {
  it('answers from memory when nothing listens at the address (a Redis that is down)', async () => {
    const redis = serverLikeClient(`redis://127.0.0.1:${await closedPort()}`);
    const logger = recordingLogger();
    try {
      const store = createRedisCounterStore({ redis, prefix: 'unused:', logger });
      const throttle = createLoginThrottle(CONFIG, store, { now: () => T0 });
      expect(await guess(throttle, 'ada@example.com')).toBe(true);
      expect(await guess(throttle, 'ada@example.com')).toBe(true);
      expect(await guess(throttle, 'ada@example.com')).toBe(false);
      expect(
        await fixedWindowLimit(
          store,
          'mail:verification',
          'ada@example.com',
          { limit: 1, windowMs: 60_000 },
          T0,
        ),
      ).toEqual({ allowed: true, remaining: 0 });
      expect(logger.warnings).toHaveLength(1);
    } finally {
      redis.disconnect();
    }
  });
});

describe.skipIf(!process.env.REDIS_URL)('Redis counter store cut off from Redis and back', () => {
  const url = process.env.REDIS_URL ?? '';
  const prefix = `test:portcullis:ratelimit-fallback:${randomBytes(8).toString('hex')}:`;
  let relay: TcpRelay;
  let admin: Redis;
  const clients: Redis[] = [];

  beforeAll(async () => {
    relay = await startTcpRelay(url);
    admin = new Redis(url);
  });
  afterEach(() => {
    relay.heal();
    for (const client of clients.splice(0)) client.disconnect();
  });
  afterAll(async () => {
    await relay.close();
    await deleteKeys(admin, prefix);
    await admin.quit();
  });

  it('counts in memory while cut off, then in Redis again once the path heals', async () => {
    const redis = serverLikeClient(relay.url);
    clients.push(redis);
    await new Promise((resolve) => redis.once('ready', resolve));
    const logger = recordingLogger();
    const store = createRedisCounterStore({ redis, prefix, logger });
    const throttle = createLoginThrottle(CONFIG, store, { now: () => T0 });
    const before = counterKey('login:identifier', 'before@example.com');
    expect(await guess(throttle, 'before@example.com')).toBe(true);
    expect(await admin.exists(prefix + before)).toBe(1);

    relay.cut();
    expect(await guess(throttle, 'ada@example.com')).toBe(true);
    expect(await guess(throttle, 'ada@example.com')).toBe(true);
    expect(await guess(throttle, 'ada@example.com')).toBe(false);
    const ada = counterKey('login:identifier', 'ada@example.com');
    expect(await admin.exists(prefix + ada)).toBe(0);
    expect(logger.warnings).toHaveLength(1);

    relay.heal();
    // ioredis reconnects by itself; the store notices on a later request and moves back.
    const after = counterKey('login:identifier', 'after@example.com');
    await vi.waitFor(
      async () => {
        await guess(throttle, 'after@example.com');
        expect(await admin.exists(prefix + after)).toBe(1);
      },
      { timeout: 15_000, interval: 100 },
    );
    expect(logger.infos).toEqual(['rate-limit counters back in redis']);
    expect(logger.warnings).toHaveLength(1);
  });
});
