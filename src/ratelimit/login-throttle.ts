import type { BruteForceConfig } from './config.js';
import { ipCountingKey } from './ip.js';
import { counterKey } from './keys.js';
import { secondsUntil } from './rule.js';
import type { CounterState, CounterStore } from './store.js';

/** Source of the current time in epoch milliseconds; tests pass a fake one. */
export interface Clock {
  now(): number;
}

/** Who is trying to log in. */
export interface LoginSubject {
  /** The identifier as the password strategy looks it up (already normalised: case, Unicode form). */
  readonly identifier: string;
  /** The client IP from `clientIp`; undefined skips the per-IP limit (the peer is gone anyway). */
  readonly ip: string | undefined;
}

/** Which limit refused the attempt. */
export type ThrottleScope = 'identifier' | 'ip';

/** Whether a login attempt may go ahead; if not, when to retry (the `Retry-After` header). */
export type ThrottleDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterSeconds: number; readonly scope: ThrottleScope };

/**
 * Brute-force protection for password logins. Call order per attempt:
 *
 * 1. `check` right before verifying the password (and for unknown identifiers too, so that
 *    probing them costs the same). When refused, answer 429 with `Retry-After` and do not verify.
 * 2. `recordSuccess` or `recordFailure` once the verification is done.
 *
 * An admitted `check` already counts the attempt as a failure: counting only afterwards would let
 * a burst of concurrent requests all pass the check before the first failure is recorded.
 * `recordSuccess` takes the count back. An attempt abandoned after `check` stays counted.
 */
export interface LoginThrottle {
  /** Admits the attempt and counts it, or refuses it without counting. */
  check(subject: LoginSubject): Promise<ThrottleDecision>;
  /**
   * The password was wrong. The failure was counted by `check`; this only reports the wait now
   * in force, so that the error response can say how long to wait before the next try.
   */
  recordFailure(subject: LoginSubject): Promise<ThrottleDecision>;
  /** The password was right: forgets the identifier's failures and takes back the IP's count. */
  recordSuccess(subject: LoginSubject): Promise<void>;
}

const ALLOWED: ThrottleDecision = Object.freeze({ allowed: true });

const DISABLED: LoginThrottle = Object.freeze({
  check: async () => ALLOWED,
  recordFailure: async () => ALLOWED,
  recordSuccess: async () => {},
});

/** Store key scopes; identifiers and IPs are hashed below them. */
export const LOGIN_IDENTIFIER_SCOPE = 'login:identifier';
export const LOGIN_IP_SCOPE = 'login:ip';

/**
 * The login throttle for `config` (from `resolveBruteForceConfig`). With `enabled: false` every
 * attempt is allowed and the store is never touched.
 */
export function createLoginThrottle(
  config: BruteForceConfig,
  store: CounterStore,
  clock: Clock,
): LoginThrottle {
  if (!config.enabled) return DISABLED;
  // A login calls `check` and then `recordSuccess` or `recordFailure` with the same subject: its
  // two keys (two SHA-256 digests) are derived once. Subjects are read-only and short-lived.
  const keysOf = new WeakMap<LoginSubject, { identifier: string; ip: string | undefined }>();
  function keys(subject: LoginSubject): { identifier: string; ip: string | undefined } {
    let derived = keysOf.get(subject);
    if (derived === undefined) {
      derived = {
        identifier: counterKey(LOGIN_IDENTIFIER_SCOPE, subject.identifier),
        ip: subject.ip === undefined ? undefined : counterKey(LOGIN_IP_SCOPE, ipCountingKey(subject.ip)),
      };
      keysOf.set(subject, derived);
    }
    return derived;
  }
  const identifierKey = (subject: LoginSubject): string => keys(subject).identifier;
  const ipKey = (subject: LoginSubject): string | undefined => keys(subject).ip;

  return {
    async check(subject) {
      const now = clock.now();
      const ip = ipKey(subject);
      // IP first: an address that is already refused then never touches the accounts it sprays.
      if (ip !== undefined) {
        const outcome = await store.attempt(ip, config.perIp, now);
        if (!outcome.admitted) return refused('ip', outcome.state, now);
      }
      const outcome = await store.attempt(identifierKey(subject), config.perIdentifier, now);
      if (outcome.admitted) return ALLOWED;
      // No password is verified, so this was no guess from that address.
      if (ip !== undefined) await store.refund(ip, config.perIp, now);
      return refused('identifier', outcome.state, now);
    },

    async recordFailure(subject) {
      const now = clock.now();
      const ip = ipKey(subject);
      const [identifierState, ipState] = await Promise.all([
        store.peek(identifierKey(subject), now),
        ip === undefined ? undefined : store.peek(ip, now),
      ]);
      if (ipState !== undefined && ipState.lockedUntil > Math.max(now, identifierState.lockedUntil))
        return refused('ip', ipState, now);
      return identifierState.lockedUntil > now ? refused('identifier', identifierState, now) : ALLOWED;
    },

    async recordSuccess(subject) {
      const ip = ipKey(subject);
      await Promise.all([
        store.reset(identifierKey(subject)),
        ip === undefined ? undefined : store.refund(ip, config.perIp, clock.now()),
      ]);
    },
  };
}

function refused(scope: ThrottleScope, state: CounterState, now: number): ThrottleDecision {
  return { allowed: false, retryAfterSeconds: secondsUntil(state.lockedUntil, now), scope };
}
