/**
 * Two-tier cache for hot-path lookups (sessions by token hash, identities by id): an in-process
 * LRU per namespace in front of Redis shared by every replica, or the LRU alone on one node.
 *
 * Consistency, in short:
 * - An `invalidate` that answers `complete` has tombstoned the keys in Redis and published the
 *   invalidation; every replica with a live subscription drops the keys from its LRU on receipt,
 *   and no value read before the invalidation is put back (in Redis or any LRU) for `tombstoneTtlMs`.
 * - The LRUs serve only while the invalidation subscription is known to deliver: confirmed, and
 *   heard from (every replica publishes a heartbeat each `heartbeatIntervalMs`) within
 *   `subscriberSilenceMs`. A replica whose subscriber disconnects or falls silent (a half-open
 *   connection) drops its whole LRU and caches nothing until it is subscribed again; it also
 *   drops it on any message it cannot read.
 * - Nothing lives in Redis longer than its namespace's `maxSharedTtlMs` (5 min by default), and an
 *   LRU copy lives no longer than the Redis entry it came from. So an invalidation that cannot
 *   reach Redis (this replica cut off from it while the others are not) still takes effect
 *   everywhere within `maxSharedTtlMs`: `invalidate` clears the keys here, answers `deferred`
 *   rather than failing, and retries in the background with back-off until Redis takes the keys
 *   (every replica then drops them at once) or the bound has passed. Meanwhile this replica
 *   neither reads those keys from Redis nor writes them there. That is the bound on staleness in
 *   every failure mode.
 * - With Redis unreachable, `get` misses (the caller reads SQL) and `set` keeps nothing.
 */

export { createTwoTierCache } from './two-tier-cache.js';
export type {
  CacheLogger,
  CacheNamespace,
  CacheStats,
  CacheValue,
  InvalidationOutcome,
  NamespaceOptions,
  TwoTierCache,
  TwoTierCacheOptions,
} from './types.js';
