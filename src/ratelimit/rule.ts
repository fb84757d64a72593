import { type AttemptOutcome, type AttemptRule, type CounterState, EMPTY_STATE } from './store.js';

// Beyond 2^52 the product stops being an exact integer; the cap is reached long before anyway.
const MAX_EXPONENT = 52;

/** The counter as of `now`: a window that has ended reads as empty. */
export function liveState(state: CounterState | undefined, now: number): CounterState {
  return state === undefined || now >= state.windowEndsAt ? EMPTY_STATE : state;
}

/** The wait imposed after the `count`-th attempt of a window: 0, then base, 2·base, 4·base … max. */
export function delayAfter(count: number, rule: AttemptRule): number {
  if (count < rule.freeAttempts) return 0;
  const exponent = Math.min(count - rule.freeAttempts, MAX_EXPONENT);
  return Math.min(rule.baseDelayMs * 2 ** exponent, rule.maxDelayMs);
}

/**
 * The whole decision of {@link CounterStore.attempt} as a pure function. The memory store runs it
 * as is; the Redis store's Lua script is a line-by-line copy (the contract suite keeps them equal).
 */
export function admit(stored: CounterState | undefined, rule: AttemptRule, now: number): AttemptOutcome {
  const state = liveState(stored, now);
  if (now < state.lockedUntil) return { admitted: false, state };
  const count = state.count + 1;
  const windowEndsAt = state.windowEndsAt > now ? state.windowEndsAt : now + rule.windowMs;
  const lockedUntil = Math.min(now + delayAfter(count, rule), windowEndsAt);
  return { admitted: true, state: { count, lockedUntil, windowEndsAt } };
}

/**
 * The whole of {@link CounterStore.refund} as a pure function; undefined when there is nothing to
 * take back. The Redis store's Lua script is a copy of it.
 */
export function refundOne(
  stored: CounterState | undefined,
  rule: AttemptRule,
  now: number,
): CounterState | undefined {
  const state = liveState(stored, now);
  if (state.count === 0) return undefined;
  const count = state.count - 1;
  return { ...state, count, lockedUntil: Math.min(state.lockedUntil, now + delayAfter(count, rule)) };
}

/** Whole seconds until `lockedUntil`, rounded up so that a client retrying on time is admitted. */
export function secondsUntil(lockedUntil: number, now: number): number {
  return Math.max(1, Math.ceil((lockedUntil - now) / 1000));
}
