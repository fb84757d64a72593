/**
 * Invalidations that could not reach Redis, retried in the background until they do or until they
 * no longer matter.
 *
 * An invalidation that never reaches Redis leaves the old value there, where other replicas read
 * it. Every value in Redis expires within its namespace's `maxSharedTtlMs`, so once that much time
 * has passed since the failure nothing the invalidation was meant to remove can still be there, and
 * the retry stops. Until then it is retried with back-off, the keys of every failure merged into
 * one bounded queue.
 */
import type { CacheLogger, CacheStats } from './types.js';

/** What the queue needs from the cache around it. */
export interface InvalidationRetryOptions {
  /** Tombstones and broadcasts one namespace's keys; rejects when Redis cannot be told. */
  send(namespace: string, keys: readonly string[]): Promise<void>;
  /** Most keys waiting at once, all namespaces together; the oldest are dropped first. */
  maxKeys: number;
  /** Milliseconds clock, the one the deadlines are taken on. */
  now(): number;
  logger: CacheLogger;
  /** The cache's counters, kept up to date here. */
  stats: Pick<CacheStats, 'invalidationsRetried' | 'invalidationsAbandoned'>;
  /** Wait before the first retry, and after any retry that made progress. Default 100. */
  firstDelayMs?: number;
  /** Longest wait between retries; each failed one doubles the wait up to it. Default 2 000. */
  maxDelayMs?: number;
}

/** One key waiting; replaced (not updated) when the key fails again, see `#run`. */
interface PendingKey {
  namespace: string;
  key: string;
  /** After this (on `now()`), whatever the invalidation was for has expired from Redis. */
  deadline: number;
}

/** Keys per Redis script, as a bulk revocation batch sends them. */
const KEYS_PER_SEND = 1_000;

/** The retry queue of one cache. */
export class InvalidationRetry {
  readonly #options: InvalidationRetryOptions;
  readonly #firstDelayMs: number;
  readonly #maxDelayMs: number;
  /** By `<namespace>:<key>` (namespace names hold no `:`), oldest first. */
  readonly #pending = new Map<string, PendingKey>();
  #delayMs: number;
  #timer: NodeJS.Timeout | undefined;
  /** When the timer fires, on `performance.now()` (the timers' own time, whatever `now` is). */
  #dueAt = 0;
  #running = false;
  #closed = false;
  /** Whether this outage (queue non-empty) has been reported, and its overflow. */
  #warned = false;
  #warnedFull = false;

  constructor(options: InvalidationRetryOptions) {
    this.#options = options;
    this.#firstDelayMs = options.firstDelayMs ?? 100;
    this.#maxDelayMs = options.maxDelayMs ?? 2_000;
    this.#delayMs = this.#firstDelayMs;
  }

  /** Keys waiting now. */
  get size(): number {
    return this.#pending.size;
  }

  /**
   * Whether an invalidation of the key is waiting: Redis may still hold the value it was meant to
   * remove, so the key must be neither read from Redis nor written there meanwhile.
   */
  has(namespace: string, key: string): boolean {
    return this.#pending.size > 0 && this.#pending.has(`${namespace}:${key}`);
  }

  /** Queues the keys of a failed invalidation, to be retried for `horizonMs` from now. */
  add(namespace: string, keys: readonly string[], horizonMs: number): void {
    if (this.#closed) return;
    const deadline = this.#options.now() + horizonMs;
    for (const key of keys) {
      const id = `${namespace}:${key}`;
      // Deleted first so that a key failing again moves to the back, with its later deadline.
      this.#pending.delete(id);
      this.#pending.set(id, { namespace, key, deadline });
    }
    if (!this.#warned) {
      this.#warned = true;
      this.#options.logger.warn(
        { namespace, keys: keys.length },
        'cache invalidation did not reach redis; retrying it in the background',
      );
    }
    this.#dropOverflow();
    // A retry already due takes these keys too.
    if (this.#timer === undefined) this.#schedule(this.#delayMs);
  }

  /**
   * Something reached Redis just now: retry soon rather than at the end of the back-off. Soon, not
   * at once: if invalidations keep failing while reads succeed, every read would set off a retry.
   */
  kick(): void {
    if (this.#pending.size === 0 || this.#running || this.#closed) return;
    this.#delayMs = this.#firstDelayMs;
    if (this.#timer === undefined || this.#dueAt - performance.now() > this.#firstDelayMs) {
      this.#schedule(this.#firstDelayMs);
    }
  }

  /** Stops retrying; what is still queued relies on the expiry of the entries alone. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.size === 0) return;
    this.#options.stats.invalidationsAbandoned += this.#pending.size;
    this.#options.logger.warn(
      { keys: this.#pending.size },
      'cache closed with invalidations that never reached redis; their entries expire there by themselves',
    );
    this.#pending.clear();
  }

  #schedule(delayMs: number): void {
    if (this.#running || this.#closed) return;
    clearTimeout(this.#timer);
    this.#dueAt = performance.now() + delayMs;
    this.#timer = setTimeout(() => void this.#run(), delayMs);
    // Retries alone must not keep a process alive that is otherwise done.
    this.#timer.unref();
  }

  /** One pass: sends batch after batch until the queue is empty or Redis fails again. */
  async #run(): Promise<void> {
    this.#timer = undefined;
    this.#running = true;
    try {
      while (!this.#closed) {
        this.#dropExpired();
        const batch = this.#nextBatch();
        if (batch === undefined) break;
        const [first] = batch;
        if (first === undefined) break;
        try {
          await this.#options.send(
            first.namespace,
            batch.map((pending) => pending.key),
          );
        } catch {
          // Reported by the cache (once per outage); wait longer each time it fails.
          this.#delayMs = Math.min(this.#delayMs * 2, this.#maxDelayMs);
          return;
        }
        this.#delayMs = this.#firstDelayMs;
        for (const pending of batch) {
          const id = `${pending.namespace}:${pending.key}`;
          // A key that failed again while this batch was in flight stays: its invalidation may
          // have been for a write that Redis saw after this batch.
          if (this.#pending.get(id) !== pending) continue;
          this.#pending.delete(id);
          this.#options.stats.invalidationsRetried++;
        }
      }
    } finally {
      this.#running = false;
      if (this.#pending.size === 0) {
        this.#warned = false;
        this.#warnedFull = false;
      } else {
        this.#schedule(this.#delayMs);
      }
    }
  }

  /** The oldest key's namespace and up to a script's worth of its keys, oldest first. */
  #nextBatch(): PendingKey[] | undefined {
    let namespace: string | undefined;
    const batch: PendingKey[] = [];
    for (const pending of this.#pending.values()) {
      namespace ??= pending.namespace;
      if (pending.namespace !== namespace) continue;
      batch.push(pending);
      if (batch.length === KEYS_PER_SEND) break;
    }
    return batch.length === 0 ? undefined : batch;
  }

  /** Past its deadline an invalidation has nothing left to remove: Redis expired it. */
  #dropExpired(): void {
    const now = this.#options.now();
    for (const [id, pending] of this.#pending) {
      if (pending.deadline > now) continue;
      this.#pending.delete(id);
      this.#options.stats.invalidationsAbandoned++;
    }
  }

  /** Beyond `maxKeys` the oldest go: they are the nearest to expiring from Redis anyway. */
  #dropOverflow(): void {
    const excess = this.#pending.size - this.#options.maxKeys;
    if (excess <= 0) return;
    let dropped = 0;
    for (const id of this.#pending.keys()) {
      if (dropped === excess) break;
      this.#pending.delete(id);
      dropped++;
    }
    this.#options.stats.invalidationsAbandoned += dropped;
    if (this.#warnedFull) return;
    this.#warnedFull = true;
    this.#options.logger.warn(
      { dropped, maxKeys: this.#options.maxKeys },
      'cache invalidation retry queue full; dropped the oldest, which expire from redis by themselves',
    );
  }
}
