import { counterKey } from './keys.js';
import { secondsUntil } from './rule.js';
import type { AttemptRule, CounterStore } from './store.js';

/** The outcome of {@link fixedWindowLimit}. */
export type FixedWindowDecision =
  | { readonly allowed: true; readonly remaining: number }
  | { readonly allowed: false; readonly retryAfterSeconds: number };

/** A fixed-window limit: at most `limit` events per `windowMs`, the window opened by the first. */
export interface FixedWindowRule {
  /** Events allowed per window; a whole number of at least 1. */
  readonly limit: number;
  /** Whole milliseconds. */
  readonly windowMs: number;
}

/**
 * Counts one event against `key` in `scope` and says whether it may happen: for instance at most
 * 5 recovery emails per address per hour (`scope: 'mail:recovery'`, key the normalised address),
 * against mail bombing. Refused events are not counted. The key is hashed before it is stored.
 *
 * @throws RangeError unless `rule.limit` and `rule.windowMs` are whole numbers of at least 1.
 */
export async function fixedWindowLimit(
  store: CounterStore,
  scope: string,
  key: string,
  rule: FixedWindowRule,
  now: number,
): Promise<FixedWindowDecision> {
  if (
    !Number.isSafeInteger(rule.limit) ||
    rule.limit < 1 ||
    !Number.isSafeInteger(rule.windowMs) ||
    rule.windowMs < 1
  )
    throw new RangeError('ratelimit: a fixed window needs whole numbers limit >= 1 and windowMs >= 1');
  // After `limit` events the wait is a whole window, which admit() cuts at the window's end.
  const attemptRule: AttemptRule = {
    windowMs: rule.windowMs,
    freeAttempts: rule.limit,
    baseDelayMs: rule.windowMs,
    maxDelayMs: rule.windowMs,
  };
  const outcome = await store.attempt(counterKey(scope, key), attemptRule, now);
  if (!outcome.admitted)
    return { allowed: false, retryAfterSeconds: secondsUntil(outcome.state.lockedUntil, now) };
  return { allowed: true, remaining: rule.limit - outcome.state.count };
}
