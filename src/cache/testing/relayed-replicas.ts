/**
 * Cache replicas on a real Redis for tests that cut or freeze one replica's path to it: a private
 * scope of the Redis (see redis.ts) and a TCP relay in front of it (see tcp-relay.ts).
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createTwoTierCache } from '../two-tier-cache.js';
import type { TwoTierCache, TwoTierCacheOptions } from '../types.js';
import { type RedisTestScope, redisTestScope, TEST_REDIS_URL } from './redis.js';
import { startTcpRelay, type TcpRelay } from './tcp-relay.js';

export interface RelayedReplicas {
  readonly scope: RedisTestScope;
  /** A replica given `{ redisUrl: relay.url }` reaches Redis through it; the others directly. */
  readonly relay: TcpRelay;
  /** A replica named `name`, with the suite's options and `extra` over them; closed after the test. */
  replica(name: string, extra?: TwoTierCacheOptions): Promise<TwoTierCache>;
  /** Closes `cache` after the test, as the replicas `replica` opens. */
  closeAfterTest(cache: TwoTierCache): void;
}

/**
 * Registers the hooks of the `describe` it is called in (which must skip when TEST_REDIS_URL is
 * unset): the scope and relay from `beforeAll` to `afterAll`, the relay healed and the test's
 * replicas closed after each test.
 */
export function useRelayedReplicas(options: TwoTierCacheOptions = {}): RelayedReplicas {
  let scope: RedisTestScope | undefined;
  let relay: TcpRelay | undefined;
  const opened: TwoTierCache[] = [];
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the Redis scope and relay start in beforeAll');
    return value;
  };

  beforeAll(async () => {
    if (TEST_REDIS_URL === undefined) throw new Error('REDIS_URL is not set: skip the suite');
    scope = redisTestScope(TEST_REDIS_URL);
    relay = await startTcpRelay(scope.url);
  });
  afterEach(async () => {
    relay?.heal();
    await Promise.all(opened.splice(0).map((cache) => cache.close()));
  });
  afterAll(async () => {
    await relay?.close();
    await scope?.cleanup();
  });

  return {
    get scope() {
      return started(scope);
    },
    get relay() {
      return started(relay);
    },
    async replica(name, extra = {}) {
      const cache = await createTwoTierCache(started(scope).options(name, { ...options, ...extra }));
      opened.push(cache);
      return cache;
    },
    closeAfterTest(cache) {
      opened.push(cache);
    },
  };
}
