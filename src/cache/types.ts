/**
 * The public shapes of the two-tier cache: an in-process LRU in front of an optional Redis.
 */

/**
 * What a namespace can hold: anything but `null` and `undefined`, because `undefined` is how
 * `get` says "miss".
 */
export type CacheValue = NonNullable<unknown>;

/** Where the cache reports trouble; pino's `warn(obj, msg)` fits. */
export interface CacheLogger {
  warn(obj: object, msg: string): void;
}

/** How one namespace keeps its entries. */
export interface NamespaceOptions<T extends CacheValue> {
  /** Most entries this replica keeps in memory for the namespace; the least recently used go first. */
  maxEntries: number;
  /**
   * Longest time an entry stays in this replica's memory (5 to 30 s is typical). It is the bound on
   * staleness if an invalidation message is ever lost; a shorter value costs more Redis reads.
   */
  localTtlMs: number;
  /**
   * Longest time an entry lives in Redis, whatever `ttlMs` `set` is given (default 300 000, 5 min).
   * It bounds how long a value can outlive an invalidation that never reached Redis (see
   * `invalidate`); a shorter value costs more reads behind the cache once per entry and period.
   */
  maxSharedTtlMs?: number;
  /** Turns a value into the string stored in Redis. Default `JSON.stringify`. */
  encode?(value: T): string;
  /**
   * Turns a Redis string back into a value. Default `JSON.parse`, which neither checks the shape
   * nor revives `Date`s: give a codec for values that hold them.
   */
  decode?(text: string): T;
}

/**
 * One kind of cached value (sessions by token hash, identities by id). Values handed out by `get`
 * are shared with other callers and must be treated as immutable.
 */
export interface CacheNamespace<T extends CacheValue> {
  /** The namespace name; part of every Redis key and invalidation message. */
  readonly name: string;
  /**
   * LRU first, then Redis (filling the LRU); `undefined` on a miss, including when Redis is
   * unreachable or the key was invalidated moments ago. An LRU hit neither touches Redis nor decodes.
   */
  get(key: string): Promise<T | undefined>;
  /**
   * The value if the in-process LRU holds it now, synchronously; `undefined` otherwise (a miss, a
   * tombstone, or a value only Redis has: `get` tells those apart). Counts as a local hit when it
   * answers. What `get` would return on an LRU hit, without a promise: for hot paths that can answer
   * without waiting.
   */
  peek(key: string): T | undefined;
  /**
   * Writes the LRU (while the invalidation subscription is live) and Redis; the entry never outlives `ttlMs` (pass a session's time to expiry)
   * nor `maxSharedTtlMs` in either tier. Best-effort: a Redis failure is logged, not thrown. A key
   * invalidated within the last `tombstoneTtlMs`, or whose invalidation is still waiting to reach
   * Redis, is not written at all, so a value read from SQL before a revocation cannot be cached
   * after it. To change a value other replicas may hold, call `invalidate`, not `set`. A `ttlMs`
   * under 1 ms writes nothing.
   */
  set(key: string, value: T, ttlMs: number): Promise<void>;
  /**
   * Removes the keys here at once, and in Redis (leaving a short tombstone that refuses later
   * `set`s of them) telling every replica to drop them from its LRU: `complete` when that is done.
   * When Redis cannot be told it does not throw: the keys are queued and retried in the background
   * (`deferred`) until Redis takes them or `maxSharedTtlMs` has passed, by when whatever Redis held
   * for them has expired. Either way, no replica serves a value cached before the call for longer
   * than `maxSharedTtlMs` after it.
   */
  invalidate(keys: readonly string[]): Promise<InvalidationOutcome>;
}

/**
 * How an `invalidate` ended: `complete` (every replica told, or there are none: memory mode), or
 * `deferred` (Redis unreachable from here; retried in the background, bounded by `maxSharedTtlMs`).
 */
export type InvalidationOutcome = 'complete' | 'deferred';

/** Counters since the cache was created, for metrics and tests. */
export interface CacheStats {
  /** `get`s answered from the in-process LRU. */
  localHits: number;
  /** `get`s answered from Redis. */
  remoteHits: number;
  /** `get`s that found nothing (including those where Redis failed). */
  misses: number;
  /** Redis commands that failed or timed out. */
  remoteErrors: number;
  /** Invalidation messages applied from the channel (this replica's own included). */
  invalidationsReceived: number;
  /**
   * Times the whole LRU was dropped: each (re)subscription, each subscriber disconnect or silence,
   * each unreadable message.
   */
  localResets: number;
  /** Times the subscription was taken for dead because it heard nothing for `subscriberSilenceMs`. */
  subscriberSilences: number;
  /** Keys whose invalidation could not reach Redis and was queued for retry. */
  invalidationsDeferred: number;
  /** Queued keys a later retry invalidated in Redis. */
  invalidationsRetried: number;
  /**
   * Queued keys given up on: their deadline passed (harmless: their entries have expired), the
   * queue was full or the cache closed (they rely on the entries' expiry alone).
   */
  invalidationsAbandoned: number;
  /** Keys queued for retry now. */
  pendingInvalidations: number;
}

/** An LRU per namespace, optionally backed by Redis shared between replicas. */
export interface TwoTierCache {
  /** `redis` when created with a `redisUrl`, `memory` otherwise. */
  readonly mode: 'memory' | 'redis';
  /**
   * Creates the namespace `name` (letters, digits, `_`, `-`, `.`). Each name may be created once
   * per cache, since every replica routes invalidation messages by it.
   */
  namespace<T extends CacheValue>(name: string, options: NamespaceOptions<T>): CacheNamespace<T>;
  /**
   * For readiness checks: Redis answers a PING and the invalidation subscription is live (confirmed,
   * and not silent). Always true in memory mode.
   */
  healthy(): Promise<boolean>;
  /** A snapshot of the counters. */
  stats(): CacheStats;
  /** Closes the Redis connections and empties the LRUs. */
  close(): Promise<void>;
}

/** Options of `createTwoTierCache`. */
export interface TwoTierCacheOptions {
  /** `redis://` or `rediss://` URL. Without it the cache lives in this process only. */
  redisUrl?: string;
  /** Prefix of every Redis key. Default `portcullis:`. */
  keyPrefix?: string;
  /** Pub/sub channel for invalidations. Default `<keyPrefix>cache-invalidations`. */
  channel?: string;
  /**
   * How long an invalidated key refuses `set`s, in Redis and in each LRU. It must exceed the longest
   * time between a SQL read and the `set` that caches it (keep it above the SQL statement timeout).
   * Default 10 000.
   */
  tombstoneTtlMs?: number;
  /**
   * Most keys whose invalidation waits to be retried (all namespaces together); beyond it the
   * oldest are dropped and rely on their entries' expiry alone. Default 100 000.
   */
  maxPendingInvalidations?: number;
  /** A Redis command not answered in this time fails (a `get` then misses). Default 1 000. */
  commandTimeoutMs?: number;
  /**
   * How often this replica publishes a heartbeat on the invalidation channel. Every replica hears
   * every heartbeat, so a live subscription is never quiet for long. Default 1 000.
   */
  heartbeatIntervalMs?: number;
  /**
   * A subscription that has heard nothing (no heartbeat, no invalidation) for this long is taken
   * for dead, as on a half-open connection that never reports a disconnect: the LRUs are emptied
   * and stay unused (every `get` goes to Redis or misses) until a new subscription is confirmed.
   * Must exceed `heartbeatIntervalMs`. Default 3 000.
   */
  subscriberSilenceMs?: number;
  /**
   * Prefix of the Redis connection names shown by `CLIENT LIST` (`<name>:cmd`, `<name>:sub`).
   * Default `portcullis-cache`.
   */
  clientName?: string;
  /** Receives warnings: Redis lost, an unreadable message, a value that would not decode. */
  logger?: CacheLogger;
}
