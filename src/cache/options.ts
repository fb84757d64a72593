/**
 * Defaults and checks for the cache's options, applied once when the cache is created.
 */
import type { CacheLogger, CacheValue, NamespaceOptions, TwoTierCacheOptions } from './types.js';

/** Options with every default applied. */
export interface CacheSettings {
  redisUrl: string | undefined;
  keyPrefix: string;
  channel: string;
  tombstoneTtlMs: number;
  maxPendingInvalidations: number;
  commandTimeoutMs: number;
  heartbeatIntervalMs: number;
  subscriberSilenceMs: number;
  clientName: string;
  logger: CacheLogger;
  /** Milliseconds clock for LRU TTLs and retry deadlines; only tests set it. */
  now?: () => number;
}

/** See `NamespaceOptions.maxSharedTtlMs`. */
export const DEFAULT_MAX_SHARED_TTL_MS = 5 * 60_000;

const SILENT: CacheLogger = { warn() {} };
const NAMESPACE_NAME = /^[A-Za-z0-9_.-]+$/;

/** Applies defaults and rejects values that cannot work. */
export function resolveSettings(options: TwoTierCacheOptions): CacheSettings {
  const keyPrefix = options.keyPrefix ?? 'portcullis:';
  const settings: CacheSettings = {
    redisUrl: options.redisUrl === '' ? undefined : options.redisUrl,
    keyPrefix,
    channel: options.channel ?? `${keyPrefix}cache-invalidations`,
    tombstoneTtlMs: options.tombstoneTtlMs ?? 10_000,
    maxPendingInvalidations: options.maxPendingInvalidations ?? 100_000,
    commandTimeoutMs: options.commandTimeoutMs ?? 1_000,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 1_000,
    subscriberSilenceMs: options.subscriberSilenceMs ?? 3_000,
    clientName: options.clientName ?? 'portcullis-cache',
    logger: options.logger ?? SILENT,
  };
  requirePositiveInteger('tombstoneTtlMs', settings.tombstoneTtlMs);
  requirePositiveInteger('commandTimeoutMs', settings.commandTimeoutMs);
  requirePositiveInteger('maxPendingInvalidations', settings.maxPendingInvalidations);
  requirePositiveInteger('heartbeatIntervalMs', settings.heartbeatIntervalMs);
  requirePositiveInteger('subscriberSilenceMs', settings.subscriberSilenceMs);
  // A silence shorter than the gap between heartbeats would take a healthy subscription for dead.
  if (settings.subscriberSilenceMs <= settings.heartbeatIntervalMs) {
    throw new RangeError('cache subscriberSilenceMs must exceed heartbeatIntervalMs');
  }
  if (settings.channel === '') throw new RangeError('cache channel must not be empty');
  // CLIENT SETNAME refuses spaces and newlines.
  if (!/^[!-~]+$/.test(settings.clientName)) {
    throw new RangeError('cache clientName must be printable ASCII without spaces');
  }
  return settings;
}

/** Rejects a namespace name or options that cannot work. */
export function checkNamespace(
  name: string,
  options: Pick<NamespaceOptions<CacheValue>, 'maxEntries' | 'localTtlMs' | 'maxSharedTtlMs'>,
): void {
  // The name ends each Redis key's prefix, so it must not contain the ':' that follows it.
  if (!NAMESPACE_NAME.test(name)) {
    throw new RangeError(`cache namespace name must match ${NAMESPACE_NAME}, got ${JSON.stringify(name)}`);
  }
  requirePositiveInteger('maxEntries', options.maxEntries);
  requirePositiveInteger('localTtlMs', options.localTtlMs);
  if (options.maxSharedTtlMs !== undefined) requirePositiveInteger('maxSharedTtlMs', options.maxSharedTtlMs);
}

function requirePositiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`cache ${name} must be a positive integer, got ${value}`);
  }
}
