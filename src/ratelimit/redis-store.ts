import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createFallbackCounterStore, type RateLimitLogger } from './fallback-store.js';
import { liveState } from './rule.js';
import type { AttemptOutcome, AttemptRule, CounterState, CounterStore } from './store.js';

/** The Redis commands the store uses; a `Redis` client (or anything shaped like one) fits. */
export type RedisCounterClient = Pick<Redis, 'evalsha' | 'eval' | 'hmget' | 'del'>;

/** Options of {@link createRedisCounterStore}. */
export interface RedisCounterStoreOptions {
  /** The connection; owned by the caller, who also closes it. */
  readonly redis: RedisCounterClient;
  /** Prepended to every key (default {@link REDIS_STORE_DEFAULT_PREFIX}). */
  readonly prefix?: string;
  /**
   * What happens while Redis cannot be reached or does not answer: `memory` (the default) counts
   * in this process until Redis answers again (see `createFallbackCounterStore`); `none` lets the
   * error through, for tests of the Redis store itself.
   */
  readonly whenUnavailable?: 'memory' | 'none';
  /** Told once per outage, and when it ends (with `whenUnavailable: memory`). */
  readonly logger?: RateLimitLogger;
  /** A Redis operation not answered in this time counts as an outage (default 2 000 ms). */
  readonly timeoutMs?: number;
}

/** Default key prefix of the Redis store. */
export const REDIS_STORE_DEFAULT_PREFIX = 'portcullis:ratelimit:';

// A copy of admit() in rule.ts, run inside Redis so that the read, the decision and the write
// are one atomic step for every replica. Each counter is one hash with a TTL set to the end of
// its window, so Redis drops it by itself; the `ends` field, not the TTL, decides expiry, because
// times come from the caller's clock. Lua numbers are doubles: exact for epoch milliseconds.
const ATTEMPT = script(`
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local free, base, cap = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local fields = redis.call('HMGET', KEYS[1], 'count', 'locked', 'ends')
local count, locked, ends = tonumber(fields[1]) or 0, tonumber(fields[2]) or 0, tonumber(fields[3]) or 0
if now >= ends then count, locked, ends = 0, 0, 0 end
if now < locked then return {0, count, locked, ends} end
count = count + 1
if ends <= now then ends = now + window end
local delay = 0
if count >= free then delay = math.min(base * 2 ^ math.min(count - free, 52), cap) end
locked = math.min(now + delay, ends)
redis.call('HSET', KEYS[1], 'count', count, 'locked', locked, 'ends', ends)
redis.call('PEXPIRE', KEYS[1], ends - now)
return {1, count, locked, ends}
`);

// A copy of refundOne() in rule.ts.
const REFUND = script(`
local now = tonumber(ARGV[1])
local free, base, cap = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local fields = redis.call('HMGET', KEYS[1], 'count', 'locked', 'ends')
local count, locked, ends = tonumber(fields[1]) or 0, tonumber(fields[2]) or 0, tonumber(fields[3]) or 0
if now >= ends or count == 0 then return 0 end
count = count - 1
local delay = 0
if count >= free then delay = math.min(base * 2 ^ math.min(count - free, 52), cap) end
redis.call('HSET', KEYS[1], 'count', count, 'locked', math.min(locked, now + delay))
return 1
`);

/**
 * Counters in Redis, shared by every replica. Each operation touches one key, so the store also
 * works on Redis Cluster.
 *
 * Redis being unreachable must not fail the requests that count (a login, a sign-up that mails a
 * code): by default the store then counts in this replica's memory, logs once, and goes back to
 * Redis by itself when it answers again.
 */
export function createRedisCounterStore(options: RedisCounterStoreOptions): CounterStore {
  const shared = redisOnlyStore(options.redis, options.prefix ?? REDIS_STORE_DEFAULT_PREFIX);
  if (options.whenUnavailable === 'none') return shared;
  return createFallbackCounterStore({
    primary: shared,
    logger: options.logger,
    timeoutMs: options.timeoutMs,
  });
}

/** The store on Redis alone: every operation rejects while Redis cannot be reached. */
function redisOnlyStore(redis: RedisCounterClient, prefix: string): CounterStore {
  return {
    async attempt(key: string, rule: AttemptRule, now: number): Promise<AttemptOutcome> {
      return attemptOutcome(await run(redis, ATTEMPT, prefix + key, scriptArgs(rule, now)));
    },

    async peek(key: string, now: number): Promise<CounterState> {
      const [count, locked, ends] = await redis.hmget(prefix + key, 'count', 'locked', 'ends');
      if (count == null || locked == null || ends == null) return liveState(undefined, now);
      return liveState(
        { count: Number(count), lockedUntil: Number(locked), windowEndsAt: Number(ends) },
        now,
      );
    },

    async refund(key: string, rule: AttemptRule, now: number): Promise<void> {
      await run(redis, REFUND, prefix + key, scriptArgs(rule, now));
    },

    async reset(key: string): Promise<void> {
      await redis.del(prefix + key);
    },
  };
}

// Both scripts take the same arguments, in this order.
function scriptArgs(rule: AttemptRule, now: number): number[] {
  return [now, rule.windowMs, rule.freeAttempts, rule.baseDelayMs, rule.maxDelayMs];
}

interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

function script(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

// EVALSHA sends 40 bytes instead of the script; after a Redis restart or SCRIPT FLUSH the script
// is gone and Redis answers NOSCRIPT (the error code that starts its reply), so send it in full once.
async function run(redis: RedisCounterClient, lua: LuaScript, key: string, args: number[]): Promise<unknown> {
  try {
    return await redis.evalsha(lua.sha, 1, key, ...args);
  } catch (error) {
    if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
    return await redis.eval(lua.source, 1, key, ...args);
  }
}

function attemptOutcome(reply: unknown): AttemptOutcome {
  const values: unknown[] = Array.isArray(reply) ? reply : [];
  const [admitted, count, lockedUntil, windowEndsAt] = values;
  if (
    values.length !== 4 ||
    !isInteger(admitted) ||
    !isInteger(count) ||
    !isInteger(lockedUntil) ||
    !isInteger(windowEndsAt)
  )
    throw new Error('ratelimit: unexpected reply from the Redis counter script');
  return { admitted: admitted === 1, state: { count, lockedUntil, windowEndsAt } };
}

function isInteger(value: unknown): value is number {
  return Number.isSafeInteger(value);
}
