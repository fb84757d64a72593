import { Counter, Gauge, type Registry } from 'prom-client';
import type { CacheStats, TwoTierCache } from '../cache/index.js';

/**
 * The session cache's state, read at each scrape (nothing on the request path). Redis is not a
 * readiness check (see readiness.ts): this is where an operator sees a replica serving from SQL
 * (`portcullis_cache_redis_up 0`) or holding invalidations it could not publish
 * (`portcullis_cache_pending_invalidations`), and alerts on it.
 */
export function registerCacheMetrics(
  registry: Registry,
  cache: Pick<TwoTierCache, 'mode' | 'healthy' | 'stats'>,
): void {
  const registers = [registry];
  if (cache.mode === 'redis') {
    new Gauge({
      name: 'portcullis_cache_redis_up',
      help: '1 while Redis answers and the invalidation subscription is live; 0 while this replica serves sessions from SQL',
      registers,
      async collect() {
        this.set((await cache.healthy()) ? 1 : 0);
      },
    });
  }
  new Gauge({
    name: 'portcullis_cache_pending_invalidations',
    help: 'Cache keys whose invalidation could not reach Redis and waits to be retried (bounded by the shared TTL)',
    registers,
    collect() {
      this.set(cache.stats().pendingInvalidations);
    },
  });
  const counters: readonly [keyof CacheStats, string, string][] = [
    [
      'invalidationsDeferred',
      'invalidations_deferred_total',
      'Cache keys whose invalidation was queued for retry',
    ],
    ['invalidationsAbandoned', 'invalidations_abandoned_total', 'Queued invalidations given up on'],
    ['localResets', 'local_resets_total', 'Times the in-process cache was emptied'],
    ['remoteErrors', 'redis_errors_total', 'Redis commands that failed or timed out'],
  ];
  for (const [stat, name, help] of counters) {
    new Counter({
      name: `portcullis_cache_${name}`,
      help,
      registers,
      collect() {
        // The cache keeps the running total; a scrape copies it.
        this.reset();
        this.inc(cache.stats()[stat]);
      },
    });
  }
}
