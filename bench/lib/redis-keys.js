import { Redis } from 'ioredis';

/**
 * Deletes every key under `prefix`: the bench's Redis cache entries live under a prefix of
 * their own and are removed afterwards, so nothing carries over into a shared Redis.
 *
 * @param {string} url
 * @param {string} prefix
 */
export async function deleteKeys(url, prefix) {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
