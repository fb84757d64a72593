/**
 * Rate limiting: brute-force protection for the login endpoint and fixed-window limits (for
 * recovery and verification mail), over counters kept in Redis when configured, in memory
 * otherwise.
 *
 * @example
 * const config = resolveBruteForceConfig(document.security?.brute_force); // report issues if !ok
 * // With Redis, counting falls back to this process's memory while Redis cannot be reached.
 * const store = redis ? createRedisCounterStore({ redis, logger }) : createMemoryCounterStore();
 * const throttle = createLoginThrottle(config.value, store, { now: Date.now });
 * const proxies = compileTrustedProxies(config.value.trustedProxies);
 * // per request:
 * const ip = clientIp({ remoteAddress: req.socket.remoteAddress, xForwardedFor: req.headers['x-forwarded-for'] }, proxies);
 * const decision = await throttle.check({ identifier, ip });
 * if (!decision.allowed) reply.header('retry-after', decision.retryAfterSeconds).code(429);
 */

export { type ClientAddressInput, clientIp, requestClientIp } from './client-ip.js';
export {
  BRUTE_FORCE_CONFIG_PATH,
  BRUTE_FORCE_DEFAULTS,
  type BruteForceConfig,
  type BruteForceConfigInput,
  type BruteForceConfigIssue,
  type BruteForceLimitInput,
  DEFAULT_BRUTE_FORCE_CONFIG,
  resolveBruteForceConfig,
} from './config.js';
export { BRUTE_FORCE_CONFIG_SCHEMA } from './config-schema.js';
export {
  CounterStoreTimeoutError,
  createFallbackCounterStore,
  FALLBACK_DEFAULT_PROBE_INTERVAL_MS,
  FALLBACK_DEFAULT_TIMEOUT_MS,
  type FallbackCounterStoreOptions,
  type RateLimitLogger,
} from './fallback-store.js';
export { type FixedWindowDecision, type FixedWindowRule, fixedWindowLimit } from './fixed-window.js';
export { canonicalIp, IPV6_COUNTED_PREFIX, ipCountingKey } from './ip.js';
export { counterKey } from './keys.js';
export {
  type Clock,
  createLoginThrottle,
  LOGIN_IDENTIFIER_SCOPE,
  LOGIN_IP_SCOPE,
  type LoginSubject,
  type LoginThrottle,
  type ThrottleDecision,
  type ThrottleScope,
} from './login-throttle.js';
export { mailLimitRule } from './mail-limit-config.js';
export { MAIL_LIMIT_CONFIG_SCHEMA, MAIL_LIMIT_DEFAULTS } from './mail-limit-schema.js';
export {
  createMemoryCounterStore,
  MEMORY_STORE_DEFAULT_MAX_KEYS,
  type MemoryCounterStoreOptions,
} from './memory-store.js';
export {
  createRedisCounterStore,
  REDIS_STORE_DEFAULT_PREFIX,
  type RedisCounterClient,
  type RedisCounterStoreOptions,
} from './redis-store.js';
export {
  type AttemptOutcome,
  type AttemptRule,
  type CounterState,
  type CounterStore,
  EMPTY_STATE,
} from './store.js';
export {
  compileTrustedProxies,
  type ProxyNetwork,
  parseProxyNetwork,
  type TrustedProxies,
} from './trusted-proxies.js';
