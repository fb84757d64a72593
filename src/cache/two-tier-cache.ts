/**
 * Assembles the cache: a registry of namespaces, each with its own LRU, over an optional shared
 * tier that feeds invalidations back to every namespace.
 */
import { InvalidationRetry } from './invalidation-retry.js';
import { LocalTier } from './local-tier.js';
import { createNamespace } from './namespace.js';
import { type CacheSettings, checkNamespace, DEFAULT_MAX_SHARED_TTL_MS, resolveSettings } from './options.js';
import { connectRedisSharedTier } from './redis-shared-tier.js';
import { withoutDetails } from './safe-error.js';
import type { InvalidationListener, SharedTier } from './shared-tier.js';
import type { CacheStats, CacheValue, NamespaceOptions, TwoTierCache, TwoTierCacheOptions } from './types.js';

/** Opens the shared tier, given where to deliver invalidations. */
export type SharedTierConnector = (listener: InvalidationListener) => Promise<SharedTier>;

/**
 * Creates the cache: LRU only without `redisUrl`, LRU in front of Redis with it.
 *
 * With Redis, resolves once both connections have connected or failed a first time; a Redis that
 * is down leaves the cache working from memory (`healthy()` says false) and it recovers when Redis
 * comes back.
 */
export async function createTwoTierCache(options: TwoTierCacheOptions = {}): Promise<TwoTierCache> {
  const settings = resolveSettings(options);
  const { redisUrl } = settings;
  const connect: SharedTierConnector | undefined =
    redisUrl === undefined
      ? undefined
      : (listener) => connectRedisSharedTier({ ...settings, url: redisUrl }, listener);
  return assembleTwoTierCache(settings, connect);
}

/**
 * Builds the cache over the shared tier `connect` opens (none: memory only). Tests use it to put
 * a gate in front of a real Redis tier.
 */
export async function assembleTwoTierCache(
  settings: CacheSettings,
  connect: SharedTierConnector | undefined,
): Promise<TwoTierCache> {
  // Only what invalidation messages need, so LRUs of every value type fit in one map.
  const locals = new Map<string, Pick<LocalTier<CacheValue>, 'bury' | 'clear' | 'suspend' | 'resume'>>();
  const stats: CacheStats = {
    localHits: 0,
    remoteHits: 0,
    misses: 0,
    remoteErrors: 0,
    invalidationsReceived: 0,
    localResets: 0,
    subscriberSilences: 0,
    invalidationsDeferred: 0,
    invalidationsRetried: 0,
    invalidationsAbandoned: 0,
    pendingInvalidations: 0,
  };
  // With Redis, the LRUs serve only while invalidations are known to arrive: from the first
  // confirmed subscription on, and never while it is down or silent.
  let listening = false;
  const listener: InvalidationListener = {
    invalidated(namespace, keys) {
      stats.invalidationsReceived++;
      // A namespace this replica never created holds nothing to drop.
      locals.get(namespace)?.bury(keys);
    },
    reset() {
      stats.localResets++;
      for (const local of locals.values()) local.clear();
    },
    deaf(reason) {
      listening = false;
      stats.localResets++;
      if (reason === 'silent') stats.subscriberSilences++;
      for (const local of locals.values()) local.suspend();
    },
    listening() {
      listening = true;
      stats.localResets++;
      for (const local of locals.values()) local.resume();
    },
  };
  const shared = connect === undefined ? undefined : await connect(listener);
  const clock = settings.now ?? (() => performance.now());
  // Invalidations Redis missed, retried until it takes them or they no longer matter.
  const retry =
    shared === undefined
      ? undefined
      : new InvalidationRetry({
          async send(namespace, keys) {
            try {
              await shared.invalidate(namespace, keys);
            } catch (error) {
              remoteOutcome('invalidate', error);
              throw error;
            }
            remoteOutcome('invalidate');
          },
          maxKeys: settings.maxPendingInvalidations,
          now: clock,
          logger: settings.logger,
          stats,
        });

  // One warning per outage: the first failure after a success is logged, the rest only counted.
  let failing = false;
  const remoteOutcome = (operation: string, error?: unknown): void => {
    if (error === undefined) {
      failing = false;
      // Redis answers again: queued invalidations need not wait for their next retry.
      retry?.kick();
      return;
    }
    stats.remoteErrors++;
    if (failing) return;
    failing = true;
    settings.logger.warn(
      { err: withoutDetails(error), operation },
      'redis cache unavailable; falling back to memory and SQL',
    );
  };
  const undecodable = (namespace: string, error: unknown): void => {
    settings.logger.warn(
      // JSON.parse quotes the text it choked on: log the kind of error only.
      { error: error instanceof Error ? error.name : typeof error, namespace },
      'cached value could not be decoded; treating it as a miss',
    );
  };

  return {
    mode: shared === undefined ? 'memory' : 'redis',

    namespace<T extends CacheValue>(name: string, options: NamespaceOptions<T>) {
      checkNamespace(name, options);
      const maxSharedTtlMs = options.maxSharedTtlMs ?? DEFAULT_MAX_SHARED_TTL_MS;
      if (locals.has(name)) throw new Error(`cache namespace ${name} already exists`);
      const local = new LocalTier<T>({
        maxEntries: options.maxEntries,
        localTtlMs: options.localTtlMs,
        tombstoneTtlMs: settings.tombstoneTtlMs,
        now: settings.now,
      });
      // Created while not subscribed: it must not serve what no invalidation could reach.
      if (shared !== undefined && !listening) local.suspend();
      locals.set(name, local);
      const codec = {
        encode: options.encode ?? ((value: T) => JSON.stringify(value)),
        decode: options.decode ?? ((text: string) => JSON.parse(text) as T),
      };
      return createNamespace({
        name,
        local,
        codec,
        shared: shared === undefined || retry === undefined ? undefined : { tier: shared, retry },
        maxSharedTtlMs,
        retryHorizonMs: maxSharedTtlMs + settings.tombstoneTtlMs,
        stats,
        remoteOutcome,
        undecodable,
      });
    },

    async healthy() {
      return shared === undefined ? true : shared.healthy();
    },

    stats() {
      return { ...stats, pendingInvalidations: retry?.size ?? 0 };
    },

    async close() {
      retry?.close();
      await shared?.close();
      for (const local of locals.values()) local.clear();
    },
  };
}
