import { createMemoryCounterStore } from './memory-store.js';
import type { AttemptOutcome, AttemptRule, CounterState, CounterStore } from './store.js';

/** Where the store reports an outage and its end; pino's `warn(obj, msg)` and `info(obj, msg)` fit. */
export interface RateLimitLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/** Options of {@link createFallbackCounterStore}. */
export interface FallbackCounterStoreOptions {
  /** The store shared by every replica (Redis); any rejection or timeout counts as an outage. */
  readonly primary: CounterStore;
  /** Where counting goes during an outage. Default: a memory store of this process. */
  readonly fallback?: CounterStore;
  /** Default: Node process warnings (`PORTCULLIS_RATELIMIT_FALLBACK`), so an outage is never silent. */
  readonly logger?: RateLimitLogger;
  /**
   * How long one operation on the primary may take before it counts as failed, in case the
   * client has no command timeout of its own (a half-open connection would hold a login forever).
   * Default {@link FALLBACK_DEFAULT_TIMEOUT_MS}.
   */
  readonly timeoutMs?: number;
  /**
   * During an outage, the primary is asked again (in the background, never on a request's path)
   * at most this often, triggered by traffic. Default {@link FALLBACK_DEFAULT_PROBE_INTERVAL_MS}.
   */
  readonly probeIntervalMs?: number;
  /** Milliseconds clock for the probe interval; tests pass a fake one. Default `performance.now`. */
  readonly now?: () => number;
}

/** See {@link FallbackCounterStoreOptions.timeoutMs}. */
export const FALLBACK_DEFAULT_TIMEOUT_MS = 2_000;
/** See {@link FallbackCounterStoreOptions.probeIntervalMs}. */
export const FALLBACK_DEFAULT_PROBE_INTERVAL_MS = 1_000;

/** An operation on the primary took longer than `timeoutMs`. */
export class CounterStoreTimeoutError extends Error {
  readonly id = 'ratelimit_store_timeout';
  constructor(readonly timeoutMs: number) {
    super(`ratelimit: the counter store did not answer within ${timeoutMs} ms`);
    this.name = 'CounterStoreTimeoutError';
  }
}

// Read during a probe; it never exists, so the probe writes nothing and costs one HMGET.
const PROBE_KEY = 'ratelimit:probe';

const PROCESS_WARNINGS: RateLimitLogger = {
  warn: (_obj, msg) => process.emitWarning(msg, { code: 'PORTCULLIS_RATELIMIT_FALLBACK' }),
  info: () => {},
};

/**
 * A counter store over a shared `primary` that keeps deciding when the primary cannot. While it
 * fails (Redis unreachable or not answering), every operation runs on `fallback`, this replica's
 * memory, so brute-force protection and mail limits stay on per replica instead of turning logins,
 * sign-ups and "send me a code" into 500s. One warning per outage; the primary is probed in the
 * background and takes over again as soon as it answers.
 *
 * The price, during an outage only: each replica counts on its own (an attacker spreading guesses
 * over N replicas gets N times the budget), and attempts counted in memory are forgotten once
 * Redis is back. An operation that timed out may still have been applied in Redis: it then counts
 * twice, which errs on the safe side.
 */
export function createFallbackCounterStore(options: FallbackCounterStoreOptions): CounterStore {
  const { primary } = options;
  const fallback = options.fallback ?? createMemoryCounterStore();
  const logger = options.logger ?? PROCESS_WARNINGS;
  const timeoutMs = options.timeoutMs ?? FALLBACK_DEFAULT_TIMEOUT_MS;
  const probeIntervalMs = options.probeIntervalMs ?? FALLBACK_DEFAULT_PROBE_INTERVAL_MS;
  const now = options.now ?? (() => performance.now());
  /** Set while the primary is considered down. */
  let outage: { nextProbeAt: number; probing: boolean } | undefined;

  const enterOutage = (error: unknown): void => {
    if (outage !== undefined) return;
    outage = { nextProbeAt: now() + probeIntervalMs, probing: false };
    logger.warn(
      { err: errorSummary(error) },
      'rate-limit counters unavailable in redis; counting in this replica’s memory until it answers',
    );
  };

  const probe = async (state: { nextProbeAt: number; probing: boolean }): Promise<void> => {
    state.probing = true;
    try {
      await withTimeout(primary.peek(PROBE_KEY, 0), timeoutMs);
    } catch {
      state.nextProbeAt = now() + probeIntervalMs;
      return;
    } finally {
      state.probing = false;
    }
    if (outage !== state) return;
    outage = undefined;
    logger.info({}, 'rate-limit counters back in redis');
  };

  async function run<T>(operation: (store: CounterStore) => Promise<T>): Promise<T> {
    const state = outage;
    if (state !== undefined) {
      if (!state.probing && now() >= state.nextProbeAt) void probe(state);
      return operation(fallback);
    }
    try {
      return await withTimeout(operation(primary), timeoutMs);
    } catch (error) {
      enterOutage(error);
      return operation(fallback);
    }
  }

  return {
    attempt: (key: string, rule: AttemptRule, at: number): Promise<AttemptOutcome> =>
      run((store) => store.attempt(key, rule, at)),
    peek: (key: string, at: number): Promise<CounterState> => run((store) => store.peek(key, at)),
    refund: (key: string, rule: AttemptRule, at: number): Promise<void> =>
      run((store) => store.refund(key, rule, at)),
    reset: (key: string): Promise<void> => run((store) => store.reset(key)),
  };
}

/** `promise`, or a {@link CounterStoreTimeoutError} after `ms`. A late settlement is ignored. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new CounterStoreTimeoutError(ms)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// ioredis attaches the failed command and its arguments to its errors: log the kind and message only.
function errorSummary(error: unknown): { name: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: typeof error, message: String(error) };
}
