import type { KratosConfigDocument } from '../types.js';

/** Shared cache settings (Portcullis extension key `cache`). */
export interface CacheConfig {
  /** Redis for sessions and counters; undefined keeps them in process (one node only). */
  readonly redisUrl: string | undefined;
  /** Prefix of every key (and the invalidation channel), so environments can share a Redis. */
  readonly keyPrefix: string;
}

export const DEFAULT_CACHE_KEY_PREFIX = 'portcullis:';

/** Reads `cache` (env CACHE_REDIS_URL, or REDIS_URL as an alias; CACHE_REDIS_KEY_PREFIX). */
export function cacheConfig(document: KratosConfigDocument): CacheConfig {
  return {
    redisUrl: document.cache?.redis?.url,
    keyPrefix: document.cache?.redis?.key_prefix ?? DEFAULT_CACHE_KEY_PREFIX,
  };
}
