import { LRUCache } from 'lru-cache';

/**
 * A bounded map of values that each carry their own expiry, read against `Date.now()`. The
 * LRU is sized by entry count without `max`, because lru-cache allocates `max` slots up front
 * and Oathkeeper's defaults (`max_cost: 100000000`) would reserve gigabytes per rule.
 */
export class ExpiringCache<V extends object> {
  readonly #lru: LRUCache<string, { value: V; expiresAt: number }>;

  constructor(maxEntries: number) {
    this.#lru = new LRUCache({ maxSize: Math.max(1, maxEntries), sizeCalculation: () => 1 });
  }

  get(key: string): V | undefined {
    const entry = this.#lru.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.#lru.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Keeps `value` until `expiresAt` (epoch ms); a time already past stores nothing. */
  set(key: string, value: V, expiresAt: number): void {
    if (expiresAt <= Date.now()) return;
    this.#lru.set(key, { value, expiresAt });
  }

  get size(): number {
    return this.#lru.size;
  }
}
