/**
 * One namespace's in-process tier: an LRU of decoded values plus the bookkeeping that keeps a
 * late Redis reply from re-filling it with a value invalidated meanwhile.
 */
import { LRUCache } from 'lru-cache';
import type { CacheValue } from './types.js';

/** Marks a key invalidated moments ago: `get` misses and `set` is refused until it expires. */
export const TOMBSTONE: unique symbol = Symbol('portcullis.cache.tombstone');

/** What the LRU holds under a key. */
export type LocalSlot<T> = T | typeof TOMBSTONE;

/** Settings of a {@link LocalTier}. */
export interface LocalTierOptions {
  maxEntries: number;
  localTtlMs: number;
  tombstoneTtlMs: number;
  /** Milliseconds clock for TTLs; tests pass a fake one. Must never return 0 (lru-cache reads 0 as "no TTL"). */
  now?: () => number;
}

/**
 * The LRU of one namespace.
 *
 * `generation` goes up on every invalidation or reset this replica applies. A caller that reads
 * Redis notes the generation first and passes it to {@link LocalTier.store}; if an invalidation was
 * applied in between, the store is skipped. Per namespace rather than per key: a false positive
 * only costs one more Redis read later, and the hit path stays a plain `Map` lookup.
 */
export class LocalTier<T extends CacheValue> {
  readonly #lru: LRUCache<string, LocalSlot<T>>;
  readonly #localTtlMs: number;
  readonly #tombstoneTtlMs: number;
  #generation = 0;
  #suspended = false;

  constructor(options: LocalTierOptions) {
    this.#localTtlMs = options.localTtlMs;
    this.#tombstoneTtlMs = options.tombstoneTtlMs;
    const clock = options.now;
    this.#lru = new LRUCache<string, LocalSlot<T>>({
      max: options.maxEntries,
      ttl: options.localTtlMs,
      // Absolute expiry: a hot entry must not live forever just because it is read often.
      updateAgeOnGet: false,
      // lru-cache caches "now" for ttlResolution ms; a fake clock must be read every time.
      ...(clock === undefined ? {} : { perf: { now: clock }, ttlResolution: 0 }),
    });
  }

  /** Bumped by every invalidation or reset applied here. */
  get generation(): number {
    return this.#generation;
  }

  /** Entries held now, tombstones included (expired ones may linger until touched or evicted). */
  get size(): number {
    return this.#lru.size;
  }

  /** The value, {@link TOMBSTONE} if the key was invalidated recently, or `undefined`. */
  lookup(key: string): LocalSlot<T> | undefined {
    return this.#lru.get(key);
  }

  /** Whether the key holds an unexpired tombstone; does not count as a use. */
  isBuried(key: string): boolean {
    return this.#lru.peek(key) === TOMBSTONE;
  }

  /**
   * Keeps `value` for `min(localTtlMs, ttlMs)`, unless an invalidation or reset was applied since
   * `since` (a {@link LocalTier.generation} read before the value was fetched) or the tier is
   * suspended. Returns whether it was stored.
   */
  store(key: string, value: T, ttlMs: number, since: number): boolean {
    if (since !== this.#generation || this.#suspended) return false;
    const ttl = Math.floor(Math.min(this.#localTtlMs, ttlMs));
    // lru-cache reads a TTL of 0 as "never expires".
    if (!(ttl >= 1)) return false;
    this.#lru.set(key, value, { ttl });
    return true;
  }

  /** Replaces the keys with tombstones and bumps the generation. */
  bury(keys: readonly string[]): void {
    for (const key of keys) this.#lru.set(key, TOMBSTONE, { ttl: this.#tombstoneTtlMs });
    this.#generation++;
  }

  /** Drops every entry and tombstone and bumps the generation. */
  clear(): void {
    this.#lru.clear();
    this.#generation++;
  }

  /**
   * Empties the tier and stores nothing until {@link LocalTier.resume}: for while invalidations may
   * not be arriving. Tombstones are still kept, so a local invalidation is honoured meanwhile.
   * `lookup` needs no check of its own: an empty LRU holding only tombstones serves no value.
   */
  suspend(): void {
    this.#suspended = true;
    this.clear();
  }

  /** Empties the tier (what it missed meanwhile is unknown) and stores again. */
  resume(): void {
    this.#suspended = false;
    this.clear();
  }
}
