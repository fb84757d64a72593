/** One namespace of the two-tier (LRU, then Redis) cache, as the session manager uses it. */
export interface CacheNamespace<T> {
  get(key: string): Promise<T | undefined>;
  set(key: string, value: T, ttlMs: number): Promise<void>;
  /** Drops the keys here and on every replica. */
  invalidate(keys: readonly string[]): Promise<void>;
}
