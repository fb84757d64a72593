import { LRUCache } from 'lru-cache';
import { admit, liveState, refundOne } from './rule.js';
import type { AttemptOutcome, AttemptRule, CounterState, CounterStore } from './store.js';

/** Options of {@link createMemoryCounterStore}. */
export interface MemoryCounterStoreOptions {
  /**
   * Most counters kept (default {@link MEMORY_STORE_DEFAULT_MAX_KEYS}, about 20 MB). The least
   * recently used are dropped first, so spraying identifiers cannot exhaust memory; the price
   * is that a spray that large can evict a counter early.
   */
  readonly maxKeys?: number;
}

/** Default bound of the in-memory store. */
export const MEMORY_STORE_DEFAULT_MAX_KEYS = 100_000;

/**
 * Counters in this process: right for one node (a laptop, `dsn: memory`), wrong for several
 * replicas, which would each count on their own. Every operation runs synchronously inside one
 * call, so it is atomic with respect to the event loop.
 */
export function createMemoryCounterStore(options: MemoryCounterStoreOptions = {}): CounterStore {
  const counters = new LRUCache<string, CounterState>({
    max: options.maxKeys ?? MEMORY_STORE_DEFAULT_MAX_KEYS,
  });

  return {
    async attempt(key: string, rule: AttemptRule, now: number): Promise<AttemptOutcome> {
      const outcome = admit(counters.get(key), rule, now);
      // The TTL only frees memory early (it runs on the real clock); expiry is decided by
      // windowEndsAt against the caller's clock, as in the Redis store.
      if (outcome.admitted) counters.set(key, outcome.state, { ttl: outcome.state.windowEndsAt - now });
      return outcome;
    },

    async peek(key: string, now: number): Promise<CounterState> {
      return liveState(counters.peek(key), now);
    },

    async refund(key: string, rule: AttemptRule, now: number): Promise<void> {
      const state = refundOne(counters.peek(key), rule, now);
      if (state !== undefined) counters.set(key, state, { noUpdateTTL: true });
    },

    async reset(key: string): Promise<void> {
      counters.delete(key);
    },
  };
}
