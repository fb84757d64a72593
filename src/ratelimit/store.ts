/**
 * The counter store contract shared by the in-memory and Redis implementations.
 *
 * A counter counts attempts in a fixed window that opens at the first attempt. Each attempt is
 * admitted or refused in one atomic step (`attempt`), so concurrent requests on many replicas
 * can never all slip past a check made before any of them was counted.
 */

/** How a counter admits attempts: a number free back to back, then exponentially growing waits. */
export interface AttemptRule {
  /** Length of the window, opened by the first attempt; the counter starts over when it ends. */
  readonly windowMs: number;
  /** Attempts admitted back to back in one window before any wait applies (at least 1). */
  readonly freeAttempts: number;
  /** Wait after the `freeAttempts`-th attempt; it doubles with each further attempt. */
  readonly baseDelayMs: number;
  /** Cap on one wait. A wait never outlasts the window either. */
  readonly maxDelayMs: number;
}

/** A counter as of some instant. An unknown key or an ended window reads as {@link EMPTY_STATE}. */
export interface CounterState {
  /** Attempts admitted in the current window (less any refunded). */
  readonly count: number;
  /** Epoch ms before which the next attempt is refused; 0 or past when none is. */
  readonly lockedUntil: number;
  /** Epoch ms at which the window ends and the counter starts over; 0 when empty. */
  readonly windowEndsAt: number;
}

/** The empty counter. */
export const EMPTY_STATE: CounterState = Object.freeze({ count: 0, lockedUntil: 0, windowEndsAt: 0 });

/** What {@link CounterStore.attempt} decided, with the counter after the decision. */
export interface AttemptOutcome {
  readonly admitted: boolean;
  readonly state: CounterState;
}

/**
 * Where counters live. Keys are opaque and already hashed (see `counterKey`); times are epoch
 * milliseconds from the caller's clock, so the store never reads a clock of its own.
 */
export interface CounterStore {
  /**
   * Atomically: refuse when the counter is locked at `now`; otherwise count one attempt and
   * lock the counter for the wait that `rule` imposes after it. Refused attempts are not counted.
   */
  attempt(key: string, rule: AttemptRule, now: number): Promise<AttemptOutcome>;
  /** The counter as of `now`, changing nothing. */
  peek(key: string, now: number): Promise<CounterState>;
  /**
   * Takes back one counted attempt (a login that succeeded, or one refused at another scope).
   * The lock shrinks to the wait the remaining count imposes from `now`: never shorter than the
   * lock before the refunded attempt, since that one was imposed earlier. No-op on an empty counter.
   */
  refund(key: string, rule: AttemptRule, now: number): Promise<void>;
  /** Forgets the counter. */
  reset(key: string): Promise<void>;
}
