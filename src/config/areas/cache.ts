import type { KratosConfigDocument } from '../types.js';

/** Shared cache settings (Portcullis extension key `cache`). */
export interface CacheConfig {
  /** Redis for sessions and counters; undefined keeps them in process (one node only). */
  readonly redisUrl: string | undefined;
}

/** Reads `cache` (env CACHE_REDIS_URL, or REDIS_URL as an alias). */
export function cacheConfig(document: KratosConfigDocument): CacheConfig {
  return { redisUrl: document.cache?.redis?.url };
}
