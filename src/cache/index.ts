/**
 * Two-tier cache for hot-path lookups (sessions by token hash, identities by id): an in-process
 * LRU per namespace in front of Redis shared by every replica, or the LRU alone on one node.
 *
 * Consistency, in short:
 * - An `invalidate` that resolves has tombstoned the keys in Redis and published the invalidation;
 *   every replica with a live subscription drops the keys from its LRU on receipt, and no value read
 *   before the invalidation is put back (in Redis or any LRU) for `tombstoneTtlMs`.
 * - A replica that may have missed messages (subscriber disconnected, or a message it cannot read)
 *   drops its whole LRU when the connection goes and again once it is subscribed again; values it
 *   caches while deaf live at most `localTtlMs`, the bound on staleness in every failure mode.
 * - With Redis unreachable, `get` misses (the caller reads SQL), `set` keeps the value locally, and
 *   `invalidate` clears the keys locally and throws `CacheUnavailableError`.
 */

export { CacheUnavailableError } from './errors.js';
export { createTwoTierCache } from './two-tier-cache.js';
export type {
  CacheLogger,
  CacheNamespace,
  CacheStats,
  CacheValue,
  NamespaceOptions,
  TwoTierCache,
  TwoTierCacheOptions,
} from './types.js';
