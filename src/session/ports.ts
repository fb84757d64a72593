/** One namespace of the two-tier (LRU, then Redis) cache, as the session manager uses it. */
export interface CacheNamespace<T> {
  get(key: string): Promise<T | undefined>;
  /**
   * The value if this process's in-memory tier holds it now, without waiting for anything else
   * (`undefined` is not a miss: ask `get`). Optional: without it every lookup goes through `get`.
   */
  peek?(key: string): T | undefined;
  set(key: string, value: T, ttlMs: number): Promise<void>;
  /** Drops the keys here and on every replica. */
  invalidate(keys: readonly string[]): Promise<void>;
}
