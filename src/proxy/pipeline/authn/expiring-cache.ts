import { LRUCache } from 'lru-cache';
import { parseDuration } from '../../../kernel/duration.js';
import { isPlainObject } from '../../template/values.js';
import type { Prepared } from '../handler.js';

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

/** An authenticator's `cache` block, read: the entries, and the `ttl` that caps each one. */
export interface CacheSettings<V extends object> {
  entries: ExpiringCache<V>;
  /** `cache.ttl` in ms; undefined when unset (entries then live as long as what they cache). */
  ttlMs: number | undefined;
}

/**
 * Reads `{ enabled, ttl, <sizeKey> }` (Oathkeeper's `cache` of the OAuth 2.0 authenticators):
 * undefined when not enabled; the size defaults to `defaultSize` and is capped at `maxSize`.
 */
export function cacheSettingsFromConfig<V extends object>(
  raw: unknown,
  sizeKey: 'max_tokens' | 'max_cost',
  defaultSize: number,
  maxSize: number,
): Prepared<CacheSettings<V> | undefined> {
  if (!isPlainObject(raw) || raw.enabled !== true) return { ok: true, config: undefined };
  const ttlMs = typeof raw.ttl === 'string' ? parseDuration(raw.ttl) : undefined;
  if (typeof raw.ttl === 'string' && ttlMs === undefined)
    return { ok: false, message: 'cache.ttl is not a duration' };
  const size = raw[sizeKey];
  const entries = typeof size === 'number' ? size : defaultSize;
  if (entries < 1) return { ok: false, message: `cache.${sizeKey} must be at least 1` };
  return { ok: true, config: { entries: new ExpiringCache<V>(Math.min(entries, maxSize)), ttlMs } };
}
