/**
 * Helpers for cache tests against a real Redis: a private key prefix, channel and connection
 * names per test file, an admin connection to look behind the cache's back, and cleanup.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import type { TwoTierCacheOptions } from '../types.js';

/** The Redis the suites run against; they are skipped when it is unset. */
export const TEST_REDIS_URL = process.env.REDIS_URL;

/** One test file's private corner of the shared Redis. */
export interface RedisTestScope {
  readonly url: string;
  readonly keyPrefix: string;
  readonly channel: string;
  /** A plain connection for raw reads, writes and CLIENT commands. */
  readonly admin: Redis;
  /** Options for a replica named `replica` (its connections are named after it). */
  options(replica: string, extra?: TwoTierCacheOptions): TwoTierCacheOptions & { redisUrl: string };
  /** The Redis key the cache uses for `key` of `namespace`. */
  redisKey(namespace: string, key: string): string;
  /** Drops the connection named `<replica>:<role>` as a network failure would; throws if none. */
  killConnection(replica: string, role: 'cmd' | 'sub'): Promise<void>;
  /** Deletes every key under the prefix and closes the admin connection. */
  cleanup(): Promise<void>;
}

/** A fresh scope; random names keep parallel runs on one Redis apart. */
export function redisTestScope(url: string): RedisTestScope {
  const id = randomBytes(6).toString('hex');
  const keyPrefix = `portcullis-test:${id}:`;
  const channel = `${keyPrefix}invalidations`;
  const admin = new Redis(url, { lazyConnect: false });
  const clientName = (replica: string): string => `portcullis-test-${id}-${replica}`;

  return {
    url,
    keyPrefix,
    channel,
    admin,
    options(replica, extra = {}) {
      return { redisUrl: url, keyPrefix, channel, clientName: clientName(replica), ...extra };
    },
    redisKey(namespace, key) {
      return `${keyPrefix}${namespace}:${key}`;
    },
    async killConnection(replica, role) {
      const name = `${clientName(replica)}:${role}`;
      const list = String(await admin.call('CLIENT', 'LIST'));
      const line = list.split('\n').find((entry) => entry.split(' ').includes(`name=${name}`));
      const id = line?.match(/(?:^| )id=(\d+)/)?.[1];
      if (id === undefined) throw new Error(`no Redis connection named ${name}`);
      await admin.call('CLIENT', 'KILL', 'ID', id);
    },
    async cleanup() {
      let cursor = '0';
      do {
        const [next, keys] = await admin.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 500);
        if (keys.length > 0) await admin.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      await admin.quit();
    },
  };
}

/** A TCP port on 127.0.0.1 with nothing listening: connections to it are refused at once. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}
