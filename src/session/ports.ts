/** One namespace of the two-tier (LRU, then Redis) cache, as the session manager uses it. */
export interface CacheNamespace<T> {
  get(key: string): Promise<T | undefined>;
  /**
   * The value if this process's in-memory tier holds it now, without waiting for anything else
   * (`undefined` is not a miss: ask `get`). Optional: without it every lookup goes through `get`.
   */
  peek?(key: string): T | undefined;
  set(key: string, value: T, ttlMs: number): Promise<void>;
  /**
   * Drops the keys here at once and on every replica: at once too when Redis can be told
   * (`complete`), otherwise (`deferred`, retried in the background) within the namespace's bound
   * on how long entries live in Redis. It does not fail for an unreachable Redis, so a revocation
   * that has reached SQL is reported as done.
   */
  invalidate(keys: readonly string[]): Promise<'complete' | 'deferred'>;
}
