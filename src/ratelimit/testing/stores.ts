import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createMemoryCounterStore } from '../memory-store.js';
import { createRedisCounterStore } from '../redis-store.js';
import type { CounterStore } from '../store.js';

/** A store under test, and how to remove every key it wrote. */
export interface OpenedStore {
  readonly store: CounterStore;
  /** Another store over the same counters, as a second replica would see them (own Redis connection). */
  replica(): CounterStore;
  close(): Promise<void>;
}

/**
 * The stores every contract suite runs against: memory always, Redis whenever REDIS_URL is set
 * (CI sets it). Each Redis store gets a random key prefix, so concurrent runs never meet, and
 * `close` deletes its keys.
 */
export interface TestStore {
  readonly name: 'memory' | 'redis';
  open(): Promise<OpenedStore>;
}

export function testStores(): TestStore[] {
  const stores: TestStore[] = [{ name: 'memory', open: async () => openMemory() }];
  const url = process.env.REDIS_URL;
  if (url) stores.push({ name: 'redis', open: () => openRedis(url) });
  return stores;
}

function openMemory(): OpenedStore {
  const store = createMemoryCounterStore();
  // One process has one memory store: every "replica" shares it.
  return { store, replica: () => store, close: async () => {} };
}

async function openRedis(url: string): Promise<OpenedStore> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  const replicas: Redis[] = [];
  const prefix = `test:portcullis:ratelimit:${randomBytes(8).toString('hex')}:`;
  return {
    // No memory fallback: the contract is tested on Redis itself.
    store: createRedisCounterStore({ redis, prefix, whenUnavailable: 'none' }),
    replica() {
      const connection = new Redis(url, { maxRetriesPerRequest: 1 });
      replicas.push(connection);
      return createRedisCounterStore({ redis: connection, prefix, whenUnavailable: 'none' });
    },
    async close() {
      await deleteKeys(redis, prefix);
      await Promise.all([redis, ...replicas].map((connection) => connection.quit()));
    },
  };
}

/** Deletes every key under `prefix` (SCAN, not KEYS, so a shared Redis is not blocked). */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
