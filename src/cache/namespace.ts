/**
 * One namespace: the read path LRU -> Redis, guarded writes and broadcast invalidation.
 */
import type { InvalidationRetry } from './invalidation-retry.js';
import { type LocalTier, TOMBSTONE } from './local-tier.js';
import type { SharedTier } from './shared-tier.js';
import type { CacheNamespace, CacheStats, CacheValue } from './types.js';

/** Encoding of values for the shared tier. */
export interface Codec<T> {
  encode(value: T): string;
  decode(text: string): T;
}

/** What a namespace is built from; the cache assembles these. */
export interface NamespaceParts<T extends CacheValue> {
  name: string;
  local: LocalTier<T>;
  codec: Codec<T>;
  /** Absent in memory-only mode: Redis, and the queue of invalidations it missed. */
  shared: { tier: SharedTier; retry: InvalidationRetry } | undefined;
  /** Longest life of an entry in Redis, whatever `set` is asked; bounds a missed invalidation. */
  maxSharedTtlMs: number;
  /**
   * How long a failed invalidation is retried: until any value it was meant to remove has expired
   * from Redis. That is `maxSharedTtlMs` after the last write of such a value, which comes at most
   * `tombstoneTtlMs` after the failure (the longest time from a SQL read to its `set`).
   */
  retryHorizonMs: number;
  /** Counters shared by every namespace of the cache. */
  stats: CacheStats;
  /** Called when the shared tier failed; `undefined` when it answered. */
  remoteOutcome(operation: 'get' | 'set' | 'invalidate', error?: unknown): void;
  /** Called when a stored value would not decode. */
  undecodable(namespace: string, error: unknown): void;
}

/** Builds a namespace over its local tier and the optional shared tier. */
export function createNamespace<T extends CacheValue>(parts: NamespaceParts<T>): CacheNamespace<T> {
  const { name, local, codec, shared, stats, maxSharedTtlMs, retryHorizonMs } = parts;

  async function readShared(key: string, tier: SharedTier): Promise<T | undefined> {
    // Noted before the read: if an invalidation of this namespace is applied while the read is in
    // flight, the value may predate it and must not be kept (see LocalTier.store).
    const since = local.generation;
    let entry: Awaited<ReturnType<SharedTier['read']>>;
    try {
      entry = await tier.read(name, key);
      parts.remoteOutcome('get');
    } catch (error) {
      parts.remoteOutcome('get', error);
      return undefined;
    }
    if (entry === undefined) return undefined;
    let value: T;
    try {
      value = codec.decode(entry.text);
    } catch (error) {
      parts.undecodable(name, error);
      return undefined;
    }
    local.store(key, value, entry.ttlMs, since);
    // Returned even when not kept: Redis served it before any tombstone, so it was current during
    // this call, which ran concurrently with the invalidation.
    return value;
  }

  return {
    name,

    async get(key) {
      const slot = local.lookup(key);
      if (slot !== undefined && slot !== TOMBSTONE) {
        stats.localHits++;
        return slot;
      }
      // A local tombstone means Redis holds one too: no need to ask. An invalidation still waiting
      // to reach Redis means Redis may hold the very value it is for: do not ask either.
      const value =
        slot === undefined && shared !== undefined && !shared.retry.has(name, key)
          ? await readShared(key, shared.tier)
          : undefined;
      if (value === undefined) stats.misses++;
      else stats.remoteHits++;
      return value;
    },

    peek(key) {
      const slot = local.lookup(key);
      if (slot === undefined || slot === TOMBSTONE) return undefined;
      stats.localHits++;
      return slot;
    },

    async set(key, value, ttlMs) {
      if (Number.isNaN(ttlMs)) throw new RangeError('cache ttlMs must be a number of milliseconds');
      // Capped so that whatever an invalidation Redis never got was meant to remove expires soon.
      const ttl = Math.floor(Math.min(ttlMs, maxSharedTtlMs));
      if (ttl < 1) return;
      const since = local.generation;
      if (shared === undefined) {
        if (!local.isBuried(key)) local.store(key, value, ttl, since);
        return;
      }
      // The value may have been read before the invalidation that waits: it must not go back.
      if (shared.retry.has(name, key)) return;
      const text = codec.encode(value);
      let accepted: boolean;
      try {
        accepted = await shared.tier.write(name, key, text, ttl);
        parts.remoteOutcome('set');
      } catch (error) {
        parts.remoteOutcome('set', error);
        // Best effort: keep it here, unless it was invalidated moments ago.
        if (!local.isBuried(key)) local.store(key, value, ttl, since);
        return;
      }
      // Redis has the last word: it refused (tombstone) or took the value. The generation check
      // covers an invalidation that reached Redis after our write but reached us before its reply.
      if (accepted) local.store(key, value, ttl, since);
    },

    async invalidate(keys) {
      if (keys.length === 0) return 'complete';
      // Local first: this replica stops serving the keys even if Redis is unreachable.
      local.bury(keys);
      if (shared === undefined) return 'complete';
      try {
        await shared.tier.invalidate(name, keys);
      } catch (error) {
        parts.remoteOutcome('invalidate', error);
        // Other replicas may read the old value from Redis until it expires there (within
        // maxSharedTtlMs); retried until then, so that they stop sooner if Redis can be told.
        shared.retry.add(name, keys, retryHorizonMs);
        stats.invalidationsDeferred += keys.length;
        return 'deferred';
      }
      parts.remoteOutcome('invalidate');
      return 'complete';
    },
  };
}
