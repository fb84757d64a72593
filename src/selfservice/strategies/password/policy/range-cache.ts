/**
 * A small LRU cache with a time to live for HIBP ranges, so a resubmitted form or a password
 * checked against several identifiers does not hit the network again. It holds ranges (public
 * data keyed by a 5-character prefix), never a password or its full hash.
 */

interface Entry<V> {
  value: V;
  expiresAt: number;
}

/** LRU + TTL on a Map: insertion order is recency order. */
export class RangeCache<V> {
  readonly #entries = new Map<string, Entry<V>>();
  readonly #capacity: number;
  readonly #ttlMs: number;
  readonly #now: () => number;

  /**
   * @param capacity - most entries kept; the least recently used goes first.
   * @param ttlMs - how long an entry is served; breach counts only grow, so staleness is mild.
   * @param now - clock in milliseconds.
   */
  constructor(capacity: number, ttlMs: number, now: () => number = Date.now) {
    this.#capacity = capacity;
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  /** The live value for `key`, marking it most recently used. */
  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAt <= this.#now()) return undefined;
    this.#entries.set(key, entry);
    return entry.value;
  }

  /** Stores `value`, evicting the least recently used entry when full. */
  set(key: string, value: V): void {
    if (this.#capacity <= 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: this.#now() + this.#ttlMs });
    while (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
  }

  /** Number of entries held, live or not yet swept. */
  get size(): number {
    return this.#entries.size;
  }
}
