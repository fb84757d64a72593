import type { SmsLimitConfig } from '../../config/areas/sms-limit.js';
import { type CounterStore, fixedWindowLimit, ipCountingKey } from '../../ratelimit/index.js';

/** Which cap refused an SMS, by its config key. */
export type SmsCapName = 'per_ip' | 'total';

export type SmsLimitDecision = { allowed: true } | { allowed: false; cap: SmsCapName };

/**
 * Portcullis's guard against SMS pumping (toll fraud), beyond Kratos: registration is anonymous,
 * and each new phone number in its traits gets a verification SMS, so a script cycling through
 * premium-rate numbers would otherwise have every SMS paid for. The per-address mail limit does
 * not help there (each number is new); this caps verification SMS per client IP and in all.
 */
export interface SmsLimiter {
  /**
   * Counts one SMS about to be sent for a request from `clientIp` and says whether it may go.
   * Without an IP (the caller does not know it) only the total cap applies. The IP is counted
   * first, so one client past its own cap does not use up everyone's total; a refused SMS is
   * not counted by the cap that refused it.
   */
  allow(clientIp: string | undefined): Promise<SmsLimitDecision>;
}

/** Scopes of the counters, beside the login and mail ones in the same store. */
const PER_IP_SCOPE = 'sms:verification:ip';
const TOTAL_SCOPE = 'sms:verification:total';

/**
 * The limiter over `counters`: the counter store of the brute-force protection and the mail
 * limit (Redis when configured, so the total holds across replicas; memory otherwise).
 */
export function createSmsLimiter(
  config: SmsLimitConfig,
  counters: CounterStore,
  now: () => number = Date.now,
): SmsLimiter {
  return {
    async allow(clientIp) {
      if (!config.enabled) return { allowed: true };
      if (clientIp !== undefined) {
        const perIp = await fixedWindowLimit(
          counters,
          PER_IP_SCOPE,
          ipCountingKey(clientIp),
          config.perIp,
          now(),
        );
        if (!perIp.allowed) return { allowed: false, cap: 'per_ip' };
      }
      const total = await fixedWindowLimit(counters, TOTAL_SCOPE, 'all', config.total, now());
      return total.allowed ? { allowed: true } : { allowed: false, cap: 'total' };
    },
  };
}
